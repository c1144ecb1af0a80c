//! Every bit of a snapshot's newest store header sector, flipped alone: the origin and the
//! snapshot open again and read exactly what they read before (a valid snapshot stays
//! valid with its point in time; an overflowed one stays invalid, never silently valid
//! again), and the store keeps working. With both header slots destroyed the snapshot
//! opens invalid: it never serves a point in time nobody can vouch for.

mod crash_support;
use crash_support::*;
use rvm::block::BlockDevice;
use rvm::engine::{EngineSettings, NoHost, Origin, OriginSpec, Piece, SnapshotSpec, Volume};
use rvm::format::cow::{self, HEADER_SLOTS, SECTOR};
use rvm::format::id::Id;
use rvm::meta::model::SnapshotInfo;
use std::sync::Arc;

const ORIGIN: u64 = MIB;
const STORE_AT: u64 = MIB;

struct Family {
    origin: Id,
    snap: Id,
    store_bytes: u64,
}

impl Family {
    fn open(&self, dev: Arc<dyn BlockDevice>) -> Origin {
        self.open_with(dev, true)
    }

    fn open_with(&self, dev: Arc<dyn BlockDevice>, with_snapshot: bool) -> Origin {
        let origin = OriginSpec {
            id: self.origin,
            pieces: vec![Piece {
                device: dev.clone(),
                lv_offset: 0,
                dev_offset: 0,
                len: ORIGIN,
            }],
            read_only: false,
        };
        let snaps = if with_snapshot {
            vec![self.spec(dev)]
        } else {
            Vec::new()
        };
        Origin::open(origin, snaps, EngineSettings::default(), Arc::new(NoHost)).unwrap()
    }

    fn spec(&self, dev: Arc<dyn BlockDevice>) -> SnapshotSpec {
        SnapshotSpec {
            id: self.snap,
            info: SnapshotInfo {
                origin: self.origin,
                chunk_size: 4096,
                store_id: 1,
                merging: false,
            },
            pieces: vec![Piece {
                device: dev,
                lv_offset: 0,
                dev_offset: STORE_AT,
                len: self.store_bytes,
            }],
            read_only: true,
        }
    }
}

fn read_all(v: &dyn Volume) -> Result<Vec<u8>, String> {
    let mut b = vec![0u8; v.size() as usize];
    v.read_at(&mut b, 0).map_err(|e| e.to_string())?;
    Ok(b)
}

/// An origin with one snapshot after several commits; `overflow` fills the store until the
/// snapshot is invalid. Returns the image, the origin's content and the snapshot's.
fn build(overflow: bool) -> (Family, Images, Vec<u8>, Vec<u8>) {
    let fam = Family {
        origin: Id::random(),
        snap: Id::random(),
        store_bytes: if overflow { 160 << 10 } else { 2 * MIB },
    };
    let base = Arc::new(vec![0u8; (4 * MIB) as usize]);
    let dev = Arc::new(Overlay::new("pv", base));
    let d: Arc<dyn BlockDevice> = dev.clone();
    {
        let o = fam.open_with(d.clone(), false);
        o.write_at(&pattern(1, 0, ORIGIN as usize), 0, false)
            .unwrap();
        o.flush().unwrap();
        o.create_snapshot(fam.spec(d.clone())).unwrap();
        let mut tag = 2;
        for round in 0..6u64 {
            for i in 0..(if overflow { 12 } else { 8 }) {
                let off = ((round * 37 + i * 13) % (ORIGIN / 4096)) * 4096;
                o.write_at(&pattern(tag, off, 4096), off, false).unwrap();
                tag += 1;
            }
            o.flush().unwrap();
        }
        let valid = o.snapshot(&fam.snap).unwrap().status().valid;
        assert_eq!(valid, !overflow, "the fixture overflowed as intended");
        o.close().unwrap();
    }
    let images = Images::of(&[dev]);
    let o = fam.open(images.mem()[0].clone());
    let origin = read_all(&o).unwrap();
    let snap = read_all(&o.snapshot(&fam.snap).unwrap()).unwrap_or_default();
    (fam, images, origin, snap)
}

/// Which header slot is the newest, by seqno.
fn newest_slot(dev: &dyn BlockDevice) -> u64 {
    let seqno = |slot: u64| {
        let mut b = [0u8; SECTOR];
        dev.read_at(&mut b, STORE_AT + slot).unwrap();
        cow::decode_header(&b, slot).map(|h| h.seqno).unwrap_or(0)
    };
    *HEADER_SLOTS.iter().max_by_key(|&&s| seqno(s)).unwrap()
}

fn flip(dev: &dyn BlockDevice, byte: u64, bit: u64) {
    let mut b = [0u8];
    dev.read_at(&mut b, byte).unwrap();
    dev.write_at(&[b[0] ^ (1 << bit)], byte).unwrap();
}

fn sweep(overflow: bool) {
    let (fam, images, origin, snap) = build(overflow);
    let slot = newest_slot(images.mem()[0].as_ref());
    for bit in 0..(SECTOR as u64 * 8) {
        let dev = images.mem().remove(0);
        flip(dev.as_ref(), STORE_AT + slot + bit / 8, bit % 8);
        let what = format!("bit {bit} of header slot {slot} flipped");
        let o = fam.open(dev.clone());
        assert!(read_all(&o).unwrap() == origin, "{what}: origin differs");
        let s = o.snapshot(&fam.snap).unwrap();
        assert_eq!(s.status().valid, !overflow, "{what}: validity changed");
        if !overflow {
            assert!(read_all(&s).unwrap() == snap, "{what}: snapshot differs");
        } else {
            assert!(
                read_all(&s).is_err(),
                "{what}: an invalid snapshot served data"
            );
        }
        // The store keeps working: a copy-on-write, a commit, a clean reopen.
        o.write_at(&pattern(999, 8192, 4096), 8192, false).unwrap();
        o.flush().unwrap();
        o.close().unwrap();
        drop(o);
        let o = fam.open(dev);
        let s = o.snapshot(&fam.snap).unwrap();
        assert_eq!(
            s.status().valid,
            !overflow,
            "{what}: validity changed on reopen"
        );
        if !overflow {
            assert!(
                read_all(&s).unwrap() == snap,
                "{what}: snapshot differs on reopen"
            );
        }
    }
}

#[test]
fn every_bit_of_a_valid_snapshots_newest_header() {
    sweep(false);
}

#[test]
fn every_bit_of_an_overflowed_snapshots_newest_header() {
    sweep(true);
}

#[test]
fn with_both_header_slots_destroyed_the_snapshot_opens_invalid() {
    let (fam, images, origin, _) = build(false);
    let dev = images.mem().remove(0);
    for slot in HEADER_SLOTS {
        flip(dev.as_ref(), STORE_AT + slot + 100, 3);
    }
    let o = fam.open(dev);
    assert!(read_all(&o).unwrap() == origin);
    let s = o.snapshot(&fam.snap).unwrap();
    assert!(!s.status().valid, "a snapshot with no header stayed valid");
    assert!(read_all(&s).is_err(), "an invalid snapshot served data");
}
