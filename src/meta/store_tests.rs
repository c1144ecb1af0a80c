//! The commit protocol against a device that fails part-way: whatever write fails, loading
//! afterwards yields the old or the new VG, never a mix.

use super::model::*;
use super::ops::{self, NewLv};
use super::pvio;
use super::scan::{assemble, scan_device};
use super::store::{roll_back, write_vg, PvHandle};
use crate::block::{BlockDevice, MemDevice};
use crate::format::features::Features;
use crate::format::id::Id;
use crate::format::label::Label;
use crate::format::layout::{Layout, DEFAULT_MDA_SIZE};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Passes writes through until `budget` runs out, then fails them all (a crash).
struct Crashing {
    inner: Arc<MemDevice>,
    budget: Arc<AtomicUsize>,
}

impl BlockDevice for Crashing {
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.inner.read_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        if self
            .budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| b.checked_sub(1))
            .is_err()
        {
            return Err(io::Error::other("crashed"));
        }
        self.inner.write_at(buf, offset)
    }
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }
    fn discard(&self, offset: u64, len: u64) -> io::Result<()> {
        self.write_at(&[], 0)?;
        self.inner.discard(offset, len)
    }
    fn name(&self) -> String {
        self.inner.name()
    }
}

const SIZE: u64 = 64 << 20;

fn fresh_pv(name: &str) -> (Arc<MemDevice>, Label) {
    let dev = Arc::new(MemDevice::new(name, SIZE));
    let label = Label {
        pv_id: Id::random(),
        generation: 1,
        layout: Layout::new(SIZE, DEFAULT_MDA_SIZE).unwrap(),
        features: Features::default(),
    };
    pvio::wipe_slots(dev.as_ref(), &label.layout).unwrap();
    pvio::write_labels(dev.as_ref(), &label).unwrap();
    (dev, label)
}

fn handles(devs: &[(Arc<MemDevice>, Label)], budget: &Arc<AtomicUsize>) -> Vec<Option<PvHandle>> {
    let budgets = vec![budget.clone(); devs.len()];
    handles_each(devs, &budgets)
}

/// Handles whose PV `i` writes until `budgets[i]` runs out.
fn handles_each(
    devs: &[(Arc<MemDevice>, Label)],
    budgets: &[Arc<AtomicUsize>],
) -> Vec<Option<PvHandle>> {
    devs.iter()
        .zip(budgets)
        .map(|((d, l), budget)| {
            let scanned = scan_device(std::path::Path::new(&d.name()), d.as_ref())
                .unwrap()
                .unwrap();
            let mut h = PvHandle {
                path: d.name().into(),
                dev: Arc::new(Crashing {
                    inner: d.clone(),
                    budget: budget.clone(),
                }),
                label: *l,
                slots: [None; 4],
            };
            h.slots = [0, 1, 2, 3].map(|i| scanned.slots[i].version());
            Some(h)
        })
        .collect()
}

fn load(devs: &[(Arc<MemDevice>, Label)]) -> Vg {
    let pvs = devs
        .iter()
        .map(|(d, _)| {
            scan_device(std::path::Path::new(&d.name()), d.as_ref())
                .unwrap()
                .unwrap()
        })
        .collect();
    let mut w = Vec::new();
    let asm = assemble(pvs, &mut w);
    assert_eq!(asm.vgs.len(), 1, "{w:?}");
    asm.vgs[0].vg.clone()
}

fn lv(name: &str, extents: u64) -> NewLv {
    NewLv {
        name: name.into(),
        extents,
        allowed_pvs: None,
        alloc: AllocPolicy::Inherit,
        permission: Permission::ReadWrite,
        active: true,
        activation_skip: false,
        tags: vec![],
        creation_time: 0,
        creation_host: String::new(),
        kind: LvKind::Linear,
    }
}

#[test]
fn a_crash_at_any_write_leaves_old_or_new() {
    let unlimited = Arc::new(AtomicUsize::new(usize::MAX));
    for crash_at in 0..12 {
        let devs = vec![fresh_pv("/a"), fresh_pv("/b")];
        let pvs = devs
            .iter()
            .map(|(d, l)| Pv {
                id: l.pv_id,
                device: d.name().into(),
                dev_size: SIZE,
                pe_start: l.layout.pe_start,
                pe_count: l.layout.pe_count(4 << 20),
                allocatable: true,
                missing: false,
                tags: vec![],
            })
            .collect();
        let mut vg = ops::new_vg("vg", 4 << 20, pvs, 0, "h").unwrap();
        ops::create_lv(&mut vg, lv("a", 3)).unwrap();
        write_vg(&mut vg, None, &mut handles(&devs, &unlimited), true).unwrap();
        // Several commits, so that both slots of every area are in use.
        for i in 0..3 {
            let before = vg.clone();
            ops::create_lv(&mut vg, lv(&format!("x{i}"), 1)).unwrap();
            write_vg(
                &mut vg,
                Some(&before),
                &mut handles(&devs, &unlimited),
                true,
            )
            .unwrap();
        }
        let old = load(&devs);
        assert_eq!(old, vg);
        let mut new = old.clone();
        ops::create_lv(&mut new, lv("b", 20)).unwrap();
        let budget = Arc::new(AtomicUsize::new(crash_at));
        let result = write_vg(&mut new, Some(&old), &mut handles(&devs, &budget), true);
        let after = load(&devs);
        if result.is_ok() {
            assert_eq!(after, new);
        } else {
            assert!(
                after == old || after == new,
                "crash at write {crash_at}: a mix"
            );
        }
    }
}

