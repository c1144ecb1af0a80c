//! Never stale data. Whatever an older LV left on the extents a new LV (or an LV's new
//! extents) gets, the new ones read as zeros; a new snapshot never picks up an exception
//! table an older store left on the extents it reuses, not even when its creation is
//! interrupted by a crash at any write.

mod common;
mod engine_support;
use common::*;
use engine_support::{pattern, read_all, Rig};
use rvm::block::{CrashPlan, FaultDomain};
use rvm::engine::{SnapshotSpec, Volume};
use std::os::unix::fs::FileExt;

/// (PV path, first extent, extents) of each segment of `vg/lv`, from `lvs`.
fn segments(s: &Sandbox, vg: &str, lv: &str) -> Vec<(String, u64, u64)> {
    let out = s.ok(&[
        "lvs",
        "--noheadings",
        "--segments",
        "-o",
        "seg_pe_ranges",
        &format!("{vg}/{lv}"),
    ]);
    let mut segs = Vec::new();
    for range in out.split_whitespace() {
        let (path, r) = range.rsplit_once(':').unwrap();
        let (a, b) = r.split_once('-').unwrap();
        let (a, b): (u64, u64) = (a.parse().unwrap(), b.parse().unwrap());
        segs.push((path.to_string(), a, b - a + 1));
    }
    assert!(!segs.is_empty(), "no segments for {vg}/{lv}: {out:?}");
    segs
}

fn pe_start(s: &Sandbox, pv: &str) -> u64 {
    let out = s.ok(&[
        "pvs",
        "--noheadings",
        "--nosuffix",
        "--units",
        "b",
        "-o",
        "pe_start",
        pv,
    ]);
    out.trim().parse().unwrap()
}

/// Reads or fills an LV's extents straight in its PV files.
fn each_extent(s: &Sandbox, vg: &str, lv: &str, es: u64, mut f: impl FnMut(&std::fs::File, u64)) {
    for (path, first, count) in segments(s, vg, lv) {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let base = pe_start(s, &path);
        for e in first..first + count {
            f(&file, base + e * es);
        }
    }
}

#[test]
fn new_and_extended_lvs_read_zeros_on_extents_an_older_lv_used() {
    let s = Sandbox::new();
    s.vg("vg", 2, 64 * MIB);
    let es = 4 * MIB;
    // Two LVs filled with data, spanning both PVs, then removed.
    s.ok(&["lvcreate", "-L", "60m", "-n", "old1", "vg"]);
    s.ok(&["lvcreate", "-L", "40m", "-n", "old2", "vg"]);
    for lv in ["old1", "old2"] {
        each_extent(&s, "vg", lv, es, |f, at| {
            f.write_all_at(&vec![0xee; es as usize], at).unwrap();
        });
    }
    s.ok(&["lvremove", "-f", "vg/old1"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "keep", "vg"]);
    s.ok(&["lvremove", "-f", "vg/old2"]);
    // A new LV and an extension land on those extents: every byte reads zero.
    s.ok(&["lvcreate", "-L", "48m", "-n", "new", "vg"]);
    s.ok(&["lvextend", "-L", "+40m", "vg/keep"]);
    let mut checked = 0;
    for lv in ["new", "keep"] {
        each_extent(&s, "vg", lv, es, |f, at| {
            let mut b = vec![0u8; es as usize];
            f.read_exact_at(&mut b, at).unwrap();
            assert!(
                b.iter().all(|&x| x == 0),
                "vg/{lv}: extent at byte {at} holds an older LV's data"
            );
            checked += 1;
        });
    }
    assert!(checked >= 20, "only {checked} extents checked");
}

