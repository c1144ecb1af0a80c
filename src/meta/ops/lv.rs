//! LV changes: create, remove, resize, rename, change.

use crate::format::id::Id;
use crate::meta::alloc::{allocate, usable_pvs, Area, FreeMap};
use crate::meta::error::{MetaError, MetaResult};
use crate::meta::model::*;
use crate::meta::names::{check_lv_name, check_tag};

/// What `lvcreate` asks for.
#[derive(Debug, Clone)]
pub struct NewLv {
    pub name: String,
    pub extents: u64,
    /// PV indices allocation may use; `None` means every PV.
    pub allowed_pvs: Option<Vec<usize>>,
    pub alloc: AllocPolicy,
    pub permission: Permission,
    pub active: bool,
    pub activation_skip: bool,
    pub tags: Vec<String>,
    pub creation_time: u64,
    pub creation_host: String,
    /// `LvKind::Snapshot` for a snapshot's exception store (used by the engine).
    pub kind: LvKind,
}

fn lv_index(vg: &Vg, name: &str) -> MetaResult<usize> {
    vg.lvs
        .iter()
        .position(|lv| lv.name == name)
        .ok_or_else(|| MetaError::LvNotFound {
            vg: vg.name.clone(),
            lv: name.to_string(),
        })
}

fn effective_policy(vg: &Vg, lv: AllocPolicy) -> AllocPolicy {
    match (lv, vg.alloc) {
        (AllocPolicy::Inherit, AllocPolicy::Inherit) => AllocPolicy::Normal,
        (AllocPolicy::Inherit, v) => v,
        (l, _) => l,
    }
}

fn segments_from(areas: &[Area], mut lv_start: u64) -> Vec<Segment> {
    areas
        .iter()
        .map(|a| {
            let s = Segment {
                lv_start,
                count: a.count,
                pv: a.pv,
                pv_start: a.start,
            };
            lv_start += a.count;
            s
        })
        .collect()
}

fn no_space(vg: &Vg, usable: &[bool], need: u64) -> MetaError {
    MetaError::InsufficientSpace {
        vg: vg.name.clone(),
        free: FreeMap::of(vg).free(|i| usable[i]),
        need,
    }
}

/// Lowest store id no snapshot uses, for a new snapshot.
pub fn next_store_id(vg: &Vg) -> u32 {
    let used: Vec<u32> = vg
        .lvs
        .iter()
        .filter_map(|lv| lv.snapshot().map(|s| s.store_id))
        .collect();
    (1..).find(|i| !used.contains(i)).unwrap_or(u32::MAX)
}

/// Creates an LV and returns its index in `vg.lvs`.
pub fn create_lv(vg: &mut Vg, req: NewLv) -> MetaResult<usize> {
    check_lv_name(&req.name)?;
    if vg.lv(&req.name).is_some() {
        return Err(MetaError::LvExists {
            vg: vg.name.clone(),
            lv: req.name,
        });
    }
    if vg.max_lv != 0 && vg.lvs.len() >= vg.max_lv as usize {
        return Err(MetaError::Refused(format!(
            "Maximum number of logical volumes ({}) reached in volume group {}",
            vg.max_lv, vg.name
        )));
    }
    if req.extents == 0 {
        return Err(MetaError::Refused(
            "Unable to create new logical volume with no extents.".into(),
        ));
    }
    let tags = req
        .tags
        .iter()
        .map(|t| check_tag(t))
        .collect::<MetaResult<Vec<_>>>()?;
    let usable = usable_pvs(vg, req.allowed_pvs.as_deref());
    let policy = effective_policy(vg, req.alloc);
    let areas = allocate(vg, req.extents, &usable, policy, None)
        .ok_or_else(|| no_space(vg, &usable, req.extents))?;
    vg.lvs.push(Lv {
        name: req.name,
        id: Id::random(),
        permission: req.permission,
        active: req.active,
        activation_skip: req.activation_skip,
        alloc: req.alloc,
        creation_time: req.creation_time,
        creation_host: req.creation_host,
        tags,
        kind: req.kind,
        segments: segments_from(&areas, 0),
    });
    Ok(vg.lvs.len() - 1)
}

