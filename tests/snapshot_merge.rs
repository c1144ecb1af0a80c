//! lvconvert --merge: the origin reads as the snapshot from the start, copying runs in the
//! background with progress, origin I/O goes on, other snapshots keep their point in time,
//! the snapshot disappears at the end, and bad requests are refused.

mod engine_support;
use engine_support::*;
use rvm::engine::{EngineError, Volume, VolumeError};
use std::time::Duration;

fn setup(rig: &mut Rig, origin: &rvm::engine::Origin) -> (Vec<u8>, Vec<u8>) {
    let size = origin.size();
    let base = pattern(1, 0, size as usize);
    origin.write_at(&base, 0, false).unwrap();
    let _m = rig.snapshot(origin, size + 4 * MIB, 4096, false);
    let mut now = base.clone();
    let mut rng = Rng(5);
    for i in 0..600u32 {
        let len = [4096usize, 512, 20000][rng.below(3) as usize];
        let off = rng.below(size - len as u64);
        let d = pattern(10 + i, off, len);
        origin.write_at(&d, off, false).unwrap();
        now[off as usize..off as usize + len].copy_from_slice(&d);
    }
    (base, now)
}

#[test]
fn merge_reverts_the_origin_and_removes_the_snapshot() {
    let mut rig = Rig::mem(128 * MIB, 8 * MIB);
    let origin = rig.open();
    let (base, now) = setup(&mut rig, &origin);
    // A later snapshot sees the changed origin and must keep seeing it.
    let later = rig.snapshot(&origin, 12 * MIB, 8192, true);
    let merging = origin.snapshot_ids()[0];
    // The merging snapshot's own writes are part of what merges back.
    let m = origin.snapshot(&merging).unwrap();
    let mut want = base.clone();
    m.write_at(&pattern(77, 4096 * 3, 4096), 4096 * 3, false)
        .unwrap();
    want[4096 * 3..4096 * 4].copy_from_slice(&pattern(77, 4096 * 3, 4096));
    origin.start_merge(&merging).unwrap();
    assert!(matches!(
        m.read_at(&mut [0; 512], 0),
        Err(VolumeError::Gone)
    ));
    assert!(matches!(
        origin.start_merge(&merging),
        Err(EngineError::AlreadyMerging(_))
    ));
    // From the start the origin reads as the snapshot.
    assert_same("origin during merge", &read_all(&origin), &want);
    assert!(origin.wait_merge(Duration::from_secs(60)));
    assert_same("origin after merge", &read_all(&origin), &want);
    assert_same("later snapshot", &read_all(&later), &now);
    assert_eq!(origin.snapshot_ids(), vec![later.id()]);
    assert_eq!(rig.host.model.lock().unwrap().finished, vec![merging]);
    origin.close().unwrap();
    drop((origin, later, m));
    let origin = rig.open();
    assert_same("origin reopened", &read_all(&origin), &want);
    let later = origin.snapshot(&origin.snapshot_ids()[0]).unwrap();
    assert_same("later reopened", &read_all(&later), &now);
}

#[test]
fn origin_writes_during_a_merge_are_not_undone() {
    let mut rig = Rig::mem(128 * MIB, 16 * MIB);
    // Slow commits so the merge is still running while the writes come.
    rig.settings.merge_commit_chunks = 64;
    let origin = rig.open();
    let (base, _) = setup(&mut rig, &origin);
    let other = rig.snapshot(&origin, 20 * MIB, 4096, true);
    let at_other = read_all(&other);
    let merging = origin.snapshot_ids()[0];
    origin.start_merge(&merging).unwrap();
    let mut want = base.clone();
    let mut rng = Rng(11);
    for i in 0..400u32 {
        let len = [512usize, 4096, 9000][rng.below(3) as usize];
        let off = rng.below(origin.size() - len as u64);
        let d = pattern(500 + i, off, len);
        origin.write_at(&d, off, i % 100 == 0).unwrap();
        want[off as usize..off as usize + len].copy_from_slice(&d);
        if i % 50 == 0 {
            let p = origin.merge_progress();
            if let Some(p) = p {
                assert!(p.merged <= p.total);
            }
        }
    }
    assert_same("origin during merge", &read_all(&origin), &want);
    assert!(origin.wait_merge(Duration::from_secs(60)));
    assert_same("origin after merge", &read_all(&origin), &want);
    assert_same("other snapshot", &read_all(&other), &at_other);
}

