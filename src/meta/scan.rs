//! Scanning the listed devices and assembling VGs from what they hold.
//!
//! Each PV is claimed by the VG of its highest-seqno valid record. For each VG the record
//! with the highest seqno that validates wins; its PV list says who the members are. A PV
//! that claims the VG but is not in that list left it (a vgreduce interrupted before it
//! wiped the PV) and is an orphan. Copies that are damaged or older than the winner are
//! reported so that the next writer repairs them.

use super::convert::from_record;
use super::error::MetaError;
use super::model::{OrphanPv, Vg};
use super::pvio::{read_labels, read_slots, SlotState};
use super::validate::validate;
use crate::block::{BlockDevice, DeviceOpener};
use crate::format::codec::DecodeError;
use crate::format::features::Features;
use crate::format::id::Id;
use crate::format::label::Label;
use crate::format::record::VgRecord;
use std::path::PathBuf;

/// What one listed device holds.
#[derive(Debug, Clone)]
pub struct ScannedPv {
    pub path: PathBuf,
    pub label: Label,
    pub head_ok: bool,
    pub tail_ok: bool,
    pub slots: [SlotState; 4],
}

impl ScannedPv {
    /// The record with the highest seqno among the valid slots.
    pub fn best_record(&self) -> Option<&VgRecord> {
        self.slots
            .iter()
            .filter_map(|s| match s {
                SlotState::Valid { record, .. } => Some(record.as_ref()),
                _ => None,
            })
            .max_by_key(|r| r.seqno)
    }

    fn labels_agree(&self) -> bool {
        self.head_ok && self.tail_ok
    }

    /// The PV as an orphan, for reports.
    pub fn orphan(&self) -> OrphanPv {
        OrphanPv {
            id: self.label.pv_id,
            device: self.path.clone(),
            dev_size: self.label.layout.dev_size,
            pe_start: self.label.layout.pe_start,
        }
    }
}

/// Reads one device; `None` when it holds no rvm label.
pub fn scan_device(
    path: &std::path::Path,
    dev: &dyn BlockDevice,
) -> std::io::Result<Option<ScannedPv>> {
    let labels = read_labels(dev)?;
    let Some(label) = labels.best else {
        return Ok(None);
    };
    let slots = read_slots(dev, &label.layout)?;
    Ok(Some(ScannedPv {
        path: path.to_path_buf(),
        label,
        head_ok: labels.head.is_ok_and(|h| h == label),
        tail_ok: labels.tail.is_ok_and(|t| t == label),
        slots,
    }))
}

/// Scans `paths` read-only; unreadable devices and duplicate PV ids become warnings.
pub fn scan_paths(
    opener: &dyn DeviceOpener,
    paths: &[PathBuf],
    warnings: &mut Vec<String>,
) -> Vec<ScannedPv> {
    let mut out: Vec<ScannedPv> = Vec::new();
    for path in paths {
        let dev = match opener.open(path, false) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                warnings.push(format!("WARNING: Cannot read {}: {e}", path.display()));
                continue;
            }
        };
        match scan_device(path, dev.as_ref()) {
            // The file was cut under its PV (truncated): its tail metadata and the extents
            // past the end are gone. Used as it is, any write past the end (a repair of
            // the tail copy, a commit, an LV write) would extend the file again and the
            // cut range would read back as zeros. It counts as missing instead, which
            // refuses changes and opening its LVs until the file has its size again (or
            // vgreduce --removemissing).
            Ok(Some(pv)) if dev.len().is_ok_and(|l| l < pv.label.layout.dev_size) => {
                warnings.push(format!(
                    "WARNING: Device {} is {} bytes, smaller than PV {} on it ({} bytes): \
                     was it truncated? Not using it.",
                    path.display(),
                    dev.len().unwrap_or(0),
                    pv.label.pv_id,
                    pv.label.layout.dev_size
                ));
            }
            Ok(Some(pv)) => {
                if let Some(first) = out.iter().find(|p| p.label.pv_id == pv.label.pv_id) {
                    warnings.push(format!(
                        "WARNING: Not using device {} for PV {}: duplicate of {}.",
                        path.display(),
                        pv.label.pv_id,
                        first.path.display()
                    ));
                    continue;
                }
                out.push(pv);
            }
            Ok(None) => {}
            Err(e) => warnings.push(format!("WARNING: Cannot read {}: {e}", path.display())),
        }
    }
    out
}

