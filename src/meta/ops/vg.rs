//! VG and PV changes: create, extend, reduce, remove missing PVs, rename, change, resize a PV.

use super::lv::{change_lv, LvChange};
use crate::format::id::Id;
use crate::meta::alloc::FreeMap;
use crate::meta::error::{MetaError, MetaResult};
use crate::meta::model::*;
use crate::meta::names::{check_tag, check_vg_name};

/// Checks an extent size the way LVM2 constrains `vgcreate -s`.
pub fn check_extent_size(bytes: u64) -> MetaResult<()> {
    if !bytes.is_power_of_two() || !(4096..=(16 << 30)).contains(&bytes) {
        return Err(MetaError::Refused(format!(
            "Invalid physical extent size {bytes} bytes: a power of two from 4 KiB to 16 GiB is needed."
        )));
    }
    Ok(())
}

/// A new VG over `pvs` (whose `pe_count` the caller derived from the extent size).
pub fn new_vg(
    name: &str,
    extent_size: u64,
    pvs: Vec<Pv>,
    creation_time: u64,
    creation_host: &str,
) -> MetaResult<Vg> {
    check_vg_name(name)?;
    check_extent_size(extent_size)?;
    if pvs.is_empty() {
        return Err(MetaError::Refused(
            "Please enter physical volume name(s)".into(),
        ));
    }
    if let Some(pv) = pvs.iter().find(|p| p.pe_count == 0) {
        return Err(MetaError::Refused(format!(
            "Physical volume {} is too small for extent size {extent_size}",
            pv.device.display()
        )));
    }
    Ok(Vg {
        name: name.to_string(),
        id: Id::random(),
        seqno: 0,
        extent_size,
        resizeable: true,
        max_lv: 0,
        max_pv: 0,
        alloc: AllocPolicy::Normal,
        creation_time,
        creation_host: creation_host.to_string(),
        tags: vec![],
        pvs,
        lvs: vec![],
    })
}

/// Adds orphan PVs to a VG.
pub fn extend_vg(vg: &mut Vg, pvs: Vec<Pv>) -> MetaResult<()> {
    if !vg.resizeable {
        return Err(MetaError::Refused(format!(
            "Volume group {} is not resizeable.",
            vg.name
        )));
    }
    if vg.max_pv != 0 && vg.pvs.len() + pvs.len() > vg.max_pv as usize {
        return Err(MetaError::Refused(format!(
            "Maximum number of physical volumes ({}) exceeded for volume group {}",
            vg.max_pv, vg.name
        )));
    }
    for pv in &pvs {
        if vg.pvs.iter().any(|p| p.id == pv.id) {
            return Err(MetaError::PvInVg {
                path: pv.device.display().to_string(),
                vg: vg.name.clone(),
            });
        }
        if pv.pe_count == 0 {
            return Err(MetaError::Refused(format!(
                "Physical volume {} is too small for extent size {}",
                pv.device.display(),
                vg.extent_size
            )));
        }
    }
    vg.pvs.extend(pvs);
    Ok(())
}

/// Drops PVs (by index) from the list and renumbers the segments that point past them; the
/// PVs must hold no extents.
fn drop_pvs(vg: &mut Vg, remove: &[usize]) {
    let mut new_index = Vec::with_capacity(vg.pvs.len());
    let mut next = 0;
    for i in 0..vg.pvs.len() {
        new_index.push(next);
        if !remove.contains(&i) {
            next += 1;
        }
    }
    for lv in &mut vg.lvs {
        for s in &mut lv.segments {
            s.pv = new_index[s.pv];
        }
    }
    let mut i = 0;
    vg.pvs.retain(|_| {
        let keep = !remove.contains(&i);
        i += 1;
        keep
    });
}

fn pv_in_use(vg: &Vg, pv: usize) -> Option<&Lv> {
    vg.lvs
        .iter()
        .find(|lv| lv.segments.iter().any(|s| s.pv == pv))
}

/// Removes unused PVs (by index) from a VG; the last PV cannot be removed this way.
pub fn reduce_vg(vg: &mut Vg, pvs: &[usize]) -> MetaResult<()> {
    if !vg.resizeable {
        return Err(MetaError::Refused(format!(
            "Volume group {} is not resizeable.",
            vg.name
        )));
    }
    for &i in pvs {
        let pv = vg
            .pvs
            .get(i)
            .ok_or_else(|| MetaError::PvNotFound(format!("#{i}")))?;
        if pv_in_use(vg, i).is_some() {
            return Err(MetaError::Refused(format!(
                "Physical volume \"{}\" still in use",
                pv.device.display()
            )));
        }
    }
    if pvs.len() >= vg.pvs.len() {
        let last = pvs
            .last()
            .map_or(String::new(), |&i| vg.pvs[i].device.display().to_string());
        return Err(MetaError::Refused(format!(
            "Can't remove final physical volume \"{last}\" from volume group \"{}\"",
            vg.name
        )));
    }
    drop_pvs(vg, pvs);
    Ok(())
}

