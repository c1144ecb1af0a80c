//! Golden tests: the committed fixtures in `tests/golden/` pin every on-disk byte. A change
//! that moves a field fails here; regenerate with `RVM_BLESS=1` only for a deliberate,
//! documented format change (and bump the version).

use rvm::format::features::Features;
use rvm::format::id::Id;
use rvm::format::label::Label;
use rvm::format::layout::{Layout, DEFAULT_MDA_SIZE};
use rvm::format::record::*;
use rvm::meta::convert::{from_record, to_record};
use rvm::meta::model::Permission;
use std::path::PathBuf;

fn id(c: u8) -> Id {
    Id::from_bytes(&[c; 32]).unwrap()
}

fn check(name: &str, bytes: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("RVM_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(want == bytes, "{name} differs from its golden fixture");
}

fn label() -> Label {
    Label {
        pv_id: id(b'P'),
        generation: 2,
        layout: Layout::new(1 << 30, DEFAULT_MDA_SIZE).unwrap(),
        features: Features::default(),
    }
}

/// A VG with two PVs, a linear LV split over both, and a merging snapshot of it.
fn sample_vg() -> VgRecord {
    VgRecord {
        name: "vg0".into(),
        id: id(b'V'),
        seqno: 42,
        extent_size: 4 << 20,
        flags: VG_RESIZEABLE,
        max_lv: 0,
        max_pv: 0,
        alloc: 1,
        creation_time: 1_800_000_000,
        creation_host: "host1".into(),
        tags: vec!["tagA".into()],
        pvs: vec![
            PvRecord {
                id: id(b'P'),
                device_hint: "/srv/pv1.img".into(),
                dev_size: 1 << 30,
                pe_start: 4 << 20,
                pe_count: 254,
                flags: PV_ALLOCATABLE,
                tags: vec![],
            },
            PvRecord {
                id: id(b'Q'),
                device_hint: "/srv/pv2.img".into(),
                dev_size: 1 << 30,
                pe_start: 4 << 20,
                pe_count: 254,
                flags: 0,
                tags: vec!["fast".into()],
            },
        ],
        lvs: vec![
            LvRecord {
                name: "vol1".into(),
                id: id(b'L'),
                flags: LV_ACTIVE,
                alloc: 0,
                creation_time: 1_800_000_100,
                creation_host: "host1".into(),
                tags: vec![],
                snapshot: None,
                segments: vec![
                    SegmentRecord {
                        lv_start: 0,
                        count: 254,
                        pv: 0,
                        pv_start: 0,
                    },
                    SegmentRecord {
                        lv_start: 254,
                        count: 10,
                        pv: 1,
                        pv_start: 0,
                    },
                ],
            },
            LvRecord {
                name: "snap1".into(),
                id: id(b'S'),
                flags: LV_ACTIVE | LV_READ_ONLY | LV_ACTIVATION_SKIP,
                alloc: 0,
                creation_time: 1_800_000_200,
                creation_host: "host1".into(),
                tags: vec!["t1".into(), "t2".into()],
                snapshot: Some(SnapshotRecord {
                    origin: id(b'L'),
                    chunk_size: 4096,
                    store_id: 1,
                    flags: SNAP_MERGING,
                }),
                segments: vec![SegmentRecord {
                    lv_start: 0,
                    count: 2,
                    pv: 1,
                    pv_start: 10,
                }],
            },
        ],
    }
}

#[test]
fn label_bytes_are_pinned() {
    let l = label();
    check("label_head.bin", &l.encode(0));
    check("label_tail.bin", &l.encode(l.layout.tail_label));
    let back = Label::decode(&l.encode(0), 0).unwrap();
    assert_eq!(back, l);
}

#[test]
fn vg_record_bytes_are_pinned() {
    let vg = sample_vg();
    let bytes = vg.encode(&id(b'P'), 4096);
    check("vg_record.bin", &bytes);
    let (back, holder, features) = VgRecord::decode(&bytes, 4096).unwrap();
    assert_eq!(back, vg);
    assert_eq!(holder, id(b'P'));
    assert_eq!(features, Features::default());
}

#[test]
fn empty_vg_record_bytes_are_pinned() {
    let mut vg = sample_vg();
    vg.lvs.clear();
    vg.pvs.truncate(1);
    vg.tags.clear();
    check("vg_record_empty.bin", &vg.encode(&id(b'P'), 2 << 20));
}

#[test]
fn every_truncation_and_flip_of_a_record_is_an_error() {
    let bytes = sample_vg().encode(&id(b'P'), 4096);
    for n in 0..bytes.len() {
        assert!(VgRecord::decode(&bytes[..n], 4096).is_err());
    }
    for i in (0..bytes.len()).step_by(7) {
        let mut bad = bytes.clone();
        bad[i] ^= 1;
        assert!(VgRecord::decode(&bad, 4096).is_err(), "flip at {i}");
    }
}

#[test]
fn the_model_round_trips_through_the_record() {
    let rec = sample_vg();
    let vg = from_record(&rec);
    assert_eq!(to_record(&vg), rec);
    let snap = vg.lv("snap1").unwrap().snapshot().unwrap().clone();
    assert!(snap.merging);
    assert_eq!(snap.origin, vg.lv("vol1").unwrap().id);
    assert_eq!(snap.store_id, 1);
    assert_eq!(snap.chunk_size, 4096);
    assert_eq!(vg.lv("snap1").unwrap().permission, Permission::ReadOnly);
    assert!(vg.pvs[0].allocatable && !vg.pvs[1].allocatable);
}
