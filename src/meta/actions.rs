//! Commands that touch more than one VG's worth of state: PVs entering and leaving VGs,
//! whole-VG create/remove/rename/restore, and PV resizing. Each checks everything before
//! its first write.

use super::backup::{self, BackupFile};
use super::devices;
use super::error::{MetaError, MetaResult};
use super::lock::LockMode;
use super::model::{Pv, Vg};
use super::ops;
use super::pvio;
use super::scan::{Assembly, ScannedPv};
use super::store::{hostname, now, write_vg, Env, PvHandle};
use super::validate::validate;
use crate::block::{BlockDevice, FileDevice};
use crate::format::features::Features;
use crate::format::id::Id;
use crate::format::label::Label;
use crate::format::layout::{Layout, DEFAULT_MDA_SIZE};
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
        None => Found::Orphan(pv),
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
    let dev = FileDevice::open(&path).map_err(|e| MetaError::io(&path, e))?;
    let len = dev.len().map_err(|e| MetaError::io(&path, e))?;
    let layout = match opts.pe_start {
        Some(p) => Layout::with_pe_start(len, p),
        None => Layout::new(len, opts.mda_size),
    }
    .map_err(|e| MetaError::Refused(format!("Cannot use {}: {e}", path.display())))?;
    let mut w = Vec::new();
    if let Some(existing) =
        super::scan::scan_device(&path, &dev).map_err(|e| MetaError::io(&path, e))?
    {
        // Is it in a VG? Ask the full assembly, as a stale record does not count.
        let asm = super::scan::assemble(
            super::scan::scan_paths(&env.device_paths()?, &mut w),
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

/// `pvcreate PATH...`: returns the canonical paths created.
pub fn pvcreate(env: &Env, paths: &[PathBuf], opts: &PvCreateOpts) -> MetaResult<Vec<PathBuf>> {
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    if opts.id.is_some() && paths.len() > 1 {
        return Err(MetaError::Refused(
            "Can only set uuid on one volume at once".into(),
        ));
    }
    let _g = env.global_lock(LockMode::Exclusive)?;
    let planned = paths
        .iter()
        .map(|p| plan_pv(env, p, opts))
        .collect::<MetaResult<Vec<_>>>()?;
    let canon: Vec<PathBuf> = planned.iter().map(|p| p.path.clone()).collect();
    check_distinct(&canon)?;
    if let Some(id) = opts.id {
        let asm = env.assemble()?;
        if let Some(other) = asm
            .pvs
            .iter()
            .find(|p| p.label.pv_id == id && p.path != canon[0])
        {
            return Err(MetaError::Refused(format!(
                "uuid {id} already in use on \"{}\".",
                other.path.display()
            )));
        }
    }
    for p in &planned {
        write_pv(p)?;
    }
    add_to_devices(env, &canon)?;
    Ok(canon)
}

/// `pvremove PATH...`: wipes orphan PVs and drops them from the devices list.
pub fn pvremove(env: &Env, paths: &[PathBuf], force: u8) -> MetaResult<Vec<PathBuf>> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let asm = env.assemble()?;
    let mut targets = Vec::new();
    for p in paths {
        let path = devices::canonical(p)?;
        match find(&asm, &path) {
            Found::NotPv => {
                return Err(MetaError::Refused(format!(
                    "No PV found on device {}.",
                    path.display()
                )))
            }
            Found::Member(_, vg) if force < 2 => {
                return Err(MetaError::Refused(format!(
                    "PV {} is used by VG {vg} so please use vgreduce first.",
                    path.display()
                )))
            }
            Found::Member(pv, _) | Found::Orphan(pv) => targets.push((path, pv.label)),
        }
    }
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    for (path, label) in &targets {
        let dev = FileDevice::open(path).map_err(|e| MetaError::io(path, e))?;
        pvio::wipe_pv(&dev, &label.layout)
            .and_then(|_| dev.flush())
            .map_err(|e| MetaError::io(path, e))?;
    }
    let mut list = env.device_paths()?;
    list.retain(|p| !targets.iter().any(|(t, _)| t == p));
    devices::write(&env.system_dir, &list)?;
    Ok(targets.into_iter().map(|(p, _)| p).collect())
}

/// Resolves paths to orphan PVs (creating PVs on paths that are not PVs yet, as LVM2's
/// vgcreate and vgextend do), checking everything before writing anything.
fn orphans_for_join(
    env: &Env,
    asm: &Assembly,
    paths: &[PathBuf],
    opts: &PvCreateOpts,
) -> MetaResult<(Vec<PlannedPv>, Vec<PvHandle>, Vec<PathBuf>)> {
    let mut create = Vec::new();
    let mut existing = Vec::new();
    let mut canon = Vec::new();
    for p in paths {
        let path = devices::canonical(p)?;
        canon.push(path.clone());
        match find(asm, &path) {
            Found::Member(_, vg) => {
                return Err(MetaError::PvInVg {
                    path: path.display().to_string(),
                    vg,
                })
            }
            Found::Orphan(pv) => existing.push(PvHandle::open(&pv.path, pv.label, &pv.slots)?),
            Found::NotPv => create.push(plan_pv(env, &path, opts)?),
        }
    }
    check_distinct(&canon)?;
    Ok((create, existing, canon))
}

/// Makes the PVs ready to join: new PVs written, every joining PV's slots wiped so that no
/// old record can outrank the VG's.
fn prepare_join(
    env: &Env,
    create: &[PlannedPv],
    existing: &[PvHandle],
) -> MetaResult<Vec<PvHandle>> {
    for p in create {
        write_pv(p)?;
    }
    add_to_devices(
        env,
        &create.iter().map(|p| p.path.clone()).collect::<Vec<_>>(),
    )?;
    let mut out = Vec::new();
    for h in existing {
        pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
            .and_then(|_| h.dev.flush())
            .map_err(|e| MetaError::io(&h.path, e))?;
        out.push(PvHandle {
            path: h.path.clone(),
            dev: h.dev.clone(),
            label: h.label,
            slots: [None; 4],
        });
    }
    for p in create {
        out.push(PvHandle {
            path: p.path.clone(),
            dev: p.dev.clone(),
            label: p.label,
            slots: [None; 4],
        });
    }
    Ok(out)
}

/// Sorts `items` into the order their paths were given on the command line.
fn in_order<T>(items: &mut [T], order: &[PathBuf], path: impl Fn(&T) -> &PathBuf) {
    items.sort_by_key(|i| {
        order
            .iter()
            .position(|p| p == path(i))
            .unwrap_or(usize::MAX)
    });
}

fn pv_of(h: &PvHandle, extent_size: u64) -> Pv {
    Pv {
        id: h.label.pv_id,
        device: h.path.clone(),
        dev_size: h.label.layout.dev_size,
        pe_start: h.label.layout.pe_start,
        pe_count: h.label.layout.pe_count(extent_size),
        allocatable: true,
        missing: false,
        tags: vec![],
    }
}

/// `vgcreate NAME PATH...`.
pub fn vgcreate(
    env: &Env,
    name: &str,
    paths: &[PathBuf],
    extent_size: u64,
    opts: &PvCreateOpts,
    change: &ops::VgChange,
) -> MetaResult<Vg> {
    super::names::check_vg_name(name)?;
    ops::check_extent_size(extent_size)?;
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    let _g = env.global_lock(LockMode::Exclusive)?;
    let _l = env.vg_lock(name, LockMode::Exclusive)?;
    let asm = env.assemble()?;
    if asm.vgs.iter().any(|v| v.vg.name == name) {
        return Err(MetaError::VgExists(name.to_string()));
    }
    let (create, existing, order) = orphans_for_join(env, &asm, paths, opts)?;
    // Dry run of the model change on what the PVs will be, before any write.
    let planned_pvs: Vec<Pv> = existing
        .iter()
        .map(|h| pv_of(h, extent_size))
        .chain(create.iter().map(|p| Pv {
            id: p.label.pv_id,
            device: p.path.clone(),
            dev_size: p.label.layout.dev_size,
            pe_start: p.label.layout.pe_start,
            pe_count: p.label.layout.pe_count(extent_size),
            allocatable: true,
            missing: false,
            tags: vec![],
        }))
        .collect();
    let mut planned_pvs = planned_pvs;
    in_order(&mut planned_pvs, &order, |p| &p.device);
    let mut vg = ops::new_vg(name, extent_size, planned_pvs, now(), &hostname())?;
    ops::change_vg(&mut vg, change)?;
    let mut joined = prepare_join(env, &create, &existing)?;
    in_order(&mut joined, &order, |h| &h.path);
    let mut handles: Vec<Option<PvHandle>> = joined.into_iter().map(Some).collect();
    write_vg(&mut vg, None, &mut handles, false)?;
    backup::backup(
        &env.system_dir,
        &env.config,
        &vg,
        &format!("Created *after* executing '{}'", env.command),
        now(),
        &hostname(),
    )
    .unwrap_or_else(|e| {
        env.warn(format!(
            "WARNING: Backup of volume group {name} failed: {e}"
        ))
    });
    Ok(vg)
}

/// `vgextend NAME PATH...`.
pub fn vgextend(env: &Env, name: &str, paths: &[PathBuf], opts: &PvCreateOpts) -> MetaResult<Vg> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let mut txn = env.begin(name)?;
    txn.check_writable()?;
    if txn.has_missing() {
        return Err(MetaError::MissingPvs(name.to_string()));
    }
    let asm = env.assemble()?;
    let (create, existing, order) = orphans_for_join(env, &asm, paths, opts)?;
    let es = txn.vg.extent_size;
    let mut trial = txn.vg.clone();
    let new_pvs: Vec<Pv> = existing
        .iter()
        .map(|h| pv_of(h, es))
        .chain(create.iter().map(|p| Pv {
            id: p.label.pv_id,
            device: p.path.clone(),
            dev_size: p.label.layout.dev_size,
            pe_start: p.label.layout.pe_start,
            pe_count: p.label.layout.pe_count(es),
            allocatable: true,
            missing: false,
            tags: vec![],
        }))
        .collect();
    let mut new_pvs = new_pvs;
    in_order(&mut new_pvs, &order, |p| &p.device);
    ops::extend_vg(&mut trial, new_pvs)?;
    // The new PVs may have smaller slots: check before preparing them.
    let slots = existing
        .iter()
        .map(|h| h.label.layout.slot_size)
        .chain(create.iter().map(|p| p.label.layout.slot_size))
        .chain(txn.slot_sizes());
    super::store::check_commit(&trial, slots)?;
    for h in prepare_join(env, &create, &existing)? {
        txn.add_handle(h);
    }
    txn.vg = trial;
    txn.commit()
}

