//! Getters of the LV segment section. rvm segments are linear runs on one PV; free runs of
//! a PV-segment report show as LVM2's `free` segments.

use super::pv::{device_name, UNKNOWN_DEVICE};
use super::{num, size, text};
use crate::cli::report::ctx::{Ctx, Key, PvRef, SegRef};
use crate::meta::model::Segment;
use std::fmt::Write;

fn seg<'a>(c: &Ctx<'a>) -> Option<&'a Segment> {
    match c.seg {
        Some(SegRef::Seg(s)) => Some(s),
        _ => None,
    }
}

fn is_free(c: &Ctx<'_>) -> bool {
    !matches!(c.seg, Some(SegRef::Seg(_)))
}

pub(in crate::cli::report) fn segtype<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(out, if is_free(c) { "free" } else { "linear" })
}

/// One stripe per linear segment; free space has none.
pub(in crate::cli::report) fn stripes<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(out, if is_free(c) { 0 } else { 1 })
}

pub(in crate::cli::report) fn data_copies<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if is_free(c) {
        super::undef_num(c, out)
    } else {
        num(out, 1)
    }
}

/// LVM2 computes `data_copies - 1` unsigned for free space, printing 4294967295.
pub(in crate::cli::report) fn parity_chunks<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if is_free(c) {
        num(out, u32::MAX as u64)
    } else {
        super::undef_num(c, out)
    }
}

/// A snapshot's chunk size; 0 for every other segment.
pub(in crate::cli::report) fn chunk_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let chunk = match (seg(c), c.real_lv()) {
        (Some(_), Some((lv, _))) => lv.snapshot().map_or(0, |s| s.chunk_size),
        _ => 0,
    };
    size(c, out, chunk)
}

pub(in crate::cli::report) fn start<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let start = seg(c).map_or(0, |s| s.lv_start);
    size(c, out, start * c.extent_size())
}

pub(in crate::cli::report) fn start_pe<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(out, seg(c).map_or(0, |s| s.lv_start))
}

fn len(c: &Ctx<'_>) -> u64 {
    match c.seg {
        Some(SegRef::Seg(s)) => s.count,
        Some(SegRef::Free { len }) => len,
        None => 0,
    }
}

pub(in crate::cli::report) fn size_field<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    size(c, out, len(c) * c.extent_size())
}

pub(in crate::cli::report) fn size_pe<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(out, len(c))
}

/// The segment's PV by index into the VG, never by search.
fn seg_device<'a>(c: &Ctx<'a>, s: &Segment) -> std::borrow::Cow<'a, str> {
    match c.vg.and_then(|(vg, _)| vg.pvs.get(s.pv)) {
        Some(pv) => device_name(PvRef::Member(pv)),
        None => UNKNOWN_DEVICE.into(),
    }
}

/// `/dev/sdb:0-4`, the PE range form LVM2 accepts on its command line.
pub(in crate::cli::report) fn pe_ranges<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let Some(s) = seg(c) {
        let _ = write!(
            out,
            "{}:{}-{}",
            seg_device(c, s),
            s.pv_start,
            s.pv_start + s.count.saturating_sub(1)
        );
    }
    Key::List
}

/// `/dev/sdb(0)`: the device and the first extent used on it.
pub(in crate::cli::report) fn devices<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let Some(s) = seg(c) {
        let _ = write!(out, "{}({})", seg_device(c, s), s.pv_start);
    }
    Key::List
}
