//! What a field's getter sees for one row: the objects the row is about (VG, PV, LV, segment,
//! PV segment), the per-VG figures computed once per report, and the output settings.

use super::units::Units;
use super::LvLive;
use crate::format::id::Id;
use crate::meta::convert::to_record;
use crate::meta::model::{Lv, OrphanPv, Pv, Segment, Vg};
use std::collections::HashMap;

/// Output settings that change how values are written.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub units: Units,
    /// `--nosuffix` not given.
    pub suffix: bool,
    /// `--binary`: binary fields print 0/1 instead of a word or blank.
    pub binary: bool,
}

/// How a value sorts and how `-S` compares it; the text shown is written separately.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Key<'a> {
    /// Sort and select on the text shown.
    Text,
    /// Sort and select on this string (an LV's bare name while `[name]` is shown).
    Str(&'a str),
    /// Numbers, counts and binary fields; LVM2's "undefined" is `u64::MAX`.
    Num(u64),
    /// A size in bytes.
    Size(u64),
    /// A percentage in millionths; `u64::MAX` when there is none.
    Pct(u64),
    /// Seconds since the epoch.
    Time(u64),
    /// A comma-separated list; selection matches its items.
    List,
}

/// LVM2's reserved "undefined" number.
pub(super) const UNDEF: u64 = u64::MAX;

/// A PV row: a member of a VG, or a PV that belongs to none.
#[derive(Clone, Copy)]
pub(super) enum PvRef<'a> {
    Member(&'a Pv),
    Orphan(&'a OrphanPv),
}

/// The LV side of a row. LVM2 reports free PV segments against a nameless "free" LV, so
/// rows of free space carry `Free` and the LV getters print what LVM2 prints for it.
#[derive(Clone, Copy)]
pub(super) enum LvRef<'a> {
    Lv { lv: &'a Lv, idx: usize },
    Free,
}

/// The segment side of a row; `Free` is a run of unallocated extents of `len` extents.
#[derive(Clone, Copy)]
pub(super) enum SegRef<'a> {
    Seg(&'a Segment),
    Free { len: u64 },
}

/// A run of extents on one PV, allocated to an LV segment or free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PvSeg {
    pub start: u64,
    pub len: u64,
    /// (LV index, segment index) when allocated.
    pub owner: Option<(u32, u32)>,
}

/// Per-LV facts derived from the whole VG (snapshot relations, missing PVs).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct LvFacts {
    /// Index of this snapshot's origin in `Vg::lvs`.
    pub origin: Option<u32>,
    /// Number of snapshots of this LV.
    pub snapshots: u32,
    /// One of this LV's snapshots is merging into it.
    pub merging_origin: bool,
    /// A segment lies on a missing PV.
    pub partial: bool,
    /// Hidden LVs (a merging snapshot) are listed only with `-a`, bracketed.
    pub hidden: bool,
}

/// Figures about one VG computed once per report, so that no getter walks the VG.
pub(super) struct VgInfo {
    pub pv_alloc: Vec<u64>,
    pub free_extents: u64,
    pub lv: Vec<LvFacts>,
    pub visible_lvs: u32,
    pub snapshots: u32,
    pub missing_pvs: u32,
    /// Each PV's segments in extent order, free runs included; built for PV-segment reports.
    pub pvsegs: Vec<Vec<PvSeg>>,
    /// Bytes the VG's metadata record takes in a slot; computed only for the mda_free fields.
    pub record_len: u64,
}