/// A VG put together from its PVs.
#[derive(Debug, Clone)]
pub struct AssembledVg {
    pub vg: Vg,
    /// For each of `vg.pvs`, the index of its device in the scan (`None`: missing).
    pub members: Vec<Option<usize>>,
    /// Member devices (scan indices) whose labels or metadata copies need rewriting, with
    /// what is wrong.
    pub damaged: Vec<(usize, String)>,
    /// Devices that claim this VG but left it: orphans whose stale record should be wiped.
    pub stale: Vec<usize>,
    /// Header features of the winning record.
    pub features: Features,
    /// The highest seqno of any verified copy of this VG, refused ones included; the next
    /// commit must exceed it, or a refused copy could tie with it.
    pub max_seqno: u64,
}

impl AssembledVg {
    /// Whether anything needs a repairing write.
    pub fn needs_repair(&self) -> bool {
        !self.damaged.is_empty() || !self.stale.is_empty()
    }
}

/// A VG whose every verified copy failed validation: it cannot be loaded, and its PVs are
/// not free either. Only `vgcfgrestore` brings it back.
#[derive(Debug, Clone)]
pub struct UnusableVg {
    pub name: String,
    pub id: Id,
    /// Why the newest copy was refused.
    pub reason: String,
    /// The highest seqno on disk, which a restore must exceed.
    pub max_seqno: u64,
}

/// All VGs and orphans found by one scan.
#[derive(Debug, Clone, Default)]
pub struct Assembly {
    pub pvs: Vec<ScannedPv>,
    pub vgs: Vec<AssembledVg>,
    /// Scan indices of PVs in no VG.
    pub orphans: Vec<usize>,
    /// VGs with no usable copy.
    pub unusable: Vec<UnusableVg>,
    /// Scan indices of PVs that are in no VG and not free either: their metadata is
    /// damaged with no valid copy, or belongs to an unusable VG.
    pub unreadable: Vec<usize>,
}

impl Assembly {
    /// The error for a VG name that did not assemble: unusable (restore it), or not found,
    /// with a hint when some PVs hold only damaged metadata.
    pub fn not_found(&self, name: &str) -> MetaError {
        if let Some(u) = self.unusable.iter().find(|u| u.name == name) {
            return MetaError::UnusableVg {
                vg: name.to_string(),
                reason: u.reason.clone(),
            };
        }
        let damaged: Vec<String> = self
            .unreadable
            .iter()
            .filter(|&&i| self.pvs[i].best_record().is_none())
            .map(|&i| self.pvs[i].path.display().to_string())
            .collect();
        if damaged.is_empty() {
            MetaError::VgNotFound(name.to_string())
        } else {
            MetaError::VgNotFoundDamaged {
                vg: name.to_string(),
                pvs: damaged.join(", "),
            }
        }
    }
}