/// Which PVs `vgreduce` removes.
pub enum Reduce {
    Paths(Vec<PathBuf>),
    /// `-a`: every PV holding no extents.
    AllUnused,
    /// `--removemissing`; with `force`, LVs on missing PVs go too.
    Missing {
        force: bool,
    },
}

/// `vgreduce`: returns the paths removed (or the LVs removed, for `--removemissing`).
pub fn vgreduce(env: &Env, name: &str, what: Reduce) -> MetaResult<Vec<String>> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let mut txn = env.begin(name)?;
    txn.check_writable()?;
    if let Reduce::Missing { force } = what {
        let removed = ops::remove_missing(&mut txn.vg, force)?;
        if !txn.has_missing() && txn.vg == *txn.before() {
            return Ok(removed);
        }
        txn.commit()?;
        return Ok(removed);
    }
    if txn.has_missing() {
        return Err(MetaError::MissingPvs(name.to_string()));
    }
    let indices: Vec<usize> = match what {
        Reduce::Paths(paths) => {
            let mut out = Vec::new();
            for p in paths {
                let path = devices::canonical(&p)?;
                let i = txn
                    .vg
                    .pvs
                    .iter()
                    .position(|pv| pv.device == path)
                    .ok_or_else(|| {
                        MetaError::Refused(format!(
                            "Physical Volume \"{}\" not found in Volume Group \"{name}\".",
                            path.display()
                        ))
                    })?;
                out.push(i);
            }
            out
        }
        Reduce::AllUnused => {
            let used: Vec<usize> = txn
                .vg
                .lvs
                .iter()
                .flat_map(|lv| lv.segments.iter().map(|s| s.pv))
                .collect();
            let mut unused: Vec<usize> = (0..txn.vg.pvs.len())
                .filter(|i| !used.contains(i))
                .collect();
            if used.is_empty() {
                unused.retain(|&i| i != 0);
            }
            unused
        }
        Reduce::Missing { .. } => Vec::new(),
    };
    let leaving: Vec<(Id, PathBuf)> = indices
        .iter()
        .map(|&i| (txn.vg.pvs[i].id, txn.vg.pvs[i].device.clone()))
        .collect();
    ops::reduce_vg(&mut txn.vg, &indices)?;
    let handles: Vec<PvHandle> = leaving
        .iter()
        .filter_map(|(id, _)| txn.take_handle(id))
        .collect();
    txn.commit()?;
    // The VG no longer lists them; wiping their now-stale records makes them clean orphans.
    // A crash before this point leaves records that the loader recognises as stale.
    for h in handles {
        pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
            .and_then(|_| h.dev.flush())
            .map_err(|e| MetaError::io(&h.path, e))?;
    }
    Ok(leaving
        .into_iter()
        .map(|(_, p)| p.display().to_string())
        .collect())
}

