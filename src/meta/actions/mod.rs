//! Commands that touch more than one VG's worth of state: PVs entering and leaving VGs,
//! whole-VG create/remove/rename/restore, and PV resizing. Each checks everything before
//! its first write.
//!
//! `pv`: pvcreate, pvremove, pvresize; `vg`: vgcreate, vgextend, vgreduce, vgremove,
//! vgrename; `restore`: vgcfgrestore. This file holds what they share: checking and
//! writing new PVs.

mod pv;
mod restore;
mod vg;

pub use pv::{pvcreate, pvremove, pvresize};
pub use restore::vgcfgrestore;
pub use vg::{vgcreate, vgextend, vgreduce, vgremove, vgrename, Reduce};

use super::backup::{self, BackupFile};
use super::devices;
use super::error::{MetaError, MetaResult};
use super::lock::LockMode;
use super::model::{Pv, Vg};
use super::ops;
use super::pvio;
use super::validate::validate;
use crate::block::BlockDevice;
use crate::format::features::Features;
use crate::format::id::Id;
use crate::format::label::Label;
use crate::format::layout::{Layout, DEFAULT_MDA_SIZE};
use crate::meta::scan::{Assembly, ScannedPv};
use crate::meta::store::{hostname, now, write_vg, Env, PvHandle};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Options of `pvcreate` (and of the implicit pvcreate in vgcreate/vgextend).
#[derive(Debug, Clone)]
pub struct PvCreateOpts {
    /// `-f` given once (1) or twice (2).
    pub force: u8,
    /// `--uuid`: the id to give the PV (with `--restorefile`, to replace a lost PV).
    pub id: Option<Id>,
    /// `--metadatasize` in bytes.
    pub mda_size: u64,
    /// Data start to keep (from `--restorefile`); overrides `mda_size`.
    pub pe_start: Option<u64>,
}

impl Default for PvCreateOpts {
    fn default() -> Self {
        PvCreateOpts {
            force: 0,
            id: None,
            mda_size: DEFAULT_MDA_SIZE,
            pe_start: None,
        }
    }
}

/// What a path turned out to be.
enum Found<'a> {
    Orphan(&'a ScannedPv),
    Member(&'a ScannedPv, String),
    NotPv,
}

fn find<'a>(asm: &'a Assembly, path: &Path) -> Found<'a> {
    let Some(i) = asm.pvs.iter().position(|p| p.path == path) else {
        return Found::NotPv;
    };
    let pv = &asm.pvs[i];
    match asm.vgs.iter().find(|v| v.members.contains(&Some(i))) {
        Some(v) => Found::Member(pv, v.vg.name.clone()),
        // Damaged metadata with no valid copy, or a VG no copy of which is usable: the PV
        // may hold someone's data, so it is not free.
        None if asm.unreadable.contains(&i) => Found::Member(pv, unreadable_vg(pv)),
        None => Found::Orphan(pv),
    }
}

/// How a PV that is neither free nor in a loadable VG is named in refusals.
fn unreadable_vg(pv: &ScannedPv) -> String {
    match pv.best_record() {
        Some(r) => format!("{} (no usable metadata; see vgcfgrestore)", r.name),
        None => "unknown (its metadata is damaged; see vgcfgrestore)".into(),
    }
}

/// A PV about to be created: checked, not yet written.
struct PlannedPv {
    path: PathBuf,
    dev: Arc<dyn BlockDevice>,
    label: Label,
}

/// Bytes at each end that must be zero for a device to count as empty.
const PROBE: u64 = 64 << 10;

