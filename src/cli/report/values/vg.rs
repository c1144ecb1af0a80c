//! Getters of the Volume Group section. PVs outside any VG report LVM2's orphan pseudo-VG:
//! blank name, `r-----`, zero sizes.

use super::{bin, num, size, string, tags, text, UNKNOWN};
use crate::cli::report::attr::{alloc_name, vg_alloc, vg_attr, ORPHAN_VG_ATTR};
use crate::cli::report::ctx::{Ctx, Key, PvRef, VgInfo};
use crate::meta::model::Vg;
use std::fmt::Write;

/// rvm keeps a metadata area at both ends of every PV.
pub(in crate::cli::report) const MDAS_PER_PV: u64 = 2;

/// The metadata format name LVM2 prints in the Fmt columns; rvm answers as LVM2's text
/// format so that tools filtering on it keep working.
pub(in crate::cli::report) const FORMAT_NAME: &str = "lvm2";

fn with_vg<'a>(
    c: &Ctx<'a>,
    out: &mut String,
    f: impl FnOnce(&'a Vg, &'a VgInfo, &mut String) -> Key<'a>,
) -> Key<'a> {
    match c.vg {
        Some((vg, info)) => f(vg, info, out),
        None => Key::Text,
    }
}

fn vg_num<'a>(c: &Ctx<'a>, out: &mut String, f: impl FnOnce(&Vg, &VgInfo) -> u64) -> Key<'a> {
    num(out, c.vg.map_or(0, |(vg, info)| f(vg, info)))
}

fn vg_size_of<'a>(c: &Ctx<'a>, out: &mut String, f: impl FnOnce(&Vg, &VgInfo) -> u64) -> Key<'a> {
    let bytes = c.vg.map_or(0, |(vg, info)| f(vg, info));
    size(c, out, bytes)
}

pub(in crate::cli::report) fn fmt<'a>(_: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(out, FORMAT_NAME)
}

pub(in crate::cli::report) fn uuid<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    with_vg(c, out, |vg, _, out| {
        let _ = write!(out, "{}", vg.id);
        Key::Text
    })
}

pub(in crate::cli::report) fn name<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    string(out, c.vg_name())
}

pub(in crate::cli::report) fn attr<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match c.vg {
        Some((vg, info)) => {
            let a = vg_attr(vg, info.missing_pvs);
            out.extend(a.iter().map(|&b| b as char));
            Key::Text
        }
        None => text(out, ORPHAN_VG_ATTR),
    }
}

pub(in crate::cli::report) fn permissions<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(
        out,
        if c.vg.is_some() {
            "writeable"
        } else {
            "read-only"
        },
    )
}

pub(in crate::cli::report) fn extendable<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let set = c.vg.is_some_and(|(vg, _)| vg.resizeable);
    bin(c, out, set, "extendable")
}

pub(in crate::cli::report) fn exported<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, false, "exported")
}

pub(in crate::cli::report) fn autoactivation<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, true, "enabled")
}

pub(in crate::cli::report) fn partial<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let set = c.vg.is_some_and(|(_, info)| info.missing_pvs > 0);
    bin(c, out, set, "partial")
}

pub(in crate::cli::report) fn allocation_policy<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(
        out,
        c.vg.map_or(UNKNOWN, |(vg, _)| alloc_name(vg_alloc(vg))),
    )
}

pub(in crate::cli::report) fn clustered<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, false, "clustered")
}

pub(in crate::cli::report) fn shared<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, false, "shared")
}

pub(in crate::cli::report) fn size_field<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_size_of(c, out, |vg, _| vg.extent_count() * vg.extent_size)
}

pub(in crate::cli::report) fn free<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_size_of(c, out, |vg, info| info.free_extents * vg.extent_size)
}

pub(in crate::cli::report) fn extent_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_size_of(c, out, |vg, _| vg.extent_size)
}

pub(in crate::cli::report) fn extent_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |vg, _| vg.extent_count())
}

pub(in crate::cli::report) fn free_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |_, info| info.free_extents)
}

pub(in crate::cli::report) fn max_lv<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |vg, _| vg.max_lv as u64)
}

pub(in crate::cli::report) fn max_pv<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |vg, _| vg.max_pv as u64)
}

pub(in crate::cli::report) fn pv_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |vg, _| vg.pvs.len() as u64)
}

pub(in crate::cli::report) fn missing_pv_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |_, info| info.missing_pvs as u64)
}

/// Visible LVs: a merging snapshot is hidden and not counted, as in LVM2.
pub(in crate::cli::report) fn lv_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |_, info| info.visible_lvs as u64)
}

pub(in crate::cli::report) fn snap_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |_, info| info.snapshots as u64)
}

pub(in crate::cli::report) fn seqno<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |vg, _| vg.seqno)
}

pub(in crate::cli::report) fn vg_tags<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match c.vg {
        Some((vg, _)) => tags(out, &vg.tags),
        None => Key::List,
    }
}

pub(in crate::cli::report) fn mda_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    vg_num(c, out, |vg, _| {
        MDAS_PER_PV * vg.pvs.iter().filter(|p| !p.missing).count() as u64
    })
}

pub(in crate::cli::report) fn mda_copies<'a>(_: &Ctx<'a>, out: &mut String) -> Key<'a> {
    out.push_str("unmanaged");
    Key::Num(u64::MAX)
}

pub(in crate::cli::report) fn zero_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    size(c, out, 0)
}

/// The smallest metadata area of the VG's PVs, as LVM2 defines vg_mda_size.
pub(in crate::cli::report) fn mda_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let bytes = c.vg.map_or(0, |(vg, _)| {
        vg.pvs
            .iter()
            .filter(|p| !p.missing)
            .map(|p| super::pv::pv_mda_bytes(PvRef::Member(p)))
            .min()
            .unwrap_or(0)
    });
    size(c, out, bytes)
}

/// The least free metadata-area space over the VG's PVs, as LVM2 defines vg_mda_free.
pub(in crate::cli::report) fn mda_free<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let bytes = c.vg.map_or(0, |(vg, info)| {
        vg.pvs
            .iter()
            .filter(|p| !p.missing)
            .map(|p| super::pv::pv_mda_free_bytes(PvRef::Member(p), info.record_len))
            .min()
            .unwrap_or(0)
    });
    size(c, out, bytes)
}