/// `vgremove NAME`: the VG must have no LVs unless `force`.
pub fn vgremove(env: &Env, name: &str, force: bool) -> MetaResult<()> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let mut txn = env.begin(name)?;
    txn.check_writable()?;
    if !txn.vg.lvs.is_empty() && !force {
        return Err(MetaError::Refused(format!(
            "Volume group \"{name}\" still contains {} logical volume(s); use -f to remove them.",
            txn.vg.lvs.len()
        )));
    }
    backup::archive(
        &env.system_dir,
        &env.config,
        txn.before(),
        &format!("Created *before* executing '{}'", env.command),
        now(),
        &hostname(),
    )?;
    let ids: Vec<Id> = txn.vg.pvs.iter().map(|p| p.id).collect();
    for id in ids {
        if let Some(h) = txn.take_handle(&id) {
            pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
                .and_then(|_| h.dev.flush())
                .map_err(|e| MetaError::io(&h.path, e))?;
        }
    }
    let _ = std::fs::remove_file(backup::backup_dir(&env.system_dir, &env.config).join(name));
    Ok(())
}

/// `vgrename OLD NEW`.
pub fn vgrename(env: &Env, old: &str, new: &str) -> MetaResult<Vg> {
    super::names::check_vg_name(new)?;
    let _g = env.global_lock(LockMode::Exclusive)?;
    let _n = env.vg_lock(new, LockMode::Exclusive)?;
    let asm = env.assemble()?;
    if asm.vgs.iter().any(|v| v.vg.name == new) {
        return Err(MetaError::VgExists(new.to_string()));
    }
    let mut txn = env.begin(old)?;
    ops::rename_vg(&mut txn.vg, new)?;
    let vg = txn.commit()?;
    let dir = backup::backup_dir(&env.system_dir, &env.config);
    let _ = std::fs::remove_file(dir.join(old));
    Ok(vg)
}