/// Removes an LV; an origin goes only together with its snapshots, and only when asked.
/// Returns the removed LVs, the named one first.
pub fn remove_lv(vg: &mut Vg, name: &str, with_snapshots: bool) -> MetaResult<Vec<Lv>> {
    let idx = lv_index(vg, name)?;
    let id = vg.lvs[idx].id;
    let snaps: Vec<String> = vg.snapshots_of(&id).map(|s| s.name.clone()).collect();
    if !snaps.is_empty() && !with_snapshots {
        return Err(MetaError::Refused(format!(
            "Logical volume {}/{} is used as origin by snapshot {}",
            vg.name, name, snaps[0]
        )));
    }
    let mut removed = vec![vg.lvs.remove(idx)];
    for s in snaps {
        if let Ok(i) = lv_index(vg, &s) {
            removed.push(vg.lvs.remove(i));
        }
    }
    Ok(removed)
}

/// Sets an LV's size in extents; growth is allocated (continuing the last segment where it
/// can), shrinking drops extents from the end. Returns the old size.
pub fn resize_lv(
    vg: &mut Vg,
    name: &str,
    new_extents: u64,
    allowed_pvs: Option<&[usize]>,
    alloc: AllocPolicy,
) -> MetaResult<u64> {
    let idx = lv_index(vg, name)?;
    let old = vg.lvs[idx].extent_count();
    if new_extents == 0 {
        return Err(MetaError::Refused(format!(
            "Logical volume {}/{} cannot be reduced to zero extents.",
            vg.name, name
        )));
    }
    if new_extents > old {
        let need = new_extents - old;
        let usable = usable_pvs(vg, allowed_pvs);
        let last = vg.lvs[idx].segments.last().copied();
        let after = last.map(|s| (s.pv, s.pv_start + s.count));
        let lv_alloc = if alloc == AllocPolicy::Inherit {
            vg.lvs[idx].alloc
        } else {
            alloc
        };
        let policy = effective_policy(vg, lv_alloc);
        let areas = allocate(vg, need, &usable, policy, after)
            .ok_or_else(|| no_space(vg, &usable, need))?;
        let lv = &mut vg.lvs[idx];
        for s in segments_from(&areas, old) {
            match lv.segments.last_mut() {
                Some(l) if l.pv == s.pv && l.pv_start + l.count == s.pv_start => l.count += s.count,
                _ => lv.segments.push(s),
            }
        }
    } else if new_extents < old {
        let lv = &mut vg.lvs[idx];
        lv.segments.retain(|s| s.lv_start < new_extents);
        if let Some(l) = lv.segments.last_mut() {
            l.count = new_extents - l.lv_start;
        }
    }
    Ok(old)
}

/// Renames an LV within its VG.
pub fn rename_lv(vg: &mut Vg, old: &str, new: &str) -> MetaResult<()> {
    check_lv_name(new)?;
    let idx = lv_index(vg, old)?;
    if vg.lv(new).is_some() {
        return Err(MetaError::LvExists {
            vg: vg.name.clone(),
            lv: new.to_string(),
        });
    }
    vg.lvs[idx].name = new.to_string();
    Ok(())
}

/// What `lvchange` (and `vgchange -a` per LV) may set.
#[derive(Debug, Clone, Default)]
pub struct LvChange {
    pub permission: Option<Permission>,
    pub active: Option<bool>,
    pub activation_skip: Option<bool>,
    pub add_tags: Vec<String>,
    pub del_tags: Vec<String>,
}

/// Applies `change` to an LV; returns whether anything changed.
pub fn change_lv(vg: &mut Vg, name: &str, change: &LvChange) -> MetaResult<bool> {
    let idx = lv_index(vg, name)?;
    let add = change
        .add_tags
        .iter()
        .map(|t| check_tag(t))
        .collect::<MetaResult<Vec<_>>>()?;
    let del = change
        .del_tags
        .iter()
        .map(|t| check_tag(t))
        .collect::<MetaResult<Vec<_>>>()?;
    let lv = &mut vg.lvs[idx];
    if change.permission == Some(Permission::ReadWrite) && lv.snapshot().is_some_and(|s| s.merging)
    {
        return Err(MetaError::Refused(format!(
            "Cannot change permissions of merging snapshot {name}."
        )));
    }
    let before = lv.clone();
    if let Some(p) = change.permission {
        lv.permission = p;
    }
    if let Some(a) = change.active {
        lv.active = a;
    }
    if let Some(k) = change.activation_skip {
        lv.activation_skip = k;
    }
    for t in add {
        if !lv.tags.contains(&t) {
            lv.tags.push(t);
        }
    }
    lv.tags.retain(|t| !del.contains(t));
    Ok(*lv != before)
}