/// `vgreduce --removemissing`: drops missing PVs; LVs on them are removed only with `force`.
/// Returns the names of removed LVs.
pub fn remove_missing(vg: &mut Vg, force: bool) -> MetaResult<Vec<String>> {
    let missing: Vec<usize> = (0..vg.pvs.len()).filter(|&i| vg.pvs[i].missing).collect();
    let mut doomed: Vec<Id> = vg
        .lvs
        .iter()
        .filter(|lv| lv.segments.iter().any(|s| missing.contains(&s.pv)))
        .map(|lv| lv.id)
        .collect();
    // A snapshot goes with its origin, as LVM2 removes them together.
    let snaps: Vec<Id> = vg
        .lvs
        .iter()
        .filter(|lv| lv.snapshot().is_some_and(|s| doomed.contains(&s.origin)))
        .map(|lv| lv.id)
        .collect();
    doomed.extend(snaps);
    if !doomed.is_empty() && !force {
        let names: Vec<&str> = vg
            .lvs
            .iter()
            .filter(|lv| doomed.contains(&lv.id))
            .map(|lv| lv.name.as_str())
            .collect();
        return Err(MetaError::Refused(format!(
            "There are still partial LVs in VG {}: {} (use --force to remove them).",
            vg.name,
            names.join(", ")
        )));
    }
    let removed = vg
        .lvs
        .iter()
        .filter(|lv| doomed.contains(&lv.id))
        .map(|lv| lv.name.clone())
        .collect();
    vg.lvs.retain(|lv| !doomed.contains(&lv.id));
    drop_pvs(vg, &missing);
    Ok(removed)
}

/// Renames a VG (the caller checks that no other VG has the new name).
pub fn rename_vg(vg: &mut Vg, new: &str) -> MetaResult<()> {
    check_vg_name(new)?;
    vg.name = new.to_string();
    Ok(())
}

/// What `vgchange` may set.
#[derive(Debug, Clone, Default)]
pub struct VgChange {
    pub resizeable: Option<bool>,
    /// `-a y|n`; with `ignore_skip` (`-K`) LVs marked to skip activation are activated too.
    pub activate: Option<bool>,
    pub ignore_skip: bool,
    pub add_tags: Vec<String>,
    pub del_tags: Vec<String>,
    pub max_lv: Option<u32>,
    pub max_pv: Option<u32>,
    pub alloc: Option<AllocPolicy>,
}

/// Applies `change` to a VG; returns whether anything changed.
pub fn change_vg(vg: &mut Vg, change: &VgChange) -> MetaResult<bool> {
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
    if let Some(m) = change.max_lv {
        if m != 0 && (m as usize) < vg.lvs.len() {
            return Err(MetaError::Refused(format!(
                "MaxLogicalVolume is less than the current number {} of LVs for {}",
                vg.lvs.len(),
                vg.name
            )));
        }
    }
    let before = vg.clone();
    if let Some(r) = change.resizeable {
        vg.resizeable = r;
    }
    if let Some(m) = change.max_lv {
        vg.max_lv = m;
    }
    if let Some(m) = change.max_pv {
        vg.max_pv = m;
    }
    if let Some(a) = change.alloc {
        vg.alloc = a;
    }
    for t in add {
        if !vg.tags.contains(&t) {
            vg.tags.push(t);
        }
    }
    vg.tags.retain(|t| !del.contains(t));
    if let Some(a) = change.activate {
        let names: Vec<String> = vg
            .lvs
            .iter()
            .filter(|lv| !a || !lv.activation_skip || change.ignore_skip)
            .map(|lv| lv.name.clone())
            .collect();
        for n in names {
            change_lv(
                vg,
                &n,
                &LvChange {
                    active: Some(a),
                    ..LvChange::default()
                },
            )?;
        }
    }
    Ok(*vg != before)
}

/// Gives PV `pv` a new size; shrinking is refused when it would cut through allocated
/// extents.
pub fn resize_pv(vg: &mut Vg, pv: usize, dev_size: u64, pe_count: u64) -> MetaResult<()> {
    let p = vg
        .pvs
        .get(pv)
        .ok_or_else(|| MetaError::PvNotFound(format!("#{pv}")))?;
    if pe_count < p.pe_count {
        let highest_used = vg
            .lvs
            .iter()
            .flat_map(|lv| lv.segments.iter())
            .filter(|s| s.pv == pv)
            .map(|s| s.pv_start + s.count)
            .max()
            .unwrap_or(0);
        if highest_used > pe_count {
            return Err(MetaError::Refused(format!(
                "Cannot resize physical volume {} to {pe_count} extents as later ones are allocated.",
                p.device.display()
            )));
        }
    }
    let p = &mut vg.pvs[pv];
    p.dev_size = dev_size;
    p.pe_count = pe_count;
    Ok(())
}

/// Free extents of the whole VG.
pub fn vg_free_extents(vg: &Vg) -> u64 {
    FreeMap::of(vg).free(|_| true)
}