/// `pvresize PATH [--setphysicalvolumesize SIZE]`: returns the new size in bytes.
pub fn pvresize(env: &Env, path: &Path, size: Option<u64>) -> MetaResult<u64> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let path = devices::canonical(path)?;
    let asm = env.assemble()?;
    let (pv, vg_name) = match find(&asm, &path) {
        Found::NotPv => {
            return Err(MetaError::Refused(format!(
                "Failed to find physical volume \"{}\".",
                path.display()
            )))
        }
        Found::Orphan(pv) => (pv.clone(), None),
        Found::Member(pv, vg) => (pv.clone(), Some(vg)),
    };
    let dev = FileDevice::open(&path).map_err(|e| MetaError::io(&path, e))?;
    let dev_len = dev.len().map_err(|e| MetaError::io(&path, e))?;
    let new_size = size.unwrap_or(dev_len);
    if new_size > dev_len {
        return Err(MetaError::Refused(format!(
            "{}: Requested size {new_size} exceeds real size {dev_len}.",
            path.display()
        )));
    }
    let layout = Layout::with_pe_start(new_size, pv.label.layout.pe_start)
        .map_err(|e| MetaError::Refused(format!("Cannot resize {}: {e}", path.display())))?;
    let label = Label {
        generation: pv.label.generation + 1,
        layout,
        ..pv.label
    };
    // Check the model change before any write.
    let mut txn = match &vg_name {
        Some(name) => {
            let mut txn = env.begin(name)?;
            txn.check_writable()?;
            if txn.has_missing() {
                return Err(MetaError::MissingPvs(name.clone()));
            }
            let i = txn
                .vg
                .pvs
                .iter()
                .position(|p| p.id == pv.label.pv_id)
                .ok_or_else(|| MetaError::PvNotFound(path.display().to_string()))?;
            let pe = layout.pe_count(txn.vg.extent_size);
            ops::resize_pv(&mut txn.vg, i, new_size, pe)?;
            Some(txn)
        }
        None => None,
    };
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    // New tail first (its area empty), then the head that names it; the commit then fills
    // the new tail area. A crash in between leaves a tail area the loader repairs.
    let io = |e| MetaError::io(&path, e);
    let zero = vec![0u8; 4096];
    for s in &layout.slots()[2..] {
        dev.write_at(&zero, *s).map_err(io)?;
    }
    dev.write_at(&label.encode(layout.tail_label), layout.tail_label)
        .map_err(io)?;
    dev.flush().map_err(io)?;
    dev.write_at(&label.encode(0), 0).map_err(io)?;
    dev.flush().map_err(io)?;
    if let Some(txn) = txn.as_mut() {
        if let Some(h) = txn.handle_mut(&pv.label.pv_id) {
            h.label = label;
            h.slots[2] = None;
            h.slots[3] = None;
        }
    }
    if let Some(txn) = txn {
        txn.commit()?;
    }
    // After a shrink the old tail still lies inside the device: erase it, or a scan that
    // finds the head unreadable would take that stale tail for the PV's end.
    let old = pv.label.layout;
    if old.tail_label != layout.tail_label && old.tail_label + 4096 <= dev_len {
        for s in old.slots()[2..].iter().chain([&old.tail_label]) {
            if *s >= layout.tail_label + 4096 {
                dev.write_at(&zero, *s).map_err(io)?;
            }
        }
        dev.flush().map_err(io)?;
    }
    Ok(new_size)
}

