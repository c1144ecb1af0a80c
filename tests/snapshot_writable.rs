//! Writable snapshots change only themselves, including chunks whose copy they share with
//! other snapshots, and read-only snapshots refuse writes.

mod engine_support;
use engine_support::*;
use rvm::engine::{Volume, VolumeError};
use std::sync::Arc;

#[test]
fn snapshot_writes_stay_in_the_snapshot() {
    let mut rig = Rig::mem(128 * MIB, 4 * MIB);
    let origin = rig.open();
    let base = pattern(1, 0, 4 << 20);
    origin.write_at(&base, 0, false).unwrap();
    let older = rig.snapshot(&origin, 8 * MIB, 4096, false);
    let newer = rig.snapshot(&origin, 8 * MIB, 8192, false);
    let mut m_origin = base.clone();
    let mut m_older = base.clone();
    let mut m_newer = base.clone();
    // Origin writes copy each chunk into both snapshots: 4 KiB chunks cannot share a copy
    // with 8 KiB ones.
    for i in 0..64u64 {
        let off = i * 16384;
        let d = pattern(2, off, 4096);
        origin.write_at(&d, off, false).unwrap();
        m_origin[off as usize..off as usize + 4096].copy_from_slice(&d);
    }
    let mut rng = Rng(3);
    for i in 0..400u32 {
        let len = [512usize, 4096, 8192, 3000][rng.below(4) as usize];
        let off = rng.below((4 << 20) - len as u64);
        let d = pattern(10 + i, off, len);
        let (vol, model) = if i % 2 == 0 {
            (&older, &mut m_older)
        } else {
            (&newer, &mut m_newer)
        };
        vol.write_at(&d, off, i % 50 == 0).unwrap();
        model[off as usize..off as usize + len].copy_from_slice(&d);
    }
    assert_same("origin", &read_all(&origin), &m_origin);
    assert_same("older", &read_all(&older), &m_older);
    assert_same("newer", &read_all(&newer), &m_newer);
    origin.close().unwrap();
    drop((origin, older, newer));
    let origin = rig.open();
    let ids = origin.snapshot_ids();
    assert_same("origin, reopened", &read_all(&origin), &m_origin);
    let older = origin.snapshot(&ids[0]).unwrap();
    let newer = origin.snapshot(&ids[1]).unwrap();
    assert_same("older, reopened", &read_all(&older), &m_older);
    assert_same("newer, reopened", &read_all(&newer), &m_newer);
}

#[test]
fn the_owner_of_a_shared_copy_writes_without_disturbing_borrowers() {
    let mut rig = Rig::mem(64 * MIB, MIB);
    let origin = rig.open();
    origin.write_at(&pattern(1, 0, 1 << 20), 0, false).unwrap();
    let a = rig.snapshot(&origin, 4 * MIB, 4096, false);
    let b = rig.snapshot(&origin, 4 * MIB, 4096, true);
    origin.write_at(&pattern(2, 0, 4096), 0, false).unwrap();
    // b (newest, read-only) owns the copy of chunk 0, a borrows it. Made writable
    // (lvchange -p rw), b now rewrites half of it.
    origin.set_read_only(&b.id(), false).unwrap();
    b.write_at(&pattern(3, 0, 2048), 0, false).unwrap();
    let mut want_a = pattern(1, 0, 4096);
    let mut buf = vec![0u8; 4096];
    a.read_at(&mut buf, 0).unwrap();
    assert_eq!(buf, want_a);
    b.read_at(&mut buf, 0).unwrap();
    let mut want_b = pattern(1, 0, 4096);
    want_b[..2048].copy_from_slice(&pattern(3, 0, 2048));
    assert_eq!(buf, want_b);
    // And a borrower writing gets its own copy too.
    a.write_at(&pattern(4, 1024, 512), 1024, false).unwrap();
    want_a[1024..1536].copy_from_slice(&pattern(4, 1024, 512));
    a.read_at(&mut buf, 0).unwrap();
    assert_eq!(buf, want_a);
    b.read_at(&mut buf, 0).unwrap();
    assert_eq!(buf, want_b);
}

