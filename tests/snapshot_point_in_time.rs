//! Several snapshots of one origin each keep their point in time, byte for byte, through
//! writes of every size and alignment, across reopen, with mixed chunk sizes.

mod engine_support;
use engine_support::*;
use rvm::engine::Volume;

#[test]
fn every_snapshot_keeps_its_point_in_time() {
    let mut rig = Rig::mem(128 * MIB, 8 * MIB);
    let origin = rig.open();
    let mut model = vec![0u8; 8 << 20];
    let mut rng = Rng(42);
    let mut snaps = Vec::new();
    let chunk_sizes = [4096u64, 65536, 4096, 8192];
    for round in 0..4u32 {
        let snap = rig.snapshot(&origin, 12 * MIB, chunk_sizes[round as usize], true);
        snaps.push((snap, model.clone()));
        for i in 0..300u32 {
            let len = [512usize, 4096, 8192, 12288, 70000][rng.below(5) as usize];
            let off = rng.below(model.len() as u64 - len as u64) / 512 * 512;
            let data = pattern(round * 1000 + i, off, len);
            origin.write_at(&data, off, false).unwrap();
            model[off as usize..off as usize + len].copy_from_slice(&data);
        }
    }
    assert_same("origin", &read_all(&origin), &model);
    for (i, (s, want)) in snaps.iter().enumerate() {
        assert_same(&format!("snapshot {i}"), &read_all(s), want);
    }
    origin.close().unwrap();
    drop(origin);
    let origin = rig.open();
    assert_same("origin after reopen", &read_all(&origin), &model);
    for (i, (s, want)) in snaps.iter().enumerate() {
        let s = origin.snapshot(&s.id()).unwrap();
        assert_same(&format!("snapshot {i} after reopen"), &read_all(&s), want);
        assert!(s.read_only());
        assert!(matches!(
            s.write_at(&[1; 512], 0, false),
            Err(rvm::engine::VolumeError::ReadOnly)
        ));
    }
}

#[test]
fn one_copy_serves_every_snapshot_that_lacks_the_chunk() {
    let mut rig = Rig::mem(256 * MIB, 16 * MIB);
    let origin = rig.open();
    let snaps: Vec<_> = (0..8)
        .map(|_| rig.snapshot(&origin, 8 * MIB, 4096, true))
        .collect();
    let mut rng = Rng(7);
    for i in 0..500u32 {
        let off = rng.below(4096) * 4096;
        origin.write_at(&pattern(i, off, 4096), off, false).unwrap();
    }
    origin.flush().unwrap();
    let st: Vec<_> = snaps.iter().map(|s| s.status()).collect();
    let newest = &st[7];
    for s in &st {
        assert_eq!(s.exceptions, newest.exceptions, "all lack the same chunks");
    }
    // The newest store holds the copies; the others only account for them.
    let area = 16; // 64 KiB of log area in 4 KiB chunks
    assert!(newest.exceptions > 400);
    for s in &st[..7] {
        assert_eq!(
            s.used_chunks,
            1 + area + s.exceptions,
            "borrowed, accounted"
        );
    }
    let pv_used = rig.host.model.lock().unwrap().pv.len().unwrap();
    assert!(pv_used > 0);
    // Copies were made once: 500 writes, at most 500 chunk copies, in one store.
    assert!(newest.used_chunks <= 1 + area + newest.exceptions + area);
}

#[test]
fn concurrent_writers_and_readers_see_no_torn_copy() {
    let mut rig = Rig::mem(128 * MIB, 4 * MIB);
    let origin = rig.open();
    let base: Vec<u8> = pattern(1, 0, 4 << 20);
    origin.write_at(&base, 0, false).unwrap();
    let snap = rig.snapshot(&origin, 16 * MIB, 4096, true);
    std::thread::scope(|s| {
        for t in 0..4u32 {
            let origin = origin.clone();
            s.spawn(move || {
                let mut rng = Rng(t as u64);
                for i in 0..2000u32 {
                    let off = rng.below(1024) * 4096 + rng.below(8) * 512;
                    let data = pattern(100 + t * 10000 + i, off, 512);
                    origin.write_at(&data, off, false).unwrap();
                }
            });
        }
        for t in 0..2u64 {
            let snap = snap.clone();
            let base = &base;
            s.spawn(move || {
                let mut rng = Rng(99 + t);
                let mut buf = vec![0u8; 4096];
                for _ in 0..3000 {
                    let off = rng.below(1024) * 4096;
                    snap.read_at(&mut buf, off).unwrap();
                    assert!(buf[..] == base[off as usize..off as usize + 4096]);
                }
            });
        }
    });
    assert_same("snapshot", &read_all(&snap), &base);
}
