//! The one place where on-disk records become the live model and back.

use super::model::*;
use crate::format::record::*;
use std::path::PathBuf;

fn alloc_code(a: AllocPolicy) -> u8 {
    match a {
        AllocPolicy::Inherit => 0,
        AllocPolicy::Normal => 1,
        AllocPolicy::Contiguous => 2,
        AllocPolicy::Cling => 3,
        AllocPolicy::Anywhere => 4,
    }
}

fn alloc_policy(code: u8) -> AllocPolicy {
    match code {
        1 => AllocPolicy::Normal,
        2 => AllocPolicy::Contiguous,
        3 => AllocPolicy::Cling,
        4 => AllocPolicy::Anywhere,
        _ => AllocPolicy::Inherit,
    }
}

fn bit(flags: u32, b: u32) -> bool {
    flags & b != 0
}

fn set(on: bool, b: u32) -> u32 {
    if on {
        b
    } else {
        0
    }
}

/// The record to write for `vg`.
pub fn to_record(vg: &Vg) -> VgRecord {
    VgRecord {
        name: vg.name.clone(),
        id: vg.id,
        seqno: vg.seqno,
        extent_size: vg.extent_size,
        flags: set(vg.resizeable, VG_RESIZEABLE),
        max_lv: vg.max_lv,
        max_pv: vg.max_pv,
        alloc: alloc_code(vg.alloc),
        creation_time: vg.creation_time,
        creation_host: vg.creation_host.clone(),
        tags: vg.tags.clone(),
        pvs: vg
            .pvs
            .iter()
            .map(|pv| PvRecord {
                id: pv.id,
                device_hint: pv.device.display().to_string(),
                dev_size: pv.dev_size,
                pe_start: pv.pe_start,
                pe_count: pv.pe_count,
                flags: set(pv.allocatable, PV_ALLOCATABLE),
                tags: pv.tags.clone(),
            })
            .collect(),
        lvs: vg
            .lvs
            .iter()
            .map(|lv| LvRecord {
                name: lv.name.clone(),
                id: lv.id,
                flags: set(lv.permission == Permission::ReadOnly, LV_READ_ONLY)
                    | set(lv.active, LV_ACTIVE)
                    | set(lv.activation_skip, LV_ACTIVATION_SKIP),
                alloc: alloc_code(lv.alloc),
                creation_time: lv.creation_time,
                creation_host: lv.creation_host.clone(),
                tags: lv.tags.clone(),
                snapshot: lv.snapshot().map(|s| SnapshotRecord {
                    origin: s.origin,
                    chunk_size: s.chunk_size,
                    store_id: s.store_id,
                    flags: set(s.merging, SNAP_MERGING),
                }),
                segments: lv
                    .segments
                    .iter()
                    .map(|s| SegmentRecord {
                        lv_start: s.lv_start,
                        count: s.count,
                        pv: s.pv as u32,
                        pv_start: s.pv_start,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The model of a record; PVs are marked missing and placed by the caller after scanning.
pub fn from_record(r: &VgRecord) -> Vg {
    Vg {
        name: r.name.clone(),
        id: r.id,
        seqno: r.seqno,
        extent_size: r.extent_size,
        resizeable: bit(r.flags, VG_RESIZEABLE),
        max_lv: r.max_lv,
        max_pv: r.max_pv,
        alloc: alloc_policy(r.alloc),
        creation_time: r.creation_time,
        creation_host: r.creation_host.clone(),
        tags: r.tags.clone(),
        pvs: r
            .pvs
            .iter()
            .map(|p| Pv {
                id: p.id,
                device: PathBuf::from(&p.device_hint),
                dev_size: p.dev_size,
                pe_start: p.pe_start,
                pe_count: p.pe_count,
                allocatable: bit(p.flags, PV_ALLOCATABLE),
                missing: false,
                tags: p.tags.clone(),
            })
            .collect(),
        lvs: r
            .lvs
            .iter()
            .map(|l| Lv {
                name: l.name.clone(),
                id: l.id,
                permission: if bit(l.flags, LV_READ_ONLY) {
                    Permission::ReadOnly
                } else {
                    Permission::ReadWrite
                },
                active: bit(l.flags, LV_ACTIVE),
                activation_skip: bit(l.flags, LV_ACTIVATION_SKIP),
                alloc: alloc_policy(l.alloc),
                creation_time: l.creation_time,
                creation_host: l.creation_host.clone(),
                tags: l.tags.clone(),
                kind: match &l.snapshot {
                    None => LvKind::Linear,
                    Some(s) => LvKind::Snapshot(SnapshotInfo {
                        origin: s.origin,
                        chunk_size: s.chunk_size,
                        store_id: s.store_id,
                        merging: bit(s.flags, SNAP_MERGING),
                    }),
                },
                segments: l
                    .segments
                    .iter()
                    .map(|s| Segment {
                        lv_start: s.lv_start,
                        count: s.count,
                        pv: s.pv as usize,
                        pv_start: s.pv_start,
                    })
                    .collect(),
            })
            .collect(),
    }
}