impl VgInfo {
    /// Derives the figures in O(LVs + segments), plus a sort of each PV's segments when
    /// `with_pvsegs` is set and an encoding of the record when `with_record` is.
    pub fn new(vg: &Vg, with_pvsegs: bool, with_record: bool) -> VgInfo {
        let mut pv_alloc = vec![0u64; vg.pvs.len()];
        let mut lv = vec![LvFacts::default(); vg.lvs.len()];
        let needs_ids = vg.lvs.iter().any(|l| l.snapshot().is_some());
        let by_id: HashMap<Id, u32> = if needs_ids {
            vg.lvs
                .iter()
                .enumerate()
                .map(|(i, l)| (l.id, i as u32))
                .collect()
        } else {
            HashMap::new()
        };
        let mut pvsegs: Vec<Vec<PvSeg>> = if with_pvsegs {
            vec![Vec::new(); vg.pvs.len()]
        } else {
            Vec::new()
        };
        let mut snapshots = 0;
        for (i, l) in vg.lvs.iter().enumerate() {
            for (si, s) in l.segments.iter().enumerate() {
                if let Some(a) = pv_alloc.get_mut(s.pv) {
                    *a += s.count;
                }
                if vg.pvs.get(s.pv).is_none_or(|p| p.missing) {
                    lv[i].partial = true;
                }
                if let Some(list) = pvsegs.get_mut(s.pv) {
                    list.push(PvSeg {
                        start: s.pv_start,
                        len: s.count,
                        owner: Some((i as u32, si as u32)),
                    });
                }
            }
            if let Some(snap) = l.snapshot() {
                snapshots += 1;
                lv[i].hidden = snap.merging;
                if let Some(&o) = by_id.get(&snap.origin) {
                    lv[i].origin = Some(o);
                    let facts = &mut lv[o as usize];
                    facts.snapshots += 1;
                    facts.merging_origin |= snap.merging;
                }
            }
        }
        for (p, list) in pvsegs.iter_mut().enumerate() {
            list.sort_unstable_by_key(|s| s.start);
            let pe_count = vg.pvs[p].pe_count;
            let mut filled = Vec::with_capacity(list.len() + 1);
            let mut next = 0;
            for s in list.iter() {
                if s.start > next {
                    filled.push(PvSeg {
                        start: next,
                        len: s.start - next,
                        owner: None,
                    });
                }
                filled.push(*s);
                next = next.max(s.start + s.len);
            }
            if next < pe_count || filled.is_empty() {
                filled.push(PvSeg {
                    start: next,
                    len: pe_count.saturating_sub(next),
                    owner: None,
                });
            }
            *list = filled;
        }
        let total: u64 = vg.pvs.iter().map(|p| p.pe_count).sum();
        let used: u64 = pv_alloc.iter().sum();
        VgInfo {
            free_extents: total.saturating_sub(used),
            pv_alloc,
            visible_lvs: lv.iter().filter(|f| !f.hidden).count() as u32,
            lv,
            snapshots,
            missing_pvs: vg.pvs.iter().filter(|p| p.missing).count() as u32,
            pvsegs,
            record_len: if with_record {
                let holder = vg.pvs.first().map_or(vg.id, |p| p.id);
                to_record(vg).encode(&holder, 0).len() as u64
            } else {
                0
            },
        }
    }
}

/// Everything one row's getters may read.
pub(super) struct Ctx<'a> {
    pub set: &'a Settings,
    pub vg: Option<(&'a Vg, &'a VgInfo)>,
    pub pv: Option<PvRef<'a>>,
    pub pv_idx: usize,
    pub lv: Option<LvRef<'a>>,
    pub seg: Option<SegRef<'a>>,
    pub pvseg: Option<PvSeg>,
    pub live: LvLive,
}

impl<'a> Ctx<'a> {
    /// The row's real LV, if it has one (not the free-space pseudo LV).
    pub fn real_lv(&self) -> Option<(&'a Lv, usize)> {
        match self.lv {
            Some(LvRef::Lv { lv, idx }) => Some((lv, idx)),
            _ => None,
        }
    }

    /// The derived facts of the row's LV.
    pub fn facts(&self) -> LvFacts {
        match (self.real_lv(), self.vg) {
            (Some((_, idx)), Some((_, info))) => info.lv.get(idx).copied().unwrap_or_default(),
            _ => LvFacts::default(),
        }
    }

    /// The VG's extent size, 0 for PVs outside any VG.
    pub fn extent_size(&self) -> u64 {
        self.vg.map_or(0, |(vg, _)| vg.extent_size)
    }

    /// The name of the VG, "" for orphans (as LVM2's orphan pseudo-VG shows).
    pub fn vg_name(&self) -> &'a str {
        self.vg.map_or("", |(vg, _)| vg.name.as_str())
    }

    /// An LV of the row's VG by index.
    pub fn vg_lv(&self, idx: u32) -> Option<&'a Lv> {
        self.vg.and_then(|(vg, _)| vg.lvs.get(idx as usize))
    }
}
