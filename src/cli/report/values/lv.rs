//! Getters of the Logical Volume sections (LVS, LVSINFO, LVSSTATUS, LVSINFOSTATUS).

use super::{bin, bin_undef, num, size, string, tags, text, UNKNOWN};
use crate::cli::report::attr::{alloc_name, lv_attr};
use crate::cli::report::ctx::{Ctx, Key, LvRef, UNDEF};
use crate::cli::report::time::write_time;
use crate::cli::report::units::{percent_fixed, write_percent};
use crate::meta::model::{Lv, Permission};
use std::fmt::Write;

/// The directory LVM2 prints device-mapper paths under.
const DM_DIR: &str = "/dev/mapper";

fn lv_size(c: &Ctx<'_>, lv: &Lv) -> u64 {
    lv.extent_count() * c.extent_size()
}

pub(in crate::cli::report) fn uuid<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let Some((lv, _)) = c.real_lv() {
        let _ = write!(out, "{}", lv.id);
    }
    Key::Text
}

/// `[name]` for hidden LVs (a merging snapshot); sorts and selects on the bare name.
pub(in crate::cli::report) fn name<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match c.real_lv() {
        Some((lv, _)) if c.facts().hidden => {
            out.push('[');
            out.push_str(&lv.name);
            out.push(']');
            Key::Str(&lv.name)
        }
        Some((lv, _)) => string(out, &lv.name),
        None => Key::Text,
    }
}

fn bare_name<'a>(c: &Ctx<'a>) -> &'a str {
    c.real_lv().map_or("", |(lv, _)| lv.name.as_str())
}

pub(in crate::cli::report) fn full_name<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    out.push_str(c.vg_name());
    out.push('/');
    out.push_str(bare_name(c));
    Key::Text
}

/// `/dev/VG/LV`, the path LVM2 reports for visible LVs (rvm creates no such node).
pub(in crate::cli::report) fn path<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if !c.vg_name().is_empty() && !c.facts().hidden {
        out.push_str("/dev/");
        out.push_str(c.vg_name());
        out.push('/');
        out.push_str(bare_name(c));
    }
    Key::Text
}

/// Appends a device-mapper name component, doubling dashes as libdm does.
fn push_dm_escaped(out: &mut String, name: &str) {
    for ch in name.chars() {
        if ch == '-' {
            out.push('-');
        }
        out.push(ch);
    }
}

pub(in crate::cli::report) fn dm_path<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if !c.vg_name().is_empty() {
        out.push_str(DM_DIR);
        out.push('/');
        push_dm_escaped(out, c.vg_name());
        out.push('-');
        push_dm_escaped(out, bare_name(c));
    }
    Key::Text
}

pub(in crate::cli::report) fn layout<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(
        out,
        if c.real_lv().is_some() {
            "linear"
        } else {
            UNKNOWN
        },
    )
}

pub(in crate::cli::report) fn role<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let facts = c.facts();
    out.push_str("public");
    if facts.snapshots > 0 {
        out.push_str(",origin,thickorigin");
    } else if c.real_lv().is_some_and(|(lv, _)| lv.snapshot().is_some()) {
        out.push_str(",snapshot,thicksnapshot");
    }
    Key::List
}

pub(in crate::cli::report) fn merging<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let merging = c.facts().merging_origin
        || c.real_lv()
            .and_then(|(lv, _)| lv.snapshot())
            .is_some_and(|s| s.merging);
    bin(c, out, merging, "merging")
}

pub(in crate::cli::report) fn allocation_policy<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(
        out,
        c.real_lv().map_or(UNKNOWN, |(lv, _)| alloc_name(lv.alloc)),
    )
}

pub(in crate::cli::report) fn skip_activation<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let skip = c.real_lv().is_some_and(|(lv, _)| lv.activation_skip);
    bin(c, out, skip, "skip activation")
}

pub(in crate::cli::report) fn autoactivation<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, true, "enabled")
}

fn is_active(c: &Ctx<'_>) -> bool {
    c.real_lv().is_some_and(|(lv, _)| lv.active)
}

/// `active` or blank: rvm's activation is the persisted flag, LVM2's is the kernel's.
pub(in crate::cli::report) fn active<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(out, if is_active(c) { "active" } else { "" })
}

pub(in crate::cli::report) fn active_locally<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, is_active(c), "active locally")
}

pub(in crate::cli::report) fn active_remotely<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, false, "active remotely")
}

pub(in crate::cli::report) fn active_exclusively<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, is_active(c), "active exclusively")
}

/// `auto`, as LVM2 shows for the default read-ahead; the free-space pseudo LV shows 0.
pub(in crate::cli::report) fn read_ahead<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if c.real_lv().is_some() {
        out.push_str("auto");
        Key::Size(UNDEF)
    } else {
        size(c, out, 0)
    }
}

pub(in crate::cli::report) fn size_field<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let bytes = c.real_lv().map_or(0, |(lv, _)| lv_size(c, lv));
    size(c, out, bytes)
}

pub(in crate::cli::report) fn seg_count<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    num(
        out,
        c.real_lv().map_or(0, |(lv, _)| lv.segments.len() as u64),
    )
}