/// `vgcfgrestore [-f FILE] NAME`: writes the VG from a backup onto the PVs it names (found
/// by id, so a replacement PV made with `pvcreate --uuid` works). Returns the VG written.
pub fn vgcfgrestore(env: &Env, name: &str, file: Option<&Path>) -> MetaResult<Vg> {
    super::names::check_vg_name(name)?;
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    let path = file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| backup::backup_dir(&env.system_dir, &env.config).join(name));
    let backup_file = BackupFile::read(&path)?;
    let mut vg = backup_file.to_vg()?;
    if vg.name != name {
        return Err(MetaError::Refused(format!(
            "Backup file {} holds VG {}, not {name}.",
            path.display(),
            vg.name
        )));
    }
    validate(&vg)?;
    let _g = env.global_lock(LockMode::Exclusive)?;
    let _l = env.vg_lock(name, LockMode::Exclusive)?;
    let asm = env.assemble()?;
    let current = asm
        .vgs
        .iter()
        .find(|v| v.vg.name == name || v.vg.id == vg.id);
    let mut handles = Vec::new();
    for pv in &mut vg.pvs {
        let i = asm
            .pvs
            .iter()
            .position(|p| p.label.pv_id == pv.id)
            .ok_or_else(|| {
                MetaError::Refused(format!("Couldn't find device with uuid {}.", pv.id))
            })?;
        let scanned = &asm.pvs[i];
        if let Some(other) = asm
            .vgs
            .iter()
            .find(|v| v.members.contains(&Some(i)) && v.vg.id != vg.id)
        {
            return Err(MetaError::PvInVg {
                path: scanned.path.display().to_string(),
                vg: other.vg.name.clone(),
            });
        }
        let l = scanned.label.layout;
        if l.pe_start != pv.pe_start || l.pe_count(vg.extent_size) < pv.pe_count {
            return Err(MetaError::Refused(format!(
                "PV {} does not match the backup (data start or size differs).",
                scanned.path.display()
            )));
        }
        pv.device = scanned.path.clone();
        handles.push(PvHandle::open(
            &scanned.path,
            scanned.label,
            &scanned.slots,
        )?);
    }
    super::store::check_commit(&vg, handles.iter().map(|h| h.label.layout.slot_size))?;
    if let Some(cur) = current {
        vg.seqno = vg.seqno.max(cur.vg.seqno);
        backup::archive(
            &env.system_dir,
            &env.config,
            &cur.vg,
            &format!("Created *before* executing '{}'", env.command),
            now(),
            &hostname(),
        )?;
    }
    // Records of other VGs must not outrank the restored one.
    for h in &mut handles {
        if h.slots.iter().flatten().any(|(id, _)| *id != vg.id) {
            pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
                .and_then(|_| h.dev.flush())
                .map_err(|e| MetaError::io(&h.path, e))?;
            h.slots = [None; 4];
        }
    }
    let mut handles: Vec<Option<PvHandle>> = handles.into_iter().map(Some).collect();
    // Restoring brings back old LVs with their data: nothing is discarded.
    write_vg(&mut vg, None, &mut handles, false)?;
    Ok(vg)
}