#[test]
fn read_only_snapshots_refuse_writes_and_discards() {
    let mut rig = Rig::mem(32 * MIB, MIB);
    let origin = rig.open();
    let s = rig.snapshot(&origin, 2 * MIB, 4096, true);
    assert!(matches!(
        s.write_at(&[1; 512], 0, false),
        Err(VolumeError::ReadOnly)
    ));
    assert!(matches!(s.discard(0, 4096), Err(VolumeError::ReadOnly)));
    origin.set_read_only(&s.id(), false).unwrap();
    s.write_at(&[1; 512], 0, false).unwrap();
    assert!(matches!(
        s.read_at(&mut [0; 512], (1 << 20) - 256),
        Err(VolumeError::OutOfRange { .. })
    ));
}

#[test]
fn removing_the_owner_hands_its_copies_to_the_borrowers() {
    let mut rig = Rig::mem(64 * MIB, 2 * MIB);
    let origin = rig.open();
    let base = pattern(1, 0, 2 << 20);
    origin.write_at(&base, 0, false).unwrap();
    let a = rig.snapshot(&origin, 4 * MIB, 4096, true);
    let b = rig.snapshot(&origin, 4 * MIB, 4096, true);
    let c = rig.snapshot(&origin, 4 * MIB, 4096, true);
    for i in 0..128u64 {
        origin
            .write_at(&pattern(2, i * 8192, 4096), i * 8192, false)
            .unwrap();
    }
    // c owns every copy; removing it must not lose a and b's data.
    let c_store = rig
        .host
        .specs()
        .into_iter()
        .find(|s| s.id == c.id())
        .unwrap()
        .pieces[0]
        .clone();
    rig.remove(&origin, &c.id());
    assert!(matches!(
        c.read_at(&mut [0; 512], 0),
        Err(VolumeError::Gone)
    ));
    // Trash c's old store, as a new LV on its extents would: nothing may point there.
    rig.pv
        .write_at(&vec![0xee; c_store.len as usize], c_store.dev_offset)
        .unwrap();
    assert_same("a", &read_all(&a), &base);
    assert_same("b", &read_all(&b), &base);
    origin.close().unwrap();
    drop((origin, a, b));
    let origin = rig.open();
    for id in origin.snapshot_ids() {
        let s = origin.snapshot(&id).unwrap();
        assert_same("after reopen", &read_all(&s), &base);
    }
}

/// Snapshots sized for the whole origin (`-l 100%ORIGIN`, the largest a store can be) never
/// overflow, whatever mix of read-only and writable snapshots share the origin: after the
/// whole origin and every writable snapshot are rewritten, after the newest is removed (its
/// copies taken over), and after every writable snapshot is rewritten again. (A writable
/// snapshot that lent its copies to older ones needed a second chunk for each it rewrote.)
#[test]
fn snapshots_sized_for_the_whole_origin_never_overflow() {
    let size = MIB;
    for mix in 0..8u32 {
        let mut rig = Rig::mem(64 * MIB, size);
        let origin = rig.open();
        let max = rvm::engine::max_store_bytes(size, 4096);
        let ro = |i: u32| mix & (1 << i) != 0;
        origin
            .write_at(&pattern(10, 0, size as usize), 0, false)
            .unwrap();
        let mut image = pattern(10, 0, size as usize);
        let snaps: Vec<_> = (0..3u32)
            .map(|i| {
                let s = (rig.snapshot(&origin, max, 4096, ro(i)), image.clone());
                // A little of the origin changes between snapshots; the rest, which the
                // rewrite below copies, all three lack.
                let off = i as u64 * 64 * 1024;
                let d = pattern(11 + i, off, 64 * 1024);
                origin.write_at(&d, off, false).unwrap();
                image[off as usize..off as usize + d.len()].copy_from_slice(&d);
                s
            })
            .collect();
        origin
            .write_at(&pattern(1, 0, size as usize), 0, false)
            .unwrap();
        let mut want: Vec<Vec<u8>> = snaps.iter().map(|(_, w)| w.clone()).collect();
        let rewrite = |round: u32, alive: &[usize], want: &mut Vec<Vec<u8>>| {
            for &i in alive {
                if !ro(i as u32) {
                    let d = pattern(100 * round + i as u32, 0, size as usize);
                    snaps[i].0.write_at(&d, 0, false).unwrap_or_else(|e| {
                        panic!("mix {mix:03b}, round {round}: writing snapshot {i}: {e}")
                    });
                    want[i] = d;
                }
            }
        };
        rewrite(1, &[0, 1, 2], &mut want);
        rig.remove(&origin, &snaps[2].0.id());
        rewrite(2, &[0, 1], &mut want);
        origin.flush().unwrap();
        for i in 0..2 {
            let s = &snaps[i].0;
            assert!(s.status().valid, "mix {mix:03b}: snapshot {i} overflowed");
            assert_same(
                &format!("mix {mix:03b}: snapshot {i}"),
                &read_all(s),
                &want[i],
            );
        }
        origin.close().unwrap();
    }
}