/// Checks a record's PVs against the labels of the devices present: the data area must
/// start where the label says and every allocated extent must lie inside it. A PV whose
/// record claims more extents than its label has room for (a shrink interrupted between
/// the label and the commit) takes the label's size: the resize happened. Returns the PVs
/// so trimmed, whose metadata needs rewriting.
fn fit_labels(vg: &mut Vg, pvs: &[ScannedPv]) -> Result<Vec<Id>, String> {
    let es = vg.extent_size;
    let mut trimmed = Vec::new();
    for (i, pv) in vg.pvs.iter_mut().enumerate() {
        let Some(scanned) = pvs.iter().find(|p| p.label.pv_id == pv.id) else {
            continue;
        };
        let layout = scanned.label.layout;
        if pv.pe_start != layout.pe_start {
            return Err(format!(
                "PV {} starts its data at {} but its label says {}",
                pv.id, pv.pe_start, layout.pe_start
            ));
        }
        let room = layout.pe_count(es);
        if pv.pe_count <= room {
            continue;
        }
        let used_end = vg
            .lvs
            .iter()
            .flat_map(|lv| lv.segments.iter())
            .filter(|s| s.pv == i)
            .map(|s| s.pv_start + s.count)
            .max()
            .unwrap_or(0);
        if used_end > room {
            return Err(format!(
                "PV {} has room for {room} extents, but LVs use extents up to {used_end}",
                pv.id
            ));
        }
        pv.pe_count = room;
        pv.dev_size = layout.dev_size;
        trimmed.push(pv.id);
    }
    Ok(trimmed)
}

