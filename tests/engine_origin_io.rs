//! An origin is a volume: bounds, discard, write-zeroes and block status behave with and
//! without snapshots, over file-backed PVs.

mod engine_support;
use engine_support::*;
use rvm::block::FileDevice;
use rvm::engine::{Volume, VolumeError, ZeroFlags};
use std::sync::Arc;

fn file_rig(dir: &tempfile::TempDir) -> Rig {
    let path = dir.path().join("pv.img");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(64 * MIB)
        .unwrap();
    Rig::new(Arc::new(FileDevice::open(&path).unwrap()), 8 * MIB)
}

#[test]
fn bounds_discard_and_block_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut rig = file_rig(&dir);
    let origin = rig.open();
    assert_eq!(origin.size(), 8 * MIB);
    assert!(matches!(
        origin.write_at(&[1; 1024], 8 * MIB - 512, false),
        Err(VolumeError::OutOfRange { .. })
    ));
    assert!(matches!(
        origin.read_at(&mut [0; 1], 8 * MIB),
        Err(VolumeError::OutOfRange { .. })
    ));
    origin.write_at(&[7; 65536], MIB, false).unwrap();
    let st = origin.block_status(0, 8 * MIB).unwrap();
    assert!(st.iter().any(|e| e.hole), "sparse file shows holes: {st:?}");
    assert!(st.iter().any(|e| !e.hole));
    origin.discard(MIB, 4096).unwrap();
    let mut b = vec![1u8; 8192];
    origin.read_at(&mut b, MIB).unwrap();
    assert!(b[..4096].iter().all(|&x| x == 0) && b[4096..].iter().all(|&x| x == 7));

    let snap = rig.snapshot(&origin, 8 * MIB, 4096, true);
    // With a snapshot, discarding copies first, so the snapshot keeps the data.
    origin.discard(MIB, 65536).unwrap();
    origin.read_at(&mut b, MIB).unwrap();
    assert!(b.iter().all(|&x| x == 0));
    snap.read_at(&mut b, MIB).unwrap();
    assert!(b[..4096].iter().all(|&x| x == 0) && b[4096..].iter().all(|&x| x == 7));
    let fast = ZeroFlags {
        may_unmap: true,
        fast_only: true,
    };
    assert!(matches!(
        origin.write_zeroes(0, 4096, fast),
        Err(VolumeError::NotSupported(_))
    ));
    origin.write_zeroes(0, 4096, ZeroFlags::default()).unwrap();
    let st = snap.block_status(0, 8 * MIB).unwrap();
    assert_eq!(st.iter().map(|e| e.len).sum::<u64>(), 8 * MIB);
}

#[test]
fn fua_writes_survive_without_a_flush() {
    let dir = tempfile::tempdir().unwrap();
    let mut rig = file_rig(&dir);
    let origin = rig.open();
    let _snap = rig.snapshot(&origin, 8 * MIB, 4096, true);
    origin.write_at(&[9; 4096], 0, true).unwrap();
    // A second engine instance (as after a restart) sees it at once.
    let again = rvm::engine::Origin::open(
        rig.origin.clone(),
        rig.host.specs(),
        rig.settings.clone(),
        rig.host.clone(),
    )
    .unwrap();
    let mut b = [0u8; 4096];
    again.read_at(&mut b, 0).unwrap();
    assert_eq!(b, [9; 4096]);
    let s = again.snapshot(&again.snapshot_ids()[0]).unwrap();
    s.read_at(&mut b, 0).unwrap();
    assert_eq!(b, [0; 4096]);
}

#[test]
fn a_read_only_origin_refuses_writes_but_still_merges() {
    let dir = tempfile::tempdir().unwrap();
    let mut rig = file_rig(&dir);
    let origin = rig.open();
    origin.write_at(&[1; 4096], 0, false).unwrap();
    let snap = rig.snapshot(&origin, 8 * MIB, 4096, true);
    origin.write_at(&[2; 4096], 0, false).unwrap();
    let oid = rig.origin.id;
    origin.set_read_only(&oid, true).unwrap();
    assert!(origin.read_only());
    assert!(matches!(
        origin.write_at(&[3; 512], 0, false),
        Err(VolumeError::ReadOnly)
    ));
    assert!(matches!(
        origin.discard(0, 4096),
        Err(VolumeError::ReadOnly)
    ));
    origin.start_merge(&snap.id()).unwrap();
    assert!(origin.wait_merge(std::time::Duration::from_secs(30)));
    let mut b = [0u8; 4096];
    origin.read_at(&mut b, 0).unwrap();
    assert_eq!(b, [1; 4096]);
}
