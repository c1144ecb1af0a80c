//! A merge interrupted by power failure at a random point resumes at the next open and
//! ends with the origin equal to the snapshot, plus every flushed origin write made
//! during the merge; another snapshot keeps its point in time throughout.

mod engine_support;
use engine_support::*;
use rvm::block::{CrashPlan, FaultDomain};
use rvm::engine::Volume;
use std::time::Duration;

fn run(seed: u64) {
    let dom = FaultDomain::new(seed);
    let mut rig = Rig::faulty(&dom, 64 * MIB, 2 * MIB);
    rig.settings.merge_commit_chunks = 8;
    rig.settings.max_held_bytes = 64 << 10;
    let origin = rig.open();
    let size = origin.size();
    let base = pattern(1, 0, size as usize);
    origin.write_at(&base, 0, false).unwrap();
    let m = rig.snapshot(&origin, 4 * MIB, [4096, 8192][seed as usize % 2], true);
    let mut rng = Rng(seed);
    let mut now = base.clone();
    for i in 0..120u32 {
        let len = [4096usize, 512, 12288][rng.below(3) as usize];
        let off = rng.below(size - len as u64) / 512 * 512;
        let d = pattern(10 + i, off, len);
        origin.write_at(&d, off, false).unwrap();
        now[off as usize..off as usize + len].copy_from_slice(&d);
    }
    let other = rig.snapshot(&origin, 4 * MIB, 4096, true);
    origin.flush().unwrap();
    let plan = match seed % 3 {
        0 => CrashPlan::drop_all(),
        1 => CrashPlan {
            keep: 0.5,
            reorder: true,
            tear: true,
        },
        _ => CrashPlan {
            keep: 0.7,
            reorder: false,
            tear: true,
        },
    };
    dom.crash_randomly_within(400, plan);
    // During the merge: origin writes, some flushed. `flushed` is the content a flush
    // made durable; `latest` what the engine showed.
    let mut flushed = base.clone();
    let mut latest = base.clone();
    let mut unflushed: Vec<(u64, usize)> = Vec::new();
    if origin.start_merge(&m.id()).is_ok() {
        for i in 0..200u32 {
            let len = [4096usize, 512][rng.below(2) as usize];
            let off = rng.below(size - len as u64) / 512 * 512;
            let d = pattern(1000 + i, off, len);
            // A write that fails may still have reached the disk.
            unflushed.push((off, len));
            if origin.write_at(&d, off, false).is_err() {
                break;
            }
            latest[off as usize..off as usize + len].copy_from_slice(&d);
            if i % 25 == 24 {
                if origin.flush().is_err() {
                    break;
                }
                flushed = latest.clone();
                unflushed.clear();
            }
        }
    }
    if origin.close().is_ok() {
        flushed = latest.clone();
        unflushed.clear();
    }
    drop((origin, m, other));
    dom.crash_now(plan);
    dom.revive();

    let origin = rig.open();
    assert!(
        origin.wait_merge(Duration::from_secs(60)),
        "seed {seed}: merge did not finish"
    );
    let got = read_all(&origin);
    // Sectors no unflushed write touched are exactly the flushed content; the others hold
    // the flushed content or one of the writes made after it.
    let mut touched = vec![false; size as usize / 512];
    for &(off, len) in &unflushed {
        touched[off as usize / 512..(off as usize + len) / 512].fill(true);
    }
    for (s, sec) in got.chunks(512).enumerate() {
        let at = s * 512;
        if touched[s] {
            let written = unflushed.iter().any(|&(off, len)| {
                (off as usize..off as usize + len).contains(&at)
                    && (0..200u32).any(|t| sec == &pattern(1000 + t, at as u64, 512)[..])
            });
            assert!(
                written || sec == &flushed[at..at + 512],
                "seed {seed}: origin sector {s} is neither flushed nor a later write"
            );
        } else {
            if sec != &flushed[at..at + 512] {
                let mut w = [0u8; 8];
                w.copy_from_slice(&sec[..8]);
                let tag = (u64::from_le_bytes(w) ^ at as u64) >> 40;
                panic!(
                    "seed {seed}: origin sector {s} differs: holds tag {tag}, is now {}, is base {}, merging ok {:?}",
                    sec == &now[at..at + 512],
                    sec == &base[at..at + 512],
                    rig.host.model.lock().unwrap().finished
                );
            }
        }
    }
    let ids = origin.snapshot_ids();
    assert_eq!(ids.len(), 1, "seed {seed}: the merged snapshot is gone");
    let other = origin.snapshot(&ids[0]).unwrap();
    assert_same(
        &format!("seed {seed}: other snapshot"),
        &read_all(&other),
        &now,
    );
}

#[test]
fn interrupted_merges_resume_to_the_right_result() {
    let seeds: u64 = std::env::var("RVM_CRASH_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    for seed in 0..seeds {
        run(seed);
    }
}
