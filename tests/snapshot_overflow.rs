//! A full store invalidates its snapshot durably while origin writes go on; auto-extend
//! and lvextend grow stores before that happens.

mod engine_support;
use engine_support::*;
use rvm::engine::{read_snapshot_status, Volume, VolumeError};

#[test]
fn overflow_invalidates_durably_and_the_origin_write_succeeds() {
    let mut rig = Rig::mem(64 * MIB, 8 * MIB);
    let origin = rig.open();
    let small = rig.snapshot(&origin, MIB, 4096, true);
    let big = rig.snapshot(&origin, 12 * MIB, 4096, true);
    let base = read_all(&origin);
    let mut model = base.clone();
    for i in 0..512u64 {
        let d = pattern(i as u32, i * 4096, 4096);
        origin.write_at(&d, i * 4096, false).unwrap();
        model[(i * 4096) as usize..((i + 1) * 4096) as usize].copy_from_slice(&d);
    }
    origin.flush().unwrap();
    assert!(!small.status().valid);
    assert_eq!(small.status().data_percent(), 100.0);
    assert!(matches!(
        small.read_at(&mut [0; 512], 0),
        Err(VolumeError::Invalid)
    ));
    assert!(big.status().valid, "the other snapshot keeps going");
    assert_same("big", &read_all(&big), &base);
    assert_same("origin", &read_all(&origin), &model);
    let small_spec = rig
        .host
        .specs()
        .into_iter()
        .find(|s| s.id == small.id())
        .unwrap();
    let offline = read_snapshot_status(&small.id(), &small_spec.pieces).unwrap();
    assert!(!offline.valid, "the header says invalid");
    origin.close().unwrap();
    drop((origin, small, big));
    let origin = rig.open();
    let small = origin.snapshot(&small_spec.id).unwrap();
    assert!(!small.status().valid, "invalid across reopen");
    assert!(matches!(
        small.read_at(&mut [0; 512], 0),
        Err(VolumeError::Invalid)
    ));
    assert!(matches!(
        origin.start_merge(&small_spec.id),
        Err(rvm::engine::EngineError::MergeInvalid(_))
    ));
}

#[test]
fn auto_extend_grows_the_store_before_it_fills() {
    let mut rig = Rig::mem(128 * MIB, 16 * MIB);
    rig.settings.autoextend_threshold = 70;
    rig.settings.autoextend_percent = 50;
    let origin = rig.open();
    let base = read_all(&origin);
    let snap = rig.snapshot(&origin, MIB, 4096, true);
    for i in 0..2048u64 {
        origin
            .write_at(&pattern(1, i * 4096, 4096), i * 4096, false)
            .unwrap();
        if i % 256 == 0 {
            origin.flush().unwrap();
        }
    }
    origin.flush().unwrap();
    let st = snap.status();
    assert!(st.valid, "auto-extend kept it valid: {st:?}");
    assert!(rig.host.model.lock().unwrap().extends > 0);
    assert!(st.store_chunks > 256, "store grew: {st:?}");
    assert_same("snapshot", &read_all(&snap), &base);
    origin.close().unwrap();
    drop((origin, snap));
    let origin = rig.open();
    let id = origin.snapshot_ids()[0];
    assert_same("reopened", &read_all(&origin.snapshot(&id).unwrap()), &base);
}

#[test]
fn lvextend_grows_a_store_live() {
    let mut rig = Rig::mem(64 * MIB, 4 * MIB);
    let origin = rig.open();
    let snap = rig.snapshot(&origin, MIB, 4096, true);
    let before = snap.status();
    let extra = rig.host.alloc(3 * MIB).unwrap();
    let mut pieces = rig.host.specs()[0].pieces.clone();
    let mut extra = extra;
    extra.lv_offset = 1 << 20;
    pieces.push(extra);
    origin.resize_snapshot(&snap.id(), pieces.clone()).unwrap();
    rig.host.model.lock().unwrap().snaps[0].pieces = pieces;
    assert_eq!(snap.status().store_chunks, before.store_chunks * 4);
    let base = read_all(&origin);
    for i in 0..600u64 {
        origin
            .write_at(&pattern(2, i * 4096, 4096), i * 4096, false)
            .unwrap();
    }
    origin.flush().unwrap();
    assert!(snap.status().valid);
    assert_same("snapshot", &read_all(&snap), &base);
    assert!(matches!(
        origin.resize_snapshot(&snap.id(), rig.host.specs()[0].pieces[..1].to_vec()),
        Err(rvm::engine::EngineError::StoreShrink { .. })
    ));
}

/// Once a snapshot has overflowed, origin writes to chunks it lacks no longer copy into it;
/// they must not reach the disk before its invalid header does, or a crash brings it back
/// valid, reading the new data as its point in time. Power fails with every unflushed
/// write kept, after the overflow and a later origin write to a chunk nobody copied; the
/// overflow came from an origin write, then from a write to the snapshot itself. After the
/// crash the snapshot is invalid, or (the invalid header and the writes that overflowed it
/// never reached the disk) valid and exactly its point in time, with its own writes.
#[test]
fn an_overflowed_snapshot_never_comes_back_with_later_origin_data() {
    use rvm::block::{CrashPlan, FaultDomain};
    for through_snapshot in [false, true] {
        let what = if through_snapshot {
            "overflow through the snapshot"
        } else {
            "overflow through the origin"
        };
        let dom = FaultDomain::new(7);
        let mut rig = Rig::faulty(&dom, 64 * MIB, 8 * MIB);
        // No timer commits: the invalid header waits for the next commit a client forces.
        rig.settings.commit_interval = std::time::Duration::from_secs(3600);
        let origin = rig.open();
        let snap = rig.snapshot(&origin, MIB, 4096, !through_snapshot);
        let base = read_all(&origin);
        let mut i = 0u64;
        while snap.status().valid {
            let d = pattern(1, i * 4096, 4096);
            let r = if through_snapshot {
                snap.write_at(&d, i * 4096, false)
            } else {
                origin.write_at(&d, i * 4096, false)
            };
            assert!(r.is_ok() || through_snapshot, "{what}: write {i}: {r:?}");
            i += 1;
        }
        // Straight to a chunk nobody copied: the snapshot no longer takes copies.
        let far = (i + 16) * 4096;
        origin.write_at(&pattern(2, far, 4096), far, false).unwrap();
        drop(snap);
        dom.crash_now(CrashPlan {
            keep: 1.0,
            reorder: false,
            tear: false,
        });
        let _ = origin.close();
        drop(origin);
        dom.revive();
        let origin = rig.open();
        let id = rig.host.specs()[0].id;
        let snap = origin.snapshot(&id).unwrap();
        if !snap.status().valid {
            continue;
        }
        let got = read_all(&snap);
        for (b, block) in got.chunks(4096).enumerate() {
            let at = b * 4096;
            let own = through_snapshot && block == &pattern(1, at as u64, 4096)[..];
            assert!(
                block == &base[at..at + 4096] || own,
                "{what}: the snapshot came back valid, and its block at {at} is not its \
                 point in time{}",
                if at as u64 == far {
                    " but the origin's write made after the overflow"
                } else {
                    ""
                }
            );
        }
    }
}