#[test]
fn merges_that_make_no_sense_are_refused() {
    let mut rig = Rig::mem(64 * MIB, 4 * MIB);
    let origin = rig.open();
    let a = rig.snapshot(&origin, 8 * MIB, 4096, true);
    let b = rig.snapshot(&origin, 8 * MIB, 4096, true);
    assert!(matches!(
        origin.start_merge(&rvm::format::id::Id::random()),
        Err(EngineError::NoSuchSnapshot(_))
    ));
    rig.settings.merge_commit_chunks = 1;
    for i in 0..1000u64 {
        origin.write_at(&[9; 4096], i * 4096, false).unwrap();
    }
    origin.start_merge(&a.id()).unwrap();
    let second = origin.start_merge(&b.id());
    assert!(
        matches!(second, Err(EngineError::OriginMerging(_))) || origin.snapshot_ids().len() == 1
    );
    let spec = rig.snapshot_spec(8 * MIB, 4096, true);
    let created = origin.create_snapshot(spec);
    assert!(
        matches!(created, Err(EngineError::OriginMerging(_))) || origin.merge_progress().is_none()
    );
    assert!(origin.wait_merge(Duration::from_secs(60)));
}

/// The metadata host of [`a_merge_asked_for_as_the_previous_one_ends_starts`]: it lets the
/// test know when a merge's end is being recorded, and takes its time recording it.
struct SlowFinish {
    inner: std::sync::Arc<TestHost>,
    finishing: std::sync::mpsc::Sender<()>,
}

impl rvm::engine::MetadataHost for SlowFinish {
    fn extend_snapshot(
        &self,
        s: &rvm::format::id::Id,
        extra: u64,
    ) -> Result<Vec<rvm::engine::Piece>, rvm::engine::HostError> {
        self.inner.extend_snapshot(s, extra)
    }

    fn merge_started(&self, s: &rvm::format::id::Id) -> Result<(), rvm::engine::HostError> {
        self.inner.merge_started(s)
    }

    fn merge_finished(&self, s: &rvm::format::id::Id) -> Result<(), rvm::engine::HostError> {
        // Recorded: a host watching its VG now sees the snapshot gone.
        let r = self.inner.merge_finished(s);
        let _ = self.finishing.send(());
        std::thread::sleep(Duration::from_millis(200));
        r
    }
}

/// A merge asked for while the previous merge into the same origin is recording its end
/// (its snapshot already gone from the VG) waits for that end instead of being refused.
#[test]
fn a_merge_asked_for_as_the_previous_one_ends_starts() {
    let mut rig = Rig::mem(64 * MIB, 4 * MIB);
    let (tx, rx) = std::sync::mpsc::channel();
    let host = std::sync::Arc::new(SlowFinish {
        inner: rig.host.clone(),
        finishing: tx,
    });
    let origin =
        rvm::engine::Origin::open(rig.origin.clone(), Vec::new(), rig.settings.clone(), host)
            .unwrap();
    let size = origin.size() as usize;
    let first = rig.snapshot(&origin, 8 * MIB, 4096, true);
    origin.write_at(&pattern(1, 0, size), 0, false).unwrap();
    let second = rig.snapshot(&origin, 8 * MIB, 4096, true);
    origin.write_at(&pattern(2, 0, size), 0, false).unwrap();
    origin.start_merge(&first.id()).unwrap();
    rx.recv_timeout(Duration::from_secs(60)).unwrap();
    // The first merge is recording its end now.
    origin
        .start_merge(&second.id())
        .expect("the second merge starts once the first has ended");
    assert!(origin.wait_merge(Duration::from_secs(60)));
    assert_same("origin", &read_all(&origin), &pattern(1, 0, size));
    origin.close().unwrap();
}
