//! Getters of the Physical Volume sections (label, PV, PV segment).

use super::vg::{FORMAT_NAME, MDAS_PER_PV};
use super::{bin, num, size, tags, text};
use crate::cli::report::attr::pv_attr;
use crate::cli::report::ctx::{Ctx, Key, PvRef};
use crate::format::layout::Layout;
use std::fmt::Write;
use std::path::Path;

/// The name LVM2 gives a PV whose device is missing.
pub(in crate::cli::report) const UNKNOWN_DEVICE: &str = "[unknown]";

/// The PV-header extension version LVM2 2.03 writes.
const PV_EXT_VERSION: u64 = 2;

/// A PV's device path as reports show it.
pub(in crate::cli::report) fn device_name(pv: PvRef<'_>) -> std::borrow::Cow<'_, str> {
    match pv {
        PvRef::Member(p) if p.missing => UNKNOWN_DEVICE.into(),
        PvRef::Member(p) => p.device.to_string_lossy(),
        PvRef::Orphan(o) => o.device.to_string_lossy(),
    }
}

fn device_path<'a>(pv: PvRef<'a>) -> &'a Path {
    match pv {
        PvRef::Member(p) => &p.device,
        PvRef::Orphan(o) => &o.device,
    }
}

pub(in crate::cli::report) fn fmt<'a>(_: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(out, FORMAT_NAME)
}

pub(in crate::cli::report) fn uuid<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let id = match c.pv {
        Some(PvRef::Member(p)) => Some(p.id),
        Some(PvRef::Orphan(o)) => Some(o.id),
        None => None,
    };
    if let Some(id) = id {
        let _ = write!(out, "{id}");
    }
    Key::Text
}

/// The device's size; 0 for a missing device, whose size LVM2 cannot read.
pub(in crate::cli::report) fn dev_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let bytes = match c.pv {
        Some(PvRef::Member(p)) if !p.missing => p.dev_size,
        Some(PvRef::Orphan(o)) => o.dev_size,
        _ => 0,
    };
    size(c, out, bytes)
}

pub(in crate::cli::report) fn name<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let Some(pv) = c.pv {
        match device_name(pv) {
            std::borrow::Cow::Borrowed(s) => {
                out.push_str(s);
                return Key::Str(s);
            }
            std::borrow::Cow::Owned(s) => out.push_str(&s),
        }
    }
    Key::Text
}

/// The device number of a block-device PV; -1 for files and missing devices.
fn dev_numbers(c: &Ctx<'_>) -> Option<(u64, u64)> {
    use std::os::unix::fs::FileTypeExt;
    use std::os::unix::fs::MetadataExt;
    let pv = c.pv?;
    if matches!(pv, PvRef::Member(p) if p.missing) {
        return None;
    }
    let meta = std::fs::metadata(device_path(pv)).ok()?;
    if !meta.file_type().is_block_device() {
        return None;
    }
    let rdev = meta.rdev();
    Some((libc::major(rdev) as u64, libc::minor(rdev) as u64))
}

pub(in crate::cli::report) fn major<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match dev_numbers(c) {
        Some((maj, _)) => num(out, maj),
        None => super::minus_one(c, out),
    }
}

pub(in crate::cli::report) fn minor<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match dev_numbers(c) {
        Some((_, min)) => num(out, min),
        None => super::minus_one(c, out),
    }
}

pub(in crate::cli::report) fn ext_vsn<'a>(_: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(out, PV_EXT_VERSION)
}

pub(in crate::cli::report) fn pe_start<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let bytes = match c.pv {
        Some(PvRef::Member(p)) => p.pe_start,
        Some(PvRef::Orphan(o)) => o.pe_start,
        None => 0,
    };
    size(c, out, bytes)
}

fn alloc_extents(c: &Ctx<'_>) -> u64 {
    c.vg.and_then(|(_, info)| info.pv_alloc.get(c.pv_idx).copied())
        .unwrap_or(0)
}