/// Groups scanned PVs into VGs.
pub fn assemble(mut pvs: Vec<ScannedPv>, warnings: &mut Vec<String>) -> Assembly {
    let mut vg_ids: Vec<Id> = Vec::new();
    for pv in &pvs {
        if let Some(r) = pv.best_record() {
            if !vg_ids.contains(&r.id) {
                vg_ids.push(r.id);
            }
        }
    }
    let mut vgs = Vec::new();
    let mut unusable = Vec::new();
    let mut claimed = vec![false; pvs.len()];
    for vg_id in vg_ids {
        // Candidates: every verified copy of this VG on any device, newest first. Copies
        // that verify but are refused (their content is inconsistent) are tried once each.
        let mut candidates: Vec<(&VgRecord, Features)> = pvs
            .iter()
            .flat_map(|p| p.slots.iter())
            .filter_map(|s| match s {
                SlotState::Valid {
                    record, features, ..
                } if record.id == vg_id => Some((record.as_ref(), *features)),
                _ => None,
            })
            .collect();
        candidates.sort_by_key(|(r, _)| std::cmp::Reverse(r.seqno));
        let max_seqno = candidates.first().map_or(0, |(r, _)| r.seqno);
        let name = candidates
            .first()
            .map(|(r, _)| r.name.clone())
            .unwrap_or_default();
        let mut tried: Vec<&VgRecord> = Vec::new();
        let mut chosen = None;
        let mut reason = String::new();
        for (rec, features) in candidates {
            if tried.contains(&rec) {
                continue;
            }
            tried.push(rec);
            let mut vg = from_record(rec);
            let checked = validate(&vg)
                .map_err(|e| e.to_string())
                .and_then(|()| fit_labels(&mut vg, &pvs));
            match checked {
                Ok(trimmed) => {
                    chosen = Some((vg, features, rec.clone(), trimmed));
                    break;
                }
                Err(e) => {
                    warnings.push(format!(
                        "WARNING: Ignoring metadata seqno {} of VG {}: {e}",
                        rec.seqno, rec.name
                    ));
                    if reason.is_empty() {
                        reason = e;
                    }
                }
            }
        }
        let Some((mut vg, features, record, trimmed)) = chosen else {
            // Never load a map no copy vouches for, and never hand its PVs out as free.
            warnings.push(format!(
                "WARNING: VG {name} has no usable metadata copy; restore it with vgcfgrestore {name}."
            ));
            for (i, p) in pvs.iter().enumerate() {
                if p.best_record().is_some_and(|r| r.id == vg_id) {
                    claimed[i] = true;
                }
            }
            unusable.push(UnusableVg {
                name,
                id: vg_id,
                reason,
                max_seqno,
            });
            continue;
        };
        // Copies that verified but were refused (newer than the chosen one, or another
        // record under its seqno) are garbage: mark them damaged, so that they are repaired
        // and a commit overwrites them first.
        let mut refused_on = Vec::new();
        for (i, p) in pvs.iter_mut().enumerate() {
            for slot in p.slots.iter_mut() {
                if let SlotState::Valid { record: r, .. } = slot {
                    let refused = r.id == vg_id
                        && (r.seqno > record.seqno || (r.seqno == record.seqno && **r != record));
                    if refused {
                        *slot = SlotState::Damaged(DecodeError::Range {
                            field: "VG record (inconsistent content)",
                            value: r.seqno,
                        });
                        refused_on.push(i);
                    }
                }
            }
        }
        let mut members = Vec::with_capacity(vg.pvs.len());
        let mut damaged = Vec::new();
        for pv in vg.pvs.iter_mut() {
            // A PV holding no record at all is still this member: vgextend initialises a
            // PV and then commits, and a crash can leave the new record on the old members
            // only. Its areas are repaired below; only a record of another VG disowns it.
            let found = pvs.iter().position(|p| {
                p.label.pv_id == pv.id && p.best_record().is_none_or(|r| r.id == vg_id)
            });
            match found {
                Some(i) => {
                    claimed[i] = true;
                    let p = &pvs[i];
                    pv.device = p.path.clone();
                    let mut what = Vec::new();
                    if !p.head_ok {
                        what.push("head label");
                    }
                    if !p.tail_ok {
                        what.push("tail label");
                    }
                    for (area, slots) in [
                        ("head metadata", &p.slots[..2]),
                        ("tail metadata", &p.slots[2..]),
                    ] {
                        let current = slots.iter().any(|s| s.version() == Some((vg.id, vg.seqno)));
                        if !current {
                            what.push(area);
                        }
                    }
                    if refused_on.contains(&i) {
                        what.push("inconsistent metadata");
                    }
                    if trimmed.contains(&pv.id) {
                        what.push("metadata of a resize");
                    }
                    if !what.is_empty() || !p.labels_agree() {
                        damaged.push((i, what.join(", ")));
                    }
                }
                None => pv.missing = true,
            }
            members.push(found);
        }
        let stale: Vec<usize> = (0..pvs.len())
            .filter(|&i| {
                !claimed[i]
                    && pvs[i].best_record().is_some_and(|r| r.id == vg_id)
                    && !vg.pvs.iter().any(|p| p.id == pvs[i].label.pv_id)
            })
            .collect();
        for pv in &vg.pvs {
            if pv.missing {
                warnings.push(format!(
                    "WARNING: VG {} is missing PV {} (last written to {}).",
                    vg.name,
                    pv.id,
                    pv.device.display()
                ));
            }
        }
        vgs.push(AssembledVg {
            vg,
            members,
            damaged,
            stale,
            features,
            max_seqno,
        });
    }
    // A PV whose metadata is all damaged may belong to a VG: it is not free.
    let mut unreadable: Vec<usize> = (0..pvs.len()).filter(|&i| claimed[i]).collect();
    unreadable.retain(|&i| {
        !vgs.iter()
            .any(|v| v.members.contains(&Some(i)) || v.stale.contains(&i))
    });
    for (i, p) in pvs.iter().enumerate() {
        if !claimed[i]
            && p.best_record().is_none()
            && p.slots.iter().any(|s| matches!(s, SlotState::Damaged(_)))
        {
            warnings.push(format!(
                "WARNING: PV {} holds damaged metadata and no valid copy of it; restore its VG with vgcfgrestore.",
                p.path.display()
            ));
            unreadable.push(i);
            claimed[i] = true;
        }
    }
    let orphans: Vec<usize> = (0..pvs.len()).filter(|&i| !claimed[i]).collect();
    let mut names: Vec<&str> = vgs.iter().map(|v| v.vg.name.as_str()).collect();
    names.sort_unstable();
    for w in names.windows(2) {
        if w[0] == w[1] {
            warnings.push(format!(
                "WARNING: Multiple VGs found with the same name {}.",
                w[0]
            ));
        }
    }
    unreadable.sort_unstable();
    Assembly {
        pvs,
        vgs,
        orphans,
        unusable,
        unreadable,
    }
}