fn has_data(dev: &dyn BlockDevice, path: &Path) -> MetaResult<bool> {
    let len = dev.len().map_err(|e| MetaError::io(path, e))?;
    let n = PROBE.min(len);
    let mut buf = vec![0u8; n as usize];
    for at in [0, len - n] {
        dev.read_at(&mut buf, at)
            .map_err(|e| MetaError::io(path, e))?;
        if buf.iter().any(|&b| b != 0) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Checks one pvcreate target (the devices list is not consulted: this is how paths get on
/// it), and returns what to write.
fn plan_pv(env: &Env, path: &Path, opts: &PvCreateOpts) -> MetaResult<PlannedPv> {
    let path = devices::canonical(path)?;
    let dev = env
        .opener
        .open(&path, true)
        .map_err(|e| MetaError::io(&path, e))?;
    let len = dev.len().map_err(|e| MetaError::io(&path, e))?;
    let layout = match opts.pe_start {
        Some(p) => Layout::with_pe_start(len, p),
        None => Layout::new(len, opts.mda_size),
    }
    .map_err(|e| MetaError::Refused(format!("Cannot use {}: {e}", path.display())))?;
    let mut w = Vec::new();
    if let Some(existing) =
        crate::meta::scan::scan_device(&path, &dev).map_err(|e| MetaError::io(&path, e))?
    {
        // Is it in a VG? Ask the full assembly, as a stale record does not count.
        let asm = crate::meta::scan::assemble(
            crate::meta::scan::scan_paths(env.opener.as_ref(), &env.device_paths()?, &mut w),
            &mut w,
        );
        let vg = asm
            .vgs
            .iter()
            .find(|v| {
                v.vg.pvs
                    .iter()
                    .any(|p| p.id == existing.label.pv_id && !p.missing)
            })
            .map(|v| v.vg.name.clone());
        let unreadable = asm
            .pvs
            .iter()
            .position(|p| p.path == path)
            .is_some_and(|i| asm.unreadable.contains(&i));
        if unreadable && opts.force < 2 {
            return Err(MetaError::Refused(format!(
                "Cannot use {}: it is already a physical volume, with damaged metadata and no valid copy; restore its VG with vgcfgrestore, or use -ff to recreate it",
                path.display()
            )));
        }
        match vg {
            Some(vg) if opts.force < 2 => {
                return Err(MetaError::Refused(format!(
                    "Can't initialize physical volume \"{}\" of volume group \"{vg}\" without -ff",
                    path.display()
                )))
            }
            None if opts.force < 1 => {
                return Err(MetaError::Refused(format!(
                    "Cannot use {}: it is already a physical volume (use -f to recreate it)",
                    path.display()
                )))
            }
            _ => {}
        }
    } else if opts.force < 1 && has_data(&dev, &path)? {
        return Err(MetaError::Refused(format!(
            "Cannot use {}: device holds existing data (use -f to overwrite it)",
            path.display()
        )));
    }
    Ok(PlannedPv {
        path,
        dev: Arc::new(dev),
        label: Label {
            pv_id: opts.id.unwrap_or_else(Id::random),
            generation: 1,
            layout,
            features: Features::default(),
        },
    })
}

/// Writes a planned PV: empty slots first, then the labels, then one flush.
fn write_pv(p: &PlannedPv) -> MetaResult<()> {
    let io = |e| MetaError::io(&p.path, e);
    pvio::wipe_slots(p.dev.as_ref(), &p.label.layout).map_err(io)?;
    pvio::write_labels(p.dev.as_ref(), &p.label).map_err(io)?;
    p.dev.flush().map_err(io)
}

fn add_to_devices(env: &Env, paths: &[PathBuf]) -> MetaResult<()> {
    let mut list = env.device_paths()?;
    let before = list.len();
    for p in paths {
        if !list.contains(p) {
            list.push(p.clone());
        }
    }
    if list.len() != before {
        devices::write(&env.system_dir, &list)?;
    }
    Ok(())
}

fn check_distinct(paths: &[PathBuf]) -> MetaResult<()> {
    for (i, p) in paths.iter().enumerate() {
        if paths[..i].contains(p) {
            return Err(MetaError::Refused(format!(
                "Device {} is named more than once.",
                p.display()
            )));
        }
    }
    Ok(())
}
