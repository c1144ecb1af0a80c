//! The store's bytes on a PV, as docs/format-snapshot.md describes them, and the
//! self-identification that keeps stale tables and torn blocks out.

mod engine_support;
use engine_support::*;
use rvm::block::BlockDevice;
use rvm::engine::{read_snapshot_status, Volume};
use rvm::format::cow::{decode_header, decode_log_sector, Entry};

fn raw(pv: &dyn BlockDevice, off: u64, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len];
    pv.read_at(&mut b, off).unwrap();
    b
}

#[test]
fn a_new_store_and_its_first_commit_on_disk() {
    let mut rig = Rig::mem(64 * MIB, 4 * MIB);
    let origin = rig.open();
    let old = pattern(1, 5 * 4096, 4096);
    origin.write_at(&old, 5 * 4096, false).unwrap();
    let snap = rig.snapshot(&origin, 2 * MIB, 4096, true);
    let at = rig.host.specs()[0].pieces[0].dev_offset;
    let h = decode_header(&raw(&*rig.pv, at, 512), 0).unwrap();
    assert_eq!(h.seqno, 2);
    assert_eq!(&h.snapshot, snap.id().as_bytes());
    assert_eq!(&h.origin, rig.origin.id.as_bytes());
    assert_eq!((h.chunk_size, h.store_id, h.area_sectors), (4096, 1, 128));
    assert_eq!(h.store_chunks, 512);
    assert_eq!(h.used_chunks, 17, "header chunk and one 64 KiB area");
    assert_eq!(
        raw(&*rig.pv, at + 512, 512),
        vec![0; 512],
        "second slot empty"
    );
    assert!(
        raw(&*rig.pv, at + 4096, 65536).iter().all(|&b| b == 0),
        "area zeroed"
    );

    origin
        .write_at(&pattern(2, 5 * 4096, 4096), 5 * 4096, false)
        .unwrap();
    origin.flush().unwrap();
    let h2 = decode_header(&raw(&*rig.pv, at + 512, 512), 512).unwrap();
    assert_eq!(
        (h2.seqno, h2.exceptions, h2.used_chunks, h2.log_seqno),
        (3, 1, 18, 1)
    );
    assert_eq!(h2.generation, h.generation);
    let log = decode_log_sector(&raw(&*rig.pv, at + 4096, 512), 4096, h.generation).unwrap();
    assert_eq!(
        (log.seqno, log.index, log.count, log.next_area),
        (1, 0, 1, 0)
    );
    assert_eq!(
        log.entries,
        vec![Entry::Exception {
            origin_chunk: 5,
            store_id: 1,
            store_generation: h.generation,
            store_chunk: 17,
        }]
    );
    assert_eq!(
        raw(&*rig.pv, at + 17 * 4096, 4096),
        old,
        "the copy, in chunk 17"
    );
    let st = read_snapshot_status(&snap.id(), &rig.host.specs()[0].pieces).unwrap();
    assert_eq!(
        (st.exceptions, st.used_chunks, st.store_chunks),
        (1, 18, 512)
    );
    assert!(st.valid && !st.merging);
}

#[test]
fn a_store_on_reused_extents_ignores_the_old_table() {
    let mut rig = Rig::mem(64 * MIB, 4 * MIB);
    let origin = rig.open();
    let first = rig.snapshot(&origin, 2 * MIB, 4096, true);
    let at = rig.host.specs()[0].pieces[0].dev_offset;
    for i in 0..100u64 {
        origin
            .write_at(&pattern(3, i * 4096, 4096), i * 4096, false)
            .unwrap();
    }
    origin.flush().unwrap();
    assert_eq!(first.status().exceptions, 100);
    rig.remove(&origin, &first.id());
    // The next store lands on exactly the same extents, the old log still there.
    rig.host.model.lock().unwrap().next_free = at;
    let second = rig.snapshot(&origin, 2 * MIB, 4096, true);
    assert_eq!(rig.host.specs()[0].pieces[0].dev_offset, at);
    assert_eq!(second.status().exceptions, 0);
    let now = read_all(&origin);
    assert_same("second", &read_all(&second), &now);
    origin.close().unwrap();
    drop((origin, second, first));
    let origin = rig.open();
    let second = origin.snapshot(&origin.snapshot_ids()[0]).unwrap();
    assert_eq!(second.status().exceptions, 0, "nothing stale replayed");
    assert_same("second, reopened", &read_all(&second), &now);
}

#[test]
fn a_torn_commit_never_loses_an_earlier_one() {
    let mut rig = Rig::mem(64 * MIB, 4 * MIB);
    let origin = rig.open();
    let base = pattern(1, 0, 4 << 20);
    origin.write_at(&base, 0, false).unwrap();
    let snap = rig.snapshot(&origin, 2 * MIB, 4096, true);
    let at = rig.host.specs()[0].pieces[0].dev_offset;
    // First commit: 20 exceptions over two log sectors.
    for i in 0..20u64 {
        origin
            .write_at(&pattern(2, i * 4096, 4096), i * 4096, false)
            .unwrap();
    }
    origin.flush().unwrap();
    // Second commit: 5 more.
    for i in 20..25u64 {
        origin
            .write_at(&pattern(2, i * 4096, 4096), i * 4096, false)
            .unwrap();
    }
    origin.flush().unwrap();
    assert_eq!(snap.status().exceptions, 25);
    origin.close().unwrap();
    drop((origin, snap));
    // Tear the second commit's sector (sector 2 of the area) as a torn write would.
    let sector = at + 4096 + 2 * 512;
    let mut bytes = raw(&*rig.pv, sector, 512);
    bytes[100] ^= 0xff;
    rig.pv.write_at(&bytes, sector).unwrap();
    let origin = rig.open();
    let snap = origin.snapshot(&origin.snapshot_ids()[0]).unwrap();
    assert_eq!(
        snap.status().exceptions,
        20,
        "the first commit survives whole"
    );
    // Damage the second header slot as well: the first still identifies the store.
    let mut h = raw(&*rig.pv, at + 512, 512);
    h[40] ^= 1;
    rig.pv.write_at(&h, at + 512).unwrap();
    origin.close().unwrap();
    drop((origin, snap));
    let origin = rig.open();
    assert_eq!(origin.snapshot_ids().len(), 1);
}
