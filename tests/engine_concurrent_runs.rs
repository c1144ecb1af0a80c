//! Large origin writes and snapshot reads from many threads at once, with snapshots of
//! different chunk sizes: the data path batches runs of units under their locks and must
//! neither deadlock nor lose a byte. Every snapshot keeps reading its
//! point in time while the origin changes under it.

mod engine_support;
use engine_support::*;
use rvm::engine::Volume;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SIZE: u64 = 16 * MIB;
const WRITERS: u64 = 4;

#[test]
fn big_writes_and_snapshot_reads_in_parallel_keep_every_point_in_time() {
    let mut rig = Rig::mem(256 * MIB, SIZE);
    let origin = rig.open();
    let base = pattern(1, 0, SIZE as usize);
    origin.write_at(&base, 0, false).unwrap();
    let s4 = rig.snapshot(&origin, 24 * MIB, 4096, false);
    // A second snapshot with bigger chunks makes the lock unit 64 KiB.
    let s64 = rig.snapshot(&origin, 24 * MIB, 65536, true);
    let origin = Arc::new(origin);
    let until = Instant::now() + Duration::from_secs(2);
    let mut threads = Vec::new();
    // Writers own a quarter of the origin each, so the final content is known.
    for w in 0..WRITERS {
        let o = origin.clone();
        threads.push(std::thread::spawn(move || {
            let span = SIZE / WRITERS;
            let mut rng = Rng(w + 7);
            let mut model = pattern(1, w * span, span as usize);
            let mut tag = 100 + w as u32 * 1_000_000;
            while Instant::now() < until {
                let len = 512 * (1 + rng.below(2048)) as usize;
                let len = len.min(span as usize);
                let at = 512 * rng.below((span - len as u64) / 512 + 1);
                let data = pattern(tag, w * span + at, len);
                o.write_at(&data, w * span + at, rng.below(8) == 0).unwrap();
                model[at as usize..at as usize + len].copy_from_slice(&data);
                tag += 1;
            }
            model
        }));
    }
    let mut readers = Vec::new();
    for (i, snap) in [Arc::new(s4), Arc::new(s64)].into_iter().enumerate() {
        let base = base.clone();
        readers.push(std::thread::spawn(move || {
            let mut rng = Rng(i as u64 + 99);
            let mut reads = 0;
            while Instant::now() < until {
                let len = 4096 * (1 + rng.below(512)) as usize;
                let at = 4096 * rng.below((SIZE - len as u64) / 4096 + 1);
                let mut buf = vec![0u8; len];
                snap.read_at(&mut buf, at).unwrap();
                assert!(
                    buf == base[at as usize..at as usize + len],
                    "snapshot {i} changed at {at}+{len}"
                );
                reads += 1;
            }
            (snap, reads)
        }));
    }
    let mut want = Vec::new();
    for t in threads {
        want.extend(t.join().unwrap());
    }
    let mut snaps = Vec::new();
    for r in readers {
        let (s, reads) = r.join().unwrap();
        assert!(reads > 10, "a reader made only {reads} reads");
        snaps.push(s);
    }
    assert_same("origin", &read_all(origin.as_ref()), &want);
    for s in &snaps {
        assert_same("snapshot", &read_all(s.as_ref()), &base);
    }
    origin.flush().unwrap();
    origin.close().unwrap();
    // After a reopen everything is still there, as flushed.
    let origin = rig.open();
    assert_same("origin after reopen", &read_all(&origin), &want);
}