/// The data area: extents times extent size in a VG, the whole device for orphans.
pub(in crate::cli::report) fn pv_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let bytes = match c.pv {
        Some(PvRef::Member(p)) if p.pe_count > 0 => p.pe_count * c.extent_size(),
        Some(PvRef::Member(p)) => p.dev_size,
        Some(PvRef::Orphan(o)) => o.dev_size,
        None => 0,
    };
    size(c, out, bytes)
}

pub(in crate::cli::report) fn pv_free<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let bytes = match c.pv {
        Some(PvRef::Member(p)) => p.pe_count.saturating_sub(alloc_extents(c)) * c.extent_size(),
        Some(PvRef::Orphan(o)) => o.dev_size,
        None => 0,
    };
    size(c, out, bytes)
}

pub(in crate::cli::report) fn pv_used<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    size(c, out, alloc_extents(c) * c.extent_size())
}

fn allocatable(c: &Ctx<'_>) -> bool {
    matches!(c.pv, Some(PvRef::Member(p)) if p.allocatable)
}

fn missing(c: &Ctx<'_>) -> bool {
    matches!(c.pv, Some(PvRef::Member(p)) if p.missing)
}

pub(in crate::cli::report) fn attr<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let a = pv_attr(allocatable(c), missing(c));
    out.extend(a.iter().map(|&b| b as char));
    Key::Text
}

pub(in crate::cli::report) fn allocatable_field<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let set = allocatable(c);
    bin(c, out, set, "allocatable")
}

pub(in crate::cli::report) fn exported<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, false, "exported")
}

pub(in crate::cli::report) fn missing_field<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let set = missing(c);
    bin(c, out, set, "missing")
}

pub(in crate::cli::report) fn pe_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let n = match c.pv {
        Some(PvRef::Member(p)) => p.pe_count,
        _ => 0,
    };
    num(out, n)
}

pub(in crate::cli::report) fn pe_alloc_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(out, alloc_extents(c))
}

pub(in crate::cli::report) fn pv_tags<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match c.pv {
        Some(PvRef::Member(p)) => tags(out, &p.tags),
        _ => Key::List,
    }
}

pub(in crate::cli::report) fn mda_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(out, if missing(c) { 0 } else { MDAS_PER_PV })
}

pub(in crate::cli::report) fn in_use<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let used = matches!(c.pv, Some(PvRef::Member(_)));
    bin(c, out, used, "used")
}

pub(in crate::cli::report) fn duplicate<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, false, "duplicate")
}

pub(in crate::cli::report) fn pvseg_start<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(out, c.pvseg.map_or(0, |s| s.start))
}

pub(in crate::cli::report) fn pvseg_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(out, c.pvseg.map_or(0, |s| s.len))
}

/// The PV's on-disk layout (metadata areas and slots); `None` for a missing PV or one whose
/// recorded sizes do not make a layout.
fn layout(pv: PvRef<'_>) -> Option<Layout> {
    match pv {
        PvRef::Member(p) if p.missing => None,
        PvRef::Member(p) => Layout::with_pe_start(p.dev_size, p.pe_start).ok(),
        PvRef::Orphan(o) => Layout::with_pe_start(o.dev_size, o.pe_start).ok(),
    }
}

/// Size of each of a PV's two metadata areas (head and tail are equal); 0 when unknown.
pub(in crate::cli::report) fn pv_mda_bytes(pv: PvRef<'_>) -> u64 {
    layout(pv).map_or(0, |l| l.mda_size)
}

/// Space left for the metadata record: a slot minus the VG's current record (a whole slot on
/// a PV in no VG). A commit writes the record into one of an area's two slots.
pub(in crate::cli::report) fn pv_mda_free_bytes(pv: PvRef<'_>, record_len: u64) -> u64 {
    layout(pv).map_or(0, |l| l.slot_size.saturating_sub(record_len))
}

pub(in crate::cli::report) fn mda_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    size(c, out, c.pv.map_or(0, pv_mda_bytes))
}

pub(in crate::cli::report) fn mda_free<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let record = c.vg.map_or(0, |(_, info)| info.record_len);
    size(c, out, c.pv.map_or(0, |pv| pv_mda_free_bytes(pv, record)))
}
