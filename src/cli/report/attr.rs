//! The attribute strings: lv_attr (10 characters), vg_attr (6) and pv_attr (3), with LVM2's
//! letters. rvm has no device-mapper, so an LV's state comes from its persisted activation
//! flag and the engine's live figures, where LVM2 would ask the kernel.

use super::ctx::LvFacts;
use super::LvLive;
use crate::meta::model::{AllocPolicy, Lv, Permission, Vg};

/// LVM2's one-letter allocation policy codes.
pub(super) fn alloc_char(alloc: AllocPolicy) -> u8 {
    match alloc {
        AllocPolicy::Contiguous => b'c',
        AllocPolicy::Cling => b'l',
        AllocPolicy::Normal => b'n',
        AllocPolicy::Anywhere => b'a',
        AllocPolicy::Inherit => b'i',
    }
}

/// LVM2's allocation policy names.
pub(super) fn alloc_name(alloc: AllocPolicy) -> &'static str {
    match alloc {
        AllocPolicy::Contiguous => "contiguous",
        AllocPolicy::Cling => "cling",
        AllocPolicy::Normal => "normal",
        AllocPolicy::Anywhere => "anywhere",
        AllocPolicy::Inherit => "inherit",
    }
}

/// A VG cannot inherit a policy; LVM2 VGs default to `normal`.
pub(super) fn vg_alloc(vg: &Vg) -> AllocPolicy {
    match vg.alloc {
        AllocPolicy::Inherit => AllocPolicy::Normal,
        a => a,
    }
}

/// lv_attr: type, permission, allocation, fixed minor, state, open, target, zero, health,
/// skip activation.
pub(super) fn lv_attr(lv: &Lv, facts: &LvFacts, live: &LvLive) -> [u8; 10] {
    let snapshot = lv.snapshot();
    let mut a = [b'-'; 10];
    a[0] = if facts.snapshots > 0 {
        if facts.merging_origin {
            b'O'
        } else {
            b'o'
        }
    } else if let Some(s) = snapshot {
        if s.merging {
            b'S'
        } else {
            b's'
        }
    } else {
        b'-'
    };
    a[1] = match lv.permission {
        Permission::ReadWrite => b'w',
        Permission::ReadOnly => b'r',
    };
    a[2] = alloc_char(lv.alloc);
    if lv.active {
        // LVM2 reports an invalid snapshot only while its table is live.
        a[4] = if snapshot.is_some() && live.invalid {
            b'I'
        } else {
            b'a'
        };
        a[5] = if live.open { b'o' } else { b'-' };
    }
    if facts.snapshots > 0 || snapshot.is_some() {
        a[6] = b's';
    }
    if facts.partial {
        a[8] = b'p';
    }
    if lv.activation_skip {
        a[9] = b'k';
    }
    a
}

/// vg_attr: permission, resizeable, exported, partial, allocation, clustered/shared.
pub(super) fn vg_attr(vg: &Vg, missing_pvs: u32) -> [u8; 6] {
    [
        b'w',
        if vg.resizeable { b'z' } else { b'-' },
        b'-',
        if missing_pvs > 0 { b'p' } else { b'-' },
        alloc_char(vg_alloc(vg)),
        b'-',
    ]
}

/// vg_attr of the orphan pseudo-VG that PVs outside any VG report.
pub(super) const ORPHAN_VG_ATTR: &str = "r-----";

/// pv_attr: allocatable, exported, missing.
pub(super) fn pv_attr(allocatable: bool, missing: bool) -> [u8; 3] {
    [
        if allocatable { b'a' } else { b'-' },
        b'-',
        if missing { b'm' } else { b'-' },
    ]
}
