//! Invariants every committed VG keeps. A commit validates before it writes, and a load
//! validates what it read, so a VG that breaks them is never written and never trusted.

use super::error::{MetaError, MetaResult};
use super::model::Vg;
use super::names::{check_lv_name, check_vg_name};
use std::collections::HashSet;

fn bad(vg: &Vg, why: String) -> MetaError {
    MetaError::Inconsistent(vg.name.clone(), why)
}

/// Checks names, ids, segment bounds, that no extent is owned twice, and snapshot links.
pub fn validate(vg: &Vg) -> MetaResult<()> {
    check_vg_name(&vg.name)?;
    if !vg.extent_size.is_power_of_two() || !(4096..=(16 << 30)).contains(&vg.extent_size) {
        return Err(bad(
            vg,
            format!("extent size {} is invalid", vg.extent_size),
        ));
    }
    let mut pv_ids = HashSet::new();
    // Every byte offset the map can produce fits in a u64: a forged count must not wrap.
    let mut total = 0u64;
    for pv in &vg.pvs {
        if !pv_ids.insert(pv.id) {
            return Err(bad(vg, format!("PV {} is listed twice", pv.id)));
        }
        let bytes = pv.pe_count.checked_mul(vg.extent_size);
        match bytes.and_then(|b| Some((b.checked_add(pv.pe_start)?, total.checked_add(b)?))) {
            Some((_, t)) => total = t,
            None => {
                return Err(bad(
                    vg,
                    format!(
                        "PV {} has an impossible size ({} extents)",
                        pv.id, pv.pe_count
                    ),
                ))
            }
        }
    }
    // Extent runs per PV as (start, end, LV index); checked for overlap once all are in.
    // Intervals, not a bitmap: a forged count must cost a comparison, not memory.
    let mut owned: Vec<Vec<(u64, u64, usize)>> = vec![Vec::new(); vg.pvs.len()];
    let mut names = HashSet::new();
    let mut ids = HashSet::new();
    let mut stores = HashSet::new();
    for (li, lv) in vg.lvs.iter().enumerate() {
        check_lv_name(&lv.name).or_else(|e| {
            // Names LVM2 reserves may still arrive from a restored backup of LVM2 origin;
            // only structure matters for consistency.
            if lv.name.is_empty() {
                Err(e)
            } else {
                Ok(())
            }
        })?;
        if !names.insert(lv.name.as_str()) {
            return Err(bad(vg, format!("LV name {} is used twice", lv.name)));
        }
        if !ids.insert(lv.id) {
            return Err(bad(vg, format!("LV id {} is used twice", lv.id)));
        }
        if lv.segments.is_empty() {
            return Err(bad(vg, format!("LV {} has no extents", lv.name)));
        }
        let mut next = 0u64;
        for s in &lv.segments {
            let pv = vg
                .pvs
                .get(s.pv)
                .ok_or_else(|| bad(vg, format!("LV {} names PV #{}", lv.name, s.pv)))?;
            let end = s.pv_start.checked_add(s.count);
            if s.lv_start != next || s.count == 0 || end.is_none_or(|e| e > pv.pe_count) {
                return Err(bad(vg, format!("LV {} has a bad segment {s:?}", lv.name)));
            }
            owned[s.pv].push((s.pv_start, s.pv_start + s.count, li));
            next = next
                .checked_add(s.count)
                .ok_or_else(|| bad(vg, format!("LV {} is impossibly large", lv.name)))?;
        }
        if let Some(snap) = lv.snapshot() {
            let origin = vg.lv_by_id(&snap.origin);
            if origin.is_none_or(|o| o.snapshot().is_some()) {
                return Err(bad(vg, format!("snapshot {} has no origin", lv.name)));
            }
            if !snap.chunk_size.is_power_of_two()
                || !(4096..=(512 << 10)).contains(&snap.chunk_size)
            {
                return Err(bad(
                    vg,
                    format!("snapshot {} has a bad chunk size", lv.name),
                ));
            }
            if !stores.insert(snap.store_id) {
                return Err(bad(
                    vg,
                    format!("snapshot store {} is used twice", snap.store_id),
                ));
            }
        }
    }
    for (pv, runs) in vg.pvs.iter().zip(owned.iter_mut()) {
        runs.sort_unstable();
        for w in runs.windows(2) {
            if w[1].0 < w[0].1 {
                return Err(bad(
                    vg,
                    format!(
                        "LVs {} and {} share extents on PV {}",
                        vg.lvs[w[0].2].name, vg.lvs[w[1].2].name, pv.id
                    ),
                ));
            }
        }
    }
    if vg.max_lv != 0 && vg.lvs.len() > vg.max_lv as usize {
        return Err(bad(vg, "more LVs than max_lv".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::model::*;
    use crate::meta::ops::{self, NewLv};

    fn sample() -> Vg {
        let pv = Pv {
            id: crate::format::id::Id::random(),
            device: "/x".into(),
            dev_size: 0,
            pe_start: 1 << 20,
            pe_count: 100,
            allocatable: true,
            missing: false,
            tags: vec![],
        };
        let mut vg = ops::new_vg("vg", 4 << 20, vec![pv], 0, "h").unwrap();
        for name in ["a", "b"] {
            ops::create_lv(
                &mut vg,
                NewLv {
                    name: name.into(),
                    extents: 10,
                    allowed_pvs: None,
                    alloc: AllocPolicy::Inherit,
                    permission: Permission::ReadWrite,
                    active: true,
                    activation_skip: false,
                    tags: vec![],
                    creation_time: 0,
                    creation_host: String::new(),
                    kind: LvKind::Linear,
                },
            )
            .unwrap();
        }
        vg
    }

    #[test]
    fn catches_what_a_forged_record_could_hold() {
        assert!(validate(&sample()).is_ok());
        let mut v = sample();
        v.lvs[1].segments[0].pv_start = 5; // overlaps a
        assert!(validate(&v).is_err());
        let mut v = sample();
        v.lvs[1].segments[0].pv_start = 95; // runs past the PV
        assert!(validate(&v).is_err());
        let mut v = sample();
        v.lvs[1].segments[0].pv = 7;
        assert!(validate(&v).is_err());
        let mut v = sample();
        v.lvs[1].segments[0].lv_start = 1; // a gap at the start
        assert!(validate(&v).is_err());
        let mut v = sample();
        v.lvs[1].name = "a".into();
        assert!(validate(&v).is_err());
        let mut v = sample();
        v.lvs[1].kind = LvKind::Snapshot(SnapshotInfo {
            origin: crate::format::id::Id::random(),
            chunk_size: 4096,
            store_id: 1,
            merging: false,
        });
        assert!(validate(&v).is_err(), "snapshot without origin");
        let mut v = sample();
        v.extent_size = 3 << 20;
        assert!(validate(&v).is_err());
    }
}