/// A store's extents reused by a new snapshot after the old one was removed: the old log
/// is still on disk, with valid checksums, and must not be read as the new one's.
#[test]
fn a_new_snapshot_ignores_an_old_exception_table_on_its_extents() {
    let mut rig = Rig::mem(64 << 20, 2 << 20);
    let origin = rig.open();
    let size = origin.size() as usize;
    origin.write_at(&pattern(1, 0, size), 0, false).unwrap();
    let old = rig.snapshot(&origin, 4 << 20, 4096, true);
    let store = rig.host.specs()[0].pieces.clone();
    for i in 0..64u64 {
        let off = i * 3 * 4096 % size as u64;
        origin.write_at(&pattern(2, off, 4096), off, false).unwrap();
    }
    origin.flush().unwrap();
    let old_id = old.id();
    drop(old);
    rig.remove(&origin, &old_id);
    let now = read_all(&origin);
    // Same extents, same store id: only the store's generation tells them apart.
    let mut spec: SnapshotSpec = rig.snapshot_spec(4 << 20, 4096, true);
    spec.pieces = store.clone();
    spec.info.store_id = 1;
    rig.host.model.lock().unwrap().snaps[0] = spec.clone();
    let new = origin.create_snapshot(spec.clone()).unwrap();
    assert!(
        read_all(&new) == now,
        "the new snapshot is not the origin's present"
    );
    origin.close().unwrap();
    drop((new, origin));
    let origin = rig.open();
    let new = origin.snapshot(&spec.id).unwrap();
    assert!(new.status().valid);
    assert_eq!(
        new.status().exceptions,
        0,
        "the old exceptions were replayed"
    );
    assert!(
        read_all(&new) == now,
        "after reopening, the new snapshot is not its point in time"
    );
}

/// The same reuse, with power failing at each write of the new snapshot's creation: after
/// reopening, the new snapshot is either invalid (its creation never finished) or exactly
/// its point in time; never the old snapshot's table.
#[test]
fn an_interrupted_snapshot_creation_never_inherits_an_old_table() {
    let mut crashes = 0;
    for at in 1u64.. {
        let dom = FaultDomain::new(at);
        let mut rig = Rig::faulty(&dom, 32 << 20, 1 << 20);
        let origin = rig.open();
        let size = origin.size() as usize;
        origin.write_at(&pattern(1, 0, size), 0, false).unwrap();
        let old = rig.snapshot(&origin, 2 << 20, 4096, true);
        let store = rig.host.specs()[0].pieces.clone();
        for i in 0..32u64 {
            let off = i * 5 * 4096 % size as u64;
            origin.write_at(&pattern(2, off, 4096), off, false).unwrap();
        }
        origin.flush().unwrap();
        let old_id = old.id();
        drop(old);
        rig.remove(&origin, &old_id);
        let now = read_all(&origin);
        let mut spec = rig.snapshot_spec(2 << 20, 4096, true);
        spec.pieces = store;
        spec.info.store_id = 1;
        rig.host.model.lock().unwrap().snaps[0] = spec.clone();
        let before = dom.mutations();
        dom.crash_at(
            before + at,
            CrashPlan {
                keep: 0.5,
                reorder: true,
                tear: true,
            },
        );
        let created = origin.create_snapshot(spec.clone());
        let finished = !dom.crashed();
        if finished {
            // The whole creation ran before the crash point: the sweep is complete.
            assert!(created.is_ok());
            break;
        }
        drop(created);
        let _ = origin.close();
        drop(origin);
        dom.revive();
        crashes += 1;
        let origin = rig.open();
        let new = origin.snapshot(&spec.id).unwrap();
        if new.status().valid {
            assert_eq!(
                new.status().exceptions,
                0,
                "crash at {at}: old exceptions replayed"
            );
            assert!(
                read_all(&new) == now,
                "crash at {at}: not the point in time"
            );
        } else {
            let mut b = [0u8; 512];
            assert!(
                new.read_at(&mut b, 0).is_err(),
                "crash at {at}: invalid yet readable"
            );
        }
        assert!(
            read_all(&origin) == now,
            "crash at {at}: the origin changed"
        );
    }
    assert!(
        crashes >= 3,
        "only {crashes} crash points in a snapshot creation"
    );
}