/// A device that counts the bytes written to it.
struct Counting {
    inner: rvm::block::MemDevice,
    written: std::sync::atomic::AtomicU64,
}

impl rvm::block::BlockDevice for Counting {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn len(&self) -> std::io::Result<u64> {
        self.inner.len()
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        self.inner.read_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()> {
        self.written
            .fetch_add(buf.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.inner.write_at(buf, offset)
    }
    fn flush(&self) -> std::io::Result<()> {
        self.inner.flush()
    }
    fn discard(&self, offset: u64, len: u64) -> std::io::Result<()> {
        self.inner.discard(offset, len)
    }
}

/// Eight writable snapshots (`lvcreate -s` makes them writable) cost a first origin write
/// one copy, as one snapshot does: the newest takes it and the others borrow it. Each
/// then still reads its own point in time, and writing into them keeps the others intact.
#[test]
fn eight_writable_snapshots_take_one_copy_of_a_chunk() {
    let size = MIB;
    let written_by_first_writes = |n: usize| {
        let dev = Arc::new(Counting {
            inner: rvm::block::MemDevice::new("pv", 64 * MIB),
            written: Default::default(),
        });
        let mut rig = Rig::new(dev.clone(), size);
        let origin = rig.open();
        origin
            .write_at(&pattern(1, 0, size as usize), 0, false)
            .unwrap();
        let snaps: Vec<_> = (0..n)
            .map(|_| rig.snapshot(&origin, 2 * MIB, 4096, false))
            .collect();
        origin.flush().unwrap();
        let before = dev.written.load(std::sync::atomic::Ordering::Relaxed);
        origin
            .write_at(&pattern(2, 0, size as usize), 0, false)
            .unwrap();
        origin.flush().unwrap();
        let bytes = dev.written.load(std::sync::atomic::Ordering::Relaxed) - before;
        let base = pattern(1, 0, size as usize);
        for (i, s) in snaps.iter().enumerate() {
            assert_same(&format!("snapshot {i} of {n}"), &read_all(s), &base);
        }
        // Writing into the owner's copies and into borrowed ones changes only the writer.
        let mut want = vec![base.clone(); n];
        for (i, s) in snaps.iter().enumerate().rev().step_by(3) {
            let d = pattern(10 + i as u32, 4096 * i as u64, 64 * 1024);
            s.write_at(&d, 4096 * i as u64, false).unwrap();
            want[i][4096 * i..4096 * i + d.len()].copy_from_slice(&d);
        }
        origin.flush().unwrap();
        for (i, s) in snaps.iter().enumerate() {
            assert!(s.status().valid, "snapshot {i} of {n} overflowed");
            assert_same(
                &format!("snapshot {i} of {n}, after writes"),
                &read_all(s),
                &want[i],
            );
        }
        origin.close().unwrap();
        drop(snaps);
        let origin = rig.open();
        for (i, id) in origin.snapshot_ids().iter().enumerate() {
            let s = origin.snapshot(id).unwrap();
            assert_same(
                &format!("snapshot {i} of {n}, reopened"),
                &read_all(&s),
                &want[i],
            );
        }
        bytes
    };
    let one = written_by_first_writes(1);
    let eight = written_by_first_writes(8);
    // The origin's megabyte and one copy of it, plus log and header sectors.
    assert!(one >= 2 * size, "one snapshot: {one} bytes written");
    assert!(
        eight < one + size / 4,
        "eight snapshots wrote {eight} bytes for first writes, one wrote {one}"
    );
}
