//! The write log replays exactly what the fault domain's own crashes leave, and its
//! outcomes cover drops, subsets, tears and reorders.

use super::*;
use crate::block::{CrashPlan, FaultDomain, MemDevice};

fn read(dev: &dyn BlockDevice, offset: u64, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len];
    dev.read_at(&mut b, offset).unwrap();
    b
}

fn fresh(n: usize, size: u64) -> Vec<Arc<dyn BlockDevice>> {
    (0..n)
        .map(|i| Arc::new(MemDevice::new(&format!("r{i}"), size)) as Arc<dyn BlockDevice>)
        .collect()
}

/// Two devices, writes on both, flushes of one: a log with every kind of boundary.
fn workload(
    dom: &Arc<FaultDomain>,
) -> (
    Arc<crate::block::FaultDevice>,
    Arc<crate::block::FaultDevice>,
) {
    let a = dom.mem("a", 1 << 16);
    let b = dom.mem("b", 1 << 16);
    a.write_at(&[1; 1024], 0).unwrap(); // 1
    b.write_at(&[2; 512], 512).unwrap(); // 2
    a.flush().unwrap(); // 3: a's write durable, b's not
    a.write_at(&[3; 2048], 1024).unwrap(); // 4
    b.discard(512, 512).unwrap(); // 5
    b.flush().unwrap(); // 6: b's write and discard durable
    a.write_at(&[4; 512], 0).unwrap(); // 7
    (a, b)
}

#[test]
fn cuts_match_the_fault_domains_own_crashes() {
    let rec = FaultDomain::new(7);
    rec.record_data(true);
    workload(&rec);
    let log = WriteLog::from_records(&rec.log()).unwrap();
    assert_eq!(log.len(), 7);
    assert_eq!(log.flush_points(), vec![3, 6]);
    for n in 0..=log.len() {
        for keep_all in [false, true] {
            // The fault domain crashing just after mutation n...
            let dom = FaultDomain::new(7);
            dom.crash_at(
                n as u64 + 1,
                CrashPlan {
                    keep: if keep_all { 1.0 } else { 0.0 },
                    reorder: false,
                    tear: false,
                },
            );
            let a = dom.mem("a", 1 << 16);
            let b = dom.mem("b", 1 << 16);
            let ops: Vec<Box<dyn Fn() -> std::io::Result<()>>> = vec![
                Box::new(|| a.write_at(&[1; 1024], 0)),
                Box::new(|| b.write_at(&[2; 512], 512)),
                Box::new(|| a.flush()),
                Box::new(|| a.write_at(&[3; 2048], 1024)),
                Box::new(|| b.discard(512, 512)),
                Box::new(|| b.flush()),
                Box::new(|| a.write_at(&[4; 512], 0)),
            ];
            for op in &ops {
                if op().is_err() {
                    break;
                }
            }
            if !dom.crashed() {
                dom.crash_now(CrashPlan {
                    keep: if keep_all { 1.0 } else { 0.0 },
                    reorder: false,
                    tear: false,
                });
            }
            dom.revive();
            // ...equals the replay of the cut.
            let cut = log.cut(n);
            let devs = fresh(2, 1 << 16);
            let survivors = if keep_all {
                cut.keep_all()
            } else {
                cut.drop_all()
            };
            cut.apply(&devs, &survivors).unwrap();
            assert_eq!(
                read(&*devs[0], 0, 1 << 16),
                read(&*a, 0, 1 << 16),
                "a at {n}"
            );
            assert_eq!(
                read(&*devs[1], 0, 1 << 16),
                read(&*b, 0, 1 << 16),
                "b at {n}"
            );
        }
    }
}

#[test]
fn pending_writes_are_per_device() {
    let rec = FaultDomain::new(1);
    rec.record_data(true);
    workload(&rec);
    let log = WriteLog::from_records(&rec.log()).unwrap();
    let cut = log.cut(5);
    // a's first write is durable (flush 3); b's write and discard and a's second are not.
    assert_eq!(
        cut.durable.iter().map(|w| w.seq).collect::<Vec<_>>(),
        vec![1]
    );
    assert_eq!(
        cut.pending.iter().map(|w| w.seq).collect::<Vec<_>>(),
        vec![2, 4, 5]
    );
    assert_eq!(cut.all_subsets(3).unwrap().len(), 8);
    assert!(cut.all_subsets(2).is_none());
}

#[test]
fn tears_keep_whole_sectors_only() {
    let rec = FaultDomain::new(1);
    rec.record_data(true);
    let a = rec.mem("a", 1 << 16);
    a.write_at(&[9; 4096], 4096).unwrap();
    let log = WriteLog::from_records(&rec.log()).unwrap();
    let cut = log.cut(1);
    let outcomes = cut.torn_prefixes(100);
    assert_eq!(outcomes.len(), 7, "one per sector boundary");
    for (i, o) in outcomes.iter().enumerate() {
        let devs = fresh(1, 1 << 16);
        cut.apply(&devs, o).unwrap();
        let got = read(&*devs[0], 4096, 4096);
        let kept = (i + 1) * SECTOR;
        assert!(got[..kept].iter().all(|&b| b == 9));
        assert!(got[kept..].iter().all(|&b| b == 0));
    }
    // Random outcomes: every sector holds the old or the new value.
    let mut rng = SplitMix(5);
    for _ in 0..50 {
        let o = cut.random(
            &mut rng,
            Chaos {
                keep: 0.7,
                tear: 0.8,
                reorder: true,
            },
        );
        let devs = fresh(1, 1 << 16);
        cut.apply(&devs, &o).unwrap();
        for s in read(&*devs[0], 4096, 4096).chunks(SECTOR) {
            assert!(s.iter().all(|&b| b == 9) || s.iter().all(|&b| b == 0));
        }
    }
}

#[test]
fn reordered_overlapping_writes_can_leave_the_older_value() {
    let rec = FaultDomain::new(1);
    rec.record_data(true);
    let a = rec.mem("a", 1 << 16);
    a.write_at(&[1; 512], 0).unwrap();
    a.write_at(&[2; 512], 0).unwrap();
    let log = WriteLog::from_records(&rec.log()).unwrap();
    let cut = log.cut(2);
    let mut seen = std::collections::HashSet::new();
    let mut rng = SplitMix(9);
    for _ in 0..200 {
        let o = cut.random(
            &mut rng,
            Chaos {
                keep: 0.8,
                tear: 0.0,
                reorder: true,
            },
        );
        let devs = fresh(1, 1 << 16);
        cut.apply(&devs, &o).unwrap();
        seen.insert(read(&*devs[0], 0, 1)[0]);
    }
    assert_eq!(
        seen.len(),
        3,
        "old, first and second value all occur: {seen:?}"
    );
}

#[test]
fn a_log_without_data_is_refused() {
    let rec = FaultDomain::new(1);
    let a = rec.mem("a", 1 << 16);
    a.write_at(&[1; 512], 0).unwrap();
    assert!(WriteLog::from_records(&rec.log()).is_err());
}