#[test]
fn a_record_too_large_for_the_slot_writes_nothing() {
    let unlimited = Arc::new(AtomicUsize::new(usize::MAX));
    let devs = vec![fresh_pv("/a")];
    let l = devs[0].1;
    let pv = Pv {
        id: l.pv_id,
        device: "/a".into(),
        dev_size: SIZE,
        pe_start: l.layout.pe_start,
        pe_count: l.layout.pe_count(4096),
        allocatable: true,
        missing: false,
        tags: vec![],
    };
    let mut vg = ops::new_vg("vg", 4096, vec![pv], 0, "h").unwrap();
    write_vg(&mut vg, None, &mut handles(&devs, &unlimited), true).unwrap();
    let before_bytes = devs[0].0.snapshot();
    let mut big = vg.clone();
    for i in 0..14_000 {
        let n = format!("volume-{i:08}-aaaa-bbbb-cccc-dddddddddddd");
        big.lvs.push(Lv {
            name: n,
            id: Id::random(),
            permission: Permission::ReadWrite,
            active: true,
            activation_skip: false,
            alloc: AllocPolicy::Inherit,
            creation_time: 0,
            creation_host: "compute-node-17.example.org".into(),
            tags: vec![],
            kind: LvKind::Linear,
            segments: vec![Segment {
                lv_start: 0,
                count: 1,
                pv: 0,
                pv_start: i,
            }],
        });
    }
    let err = write_vg(&mut big, Some(&vg), &mut handles(&devs, &unlimited), true).unwrap_err();
    assert!(
        matches!(err, super::MetaError::MetadataTooLarge { .. }),
        "{err}"
    );
    assert!(devs[0].0.snapshot() == before_bytes);
}

/// A commit that fails on one PV after another took the new record (a full filesystem
/// under the second PV file) is rolled back: loading yields the old VG, also when the
/// rollback itself is cut short at any write.
#[test]
fn a_commit_failing_on_one_pv_is_rolled_back() {
    let unlimited = Arc::new(AtomicUsize::new(usize::MAX));
    for rollback_writes in [usize::MAX, 0, 1, 2, 3] {
        let devs = vec![fresh_pv("/a"), fresh_pv("/b")];
        let pvs = devs
            .iter()
            .map(|(d, l)| Pv {
                id: l.pv_id,
                device: d.name().into(),
                dev_size: SIZE,
                pe_start: l.layout.pe_start,
                pe_count: l.layout.pe_count(4 << 20),
                allocatable: true,
                missing: false,
                tags: vec![],
            })
            .collect();
        let mut vg = ops::new_vg("vg", 4 << 20, pvs, 0, "h").unwrap();
        ops::create_lv(&mut vg, lv("a", 3)).unwrap();
        write_vg(&mut vg, None, &mut handles(&devs, &unlimited), true).unwrap();
        let old = load(&devs);
        let mut new = old.clone();
        ops::create_lv(&mut new, lv("b", 2)).unwrap();
        // /a takes everything; /b fails its first record write.
        let a = Arc::new(AtomicUsize::new(usize::MAX));
        let b = Arc::new(AtomicUsize::new(0));
        let mut hs = handles_each(&devs, &[a.clone(), b]);
        let err = write_vg(&mut new, Some(&old), &mut hs, true).unwrap_err();
        assert_eq!(load(&devs), new, "the first PV took the new record");
        a.store(rollback_writes, Ordering::SeqCst);
        let err = roll_back(&old, &new, &mut hs, err);
        let after = load(&devs);
        let (names, want) = (
            after.lvs.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
            old.lvs.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
        );
        if rollback_writes > 0 {
            assert_eq!(names, want, "rollback with {rollback_writes} writes: {err}");
        } else {
            // Nothing could be undone: the change stands, and the error says so.
            assert_eq!(after, new);
            assert!(err.to_string().contains("could not be undone"), "{err}");
        }
    }
}