fn origin_lv<'a>(c: &Ctx<'a>) -> Option<&'a Lv> {
    c.facts().origin.and_then(|o| c.vg_lv(o))
}

pub(in crate::cli::report) fn origin<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match origin_lv(c) {
        Some(o) => string(out, &o.name),
        None => Key::Text,
    }
}

pub(in crate::cli::report) fn origin_uuid<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let Some(o) = origin_lv(c) {
        let _ = write!(out, "{}", o.id);
    }
    Key::Text
}

/// A snapshot's origin size, or an origin's own size; blank otherwise.
pub(in crate::cli::report) fn origin_size<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let Some(o) = origin_lv(c) {
        return size(c, out, lv_size(c, o));
    }
    match c.real_lv() {
        Some((lv, _)) if c.facts().snapshots > 0 => size(c, out, lv_size(c, lv)),
        _ => Key::Size(0),
    }
}

/// A snapshot's ancestor is its origin.
pub(in crate::cli::report) fn ancestors<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let Some(o) = origin_lv(c) {
        out.push_str(&o.name);
    }
    Key::List
}

/// An origin's descendants are its snapshots, in the order they were taken.
pub(in crate::cli::report) fn descendants<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let (Some((lv, _)), Some((vg, _))) = (c.real_lv(), c.vg) {
        if c.facts().snapshots > 0 {
            for (i, s) in vg.snapshots_of(&lv.id).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&s.name);
            }
        }
    }
    Key::List
}

pub(in crate::cli::report) fn lv_tags<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match c.real_lv() {
        Some((lv, _)) => tags(out, &lv.tags),
        None => Key::List,
    }
}

pub(in crate::cli::report) fn time<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let ts = c.real_lv().map_or(0, |(lv, _)| lv.creation_time);
    write_time(out, ts);
    Key::Time(ts)
}

pub(in crate::cli::report) fn time_removed<'a>(_: &Ctx<'a>, _: &mut String) -> Key<'a> {
    Key::Time(0)
}

pub(in crate::cli::report) fn host<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    match c.real_lv() {
        Some((lv, _)) => string(out, &lv.creation_host),
        None => Key::Text,
    }
}

/// The kernel modules LVM2 would load: `snapshot` for origins and snapshots.
pub(in crate::cli::report) fn modules<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let snap = c.real_lv().is_some_and(|(lv, _)| lv.snapshot().is_some());
    if snap || c.facts().snapshots > 0 {
        out.push_str("snapshot");
    }
    Key::List
}

pub(in crate::cli::report) fn historical<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, false, "historical")
}

/// LVM2 says `unknown` for a writable LV it cannot see in the kernel; rvm follows that for
/// inactive LVs and reports `writeable` for active ones.
pub(in crate::cli::report) fn permissions<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let perms = match c.real_lv() {
        Some((lv, _)) => match lv.permission {
            Permission::ReadOnly => "read-only",
            Permission::ReadWrite if lv.active => "writeable",
            Permission::ReadWrite => UNKNOWN,
        },
        None => UNKNOWN,
    };
    text(out, perms)
}

/// A device-info flag: known only for active LVs, as LVM2 knows it only for live tables.
fn info_bin<'a>(c: &Ctx<'a>, out: &mut String, set: bool, word: &str) -> Key<'a> {
    if is_active(c) {
        bin(c, out, set, word)
    } else {
        bin_undef(c, out)
    }
}

pub(in crate::cli::report) fn suspended<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    info_bin(c, out, false, "suspended")
}

pub(in crate::cli::report) fn live_table<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    info_bin(c, out, true, "live table present")
}

pub(in crate::cli::report) fn inactive_table<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    info_bin(c, out, false, "inactive table present")
}

pub(in crate::cli::report) fn device_open<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    info_bin(c, out, c.live.open, "open")
}

/// Data%/Snap%: the engine's figure for snapshots (store use) and merging origins.
pub(in crate::cli::report) fn data_percent<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let applies =
        c.real_lv().is_some_and(|(lv, _)| lv.snapshot().is_some()) || c.facts().merging_origin;
    match c.live.data_percent {
        Some(p) if applies && !c.live.invalid => {
            write_percent(out, p);
            Key::Pct(percent_fixed(p) as u64)
        }
        _ => Key::Pct(UNDEF),
    }
}

pub(in crate::cli::report) fn health<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    text(out, if c.facts().partial { "partial" } else { "" })
}

fn snapshot_status<'a>(c: &Ctx<'a>, out: &mut String, set: bool, word: &str) -> Key<'a> {
    let snap = c.real_lv().is_some_and(|(lv, _)| lv.snapshot().is_some());
    if snap && is_active(c) {
        bin(c, out, set, word)
    } else {
        bin_undef(c, out)
    }
}

pub(in crate::cli::report) fn merge_failed<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    snapshot_status(c, out, false, "merge failed")
}

pub(in crate::cli::report) fn snapshot_invalid<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    let invalid = c.live.invalid;
    snapshot_status(c, out, invalid, "snapshot invalid")
}

pub(in crate::cli::report) fn attr<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    if let Some(LvRef::Lv { lv, .. }) = c.lv {
        let a = lv_attr(lv, &c.facts(), &c.live);
        out.extend(a.iter().map(|&b| b as char));
    }
    Key::Text
}
