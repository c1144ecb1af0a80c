//! Metadata whose checksum is valid but whose content is wrong: overlapping extents, a
//! segment beyond its PV, a loop of snapshot origins, a snapshot whose origin is missing,
//! absurd counts and sizes. Written as a newer commit beside the good one, rvm ignores it,
//! loads the good copy, repairs the bad one and commits above it. Written over every copy,
//! rvm refuses the VG with a message naming vgcfgrestore, hands none of its PVs out as
//! free, and vgcfgrestore brings it back.

mod crash_support;
use crash_support::*;
use rvm::block::BlockDevice;
use rvm::format::id::Id;
use rvm::format::layout::Layout;
use rvm::format::record::{SegmentRecord, SnapshotRecord, VgRecord};
use rvm::meta::pvio::{self, SlotState};
use std::sync::Arc;

const PV_SIZE: u64 = 4 * MIB;

/// A forgery: a name and what it does to the good record.
type Forgery = (&'static str, fn(&mut VgRecord));

fn snapshot_of(origin: Id, store_id: u32) -> Option<SnapshotRecord> {
    Some(SnapshotRecord {
        origin,
        chunk_size: 4096,
        store_id,
        flags: 0,
    })
}

const FORGERIES: &[Forgery] = &[
    ("overlapping extents", |r| {
        r.lvs[1].segments[0].pv = r.lvs[0].segments[0].pv;
        r.lvs[1].segments[0].pv_start = r.lvs[0].segments[0].pv_start + 3;
    }),
    (
        "a segment beyond its PV (the record claims a larger PV)",
        |r| {
            r.pvs[0].pe_count = 1000;
            let s = &mut r.lvs[1].segments[0];
            s.pv = 0;
            s.pv_start = 900;
        },
    ),
    ("a data start other than the label's", |r| {
        r.pvs[1].pe_start += 65536;
    }),
    ("a segment on a PV the VG does not have", |r| {
        r.lvs[0].segments[0].pv = 7;
    }),
    ("a gap in an LV's extents", |r| {
        r.lvs[1].segments.last_mut().unwrap().lv_start += 1;
    }),
    ("an LV with no extents", |r| {
        r.lvs[0].segments.clear();
    }),
    ("a loop of snapshot origins", |r| {
        let (a, b) = (r.lvs[0].id, r.lvs[1].id);
        r.lvs[0].snapshot = snapshot_of(b, 1);
        r.lvs[1].snapshot = snapshot_of(a, 2);
    }),
    ("a snapshot whose origin is missing", |r| {
        r.lvs[1].snapshot = snapshot_of(Id::random(), 1);
    }),
    ("a snapshot of itself", |r| {
        let me = r.lvs[1].id;
        r.lvs[1].snapshot = snapshot_of(me, 1);
    }),
    ("two snapshots sharing a store id", |r| {
        let a = r.lvs[0].id;
        r.lvs[1].snapshot = snapshot_of(a, 1);
        r.lvs[2].snapshot = snapshot_of(a, 1);
    }),
    ("a snapshot chunk size that is no power of two", |r| {
        let a = r.lvs[0].id;
        r.lvs[1].snapshot = snapshot_of(a, 1);
        r.lvs[1].snapshot.as_mut().unwrap().chunk_size = 12288;
    }),
    ("an absurd extent count", |r| {
        r.pvs[0].pe_count = u64::MAX / 2;
    }),
    ("an extent count whose bytes wrap", |r| {
        r.pvs[0].pe_count = u64::MAX / 65536 + 2;
        let s = &mut r.lvs[0].segments[0];
        s.pv = 0;
        s.count = u64::MAX / 65536;
    }),
    ("an extent size that is no power of two", |r| {
        r.extent_size = 65536 + 4096;
    }),
    ("a zero extent size", |r| {
        r.extent_size = 0;
    }),
    ("a PV listed twice", |r| {
        let p = r.pvs[0].clone();
        r.pvs.push(p);
    }),
    ("two LVs with one name", |r| {
        r.lvs[1].name = r.lvs[0].name.clone();
    }),
    ("two LVs with one id", |r| {
        r.lvs[1].id = r.lvs[0].id;
    }),
    ("more LVs than max_lv", |r| {
        r.max_lv = 1;
    }),
    ("a huge segment count", |r| {
        let s = r.lvs[0].segments[0];
        r.lvs[0].segments = (0..10_000)
            .map(|i| SegmentRecord {
                lv_start: i,
                count: 1,
                ..s
            })
            .collect();
    }),
];

struct Fixture {
    m: Machine,
    images: Images,
    good: State,
}

fn fixture() -> Fixture {
    let m = Machine::new(2, PV_SIZE);
    let devs = m.blank().mem();
    let mut env = m.env(&dyns(&devs));
    env.config = rvm::meta::config::Config::default(); // backups on, for vgcfgrestore
    must(
        &env,
        &format!("pvcreate --metadatasize 16k {} {}", m.pv(0), m.pv(1)),
    );
    must(&env, &format!("vgcreate -s 64k vg {} {}", m.pv(0), m.pv(1)));
    must(&env, "lvcreate -l 20 -n a vg");
    must(&env, "lvcreate -l 30 -n b vg");
    must(&env, "lvcreate -l 4 -n c vg");
    let good = State::of(&env.read_all().unwrap());
    Fixture {
        images: Images::of(&devs),
        m,
        good,
    }
}

fn layout(dev: &dyn BlockDevice) -> Layout {
    pvio::read_labels(dev).unwrap().best.unwrap().layout
}

/// The valid records on `dev`: (slot offset, record, holder).
fn records(dev: &dyn BlockDevice) -> Vec<(u64, VgRecord, Id)> {
    let l = layout(dev);
    l.slots()
        .iter()
        .filter_map(|&at| match pvio::read_slot(dev, at, l.slot_size).unwrap() {
            SlotState::Valid { record, holder, .. } => Some((at, *record, holder)),
            _ => None,
        })
        .collect()
}

/// Writes `forge` of the newest record as seqno+1, with a valid checksum: into the older
/// slot of each area (`everywhere` false), or into every slot.
fn plant(devs: &[Arc<Overlay>], forge: fn(&mut VgRecord), everywhere: bool) {
    for d in devs {
        let recs = records(d.as_ref());
        let newest = recs.iter().map(|r| r.1.seqno).max().unwrap();
        let (_, good, holder) = recs.iter().find(|r| r.1.seqno == newest).unwrap().clone();
        let mut bad = good.clone();
        forge(&mut bad);
        bad.seqno = newest + 1;
        for at in layout(d.as_ref()).slots() {
            let older = recs
                .iter()
                .find(|r| r.0 == at)
                .is_none_or(|r| r.1.seqno < newest);
            if everywhere || older {
                pvio::write_padded(d.as_ref(), bad.encode(&holder, at), at).unwrap();
            }
        }
    }
}

#[test]
fn a_forged_newer_commit_beside_the_good_one_is_ignored_and_repaired() {
    let f = fixture();
    for &(what, forge) in FORGERIES {
        let devs = f.images.mem();
        plant(&devs, forge, false);
        let d = dyns(&devs);
        let env = f.m.env(&d);
        let view = env
            .read_all()
            .unwrap_or_else(|e| panic!("{what}: the good copy did not load: {e}"));
        assert!(
            State::of(&view) == f.good,
            "{what}: loaded {}",
            State::of(&view).describe()
        );
        let warnings = env.take_warnings().join("\n");
        assert!(
            warnings.contains("Ignoring metadata"),
            "{what}: no warning: {warnings}"
        );
        for vg in &view.vgs {
            check_vg_invariants(&f.m, vg, &d).unwrap_or_else(|e| panic!("{what}: {e}"));
        }
        // The load repaired the forged copies, and the next commit outranks them.
        must(&env, "vgck vg");
        must(&env, "lvcreate -l 1 -n d vg");
        let env = f.m.env(&d);
        let vg = env.read_vg("vg").unwrap();
        assert!(vg.lv("d").is_some(), "{what}: the new LV is lost");
        assert!(
            env.take_warnings().is_empty(),
            "{what}: a forged copy survived the repair"
        );
        for dev in &devs {
            for (_, r, _) in records(dev.as_ref()) {
                assert!(
                    rvm::meta::validate::validate(&rvm::meta::convert::from_record(&r)).is_ok(),
                    "{what}: a forged copy is still on disk"
                );
            }
        }
    }
}

#[test]
fn a_forgery_in_every_copy_is_refused_and_vgcfgrestore_recovers() {
    let f = fixture();
    for &(what, forge) in FORGERIES {
        let devs = f.images.mem();
        plant(&devs, forge, true);
        let d = dyns(&devs);
        let env = f.m.env(&d);
        let e = env.read_vg("vg").expect_err(what).to_string();
        assert!(e.contains("vgcfgrestore vg"), "{what}: {e}");
        let e = run(&env, "lvcreate -l 1 -n x vg").expect_err(what);
        assert!(e.contains("vgcfgrestore vg"), "{what}: {e}");
        let out = run(&env, "lvs").unwrap_or_default();
        assert!(
            !out.contains(" a "),
            "{what}: lvs shows LVs of a refused map: {out}"
        );
        // Its PVs are not free.
        let pvs = f.m.env(&d).read_all().unwrap();
        assert!(
            pvs.orphans.is_empty(),
            "{what}: its PVs were reported as free"
        );
        let e = run(&env, &format!("vgcreate -s 64k other {}", f.m.pv(0))).expect_err(what);
        assert!(e.contains("vgcfgrestore"), "{what}: {e}");
        // vgcfgrestore brings it back, above the forged seqno.
        must(&env, "vgcfgrestore vg");
        let env = f.m.env(&d);
        let back = State::of(&env.read_all().unwrap());
        assert!(back == f.good, "{what}: restored {}", back.describe());
        must(&env, "vgck vg");
        must(&env, "lvcreate -l 1 -n d vg");
    }
}
