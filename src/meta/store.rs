//! Loading VGs under their locks, and committing changes: the transaction half of the
//! metadata layer (the pure changes are in `ops`).
//!
//! Commit protocol (docs/format.md has the details): validate; refuse a record that does not
//! fit; discard and flush extents newly handed to LVs; write the record with seqno+1 into
//! the inactive slot of both areas of every present PV; flush every PV once. A crash at any
//! point leaves at least one verified copy of the old or of the new record, and the loader
//! takes the newest.

use super::backup;
use super::config::Config;
use super::convert::to_record;
use super::devices;
use super::error::{MetaError, MetaResult};
use super::lock::{self, LockGuard, LockMode};
use super::model::{OrphanPv, Vg};
use super::pvio::{self, SlotState};
use super::scan::{assemble, scan_paths, AssembledVg, Assembly};
use super::validate::validate;
use crate::block::{BlockDevice, DeviceOpener, FileOpener};
use crate::format::block::HEADER_LEN;
use crate::format::id::Id;
use crate::format::label::Label;
use roaring::RoaringTreemap;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where rvm keeps its state and how this command runs.
pub struct Env {
    pub system_dir: PathBuf,
    pub run_dir: PathBuf,
    pub config: Config,
    /// `--readonly`: never write, not even repairs.
    pub readonly: bool,
    /// The command line, for archive descriptions.
    pub command: String,
    /// How PVs are opened; [`FileOpener`] except under the crash harness.
    pub opener: Arc<dyn DeviceOpener>,
    /// Told about every VG change committed through this environment, so that whoever
    /// holds the VG's volumes open re-syncs them (`host::VgHost::reconcile`).
    pub observer: Option<Arc<dyn CommitObserver>>,
    warnings: RefCell<Vec<String>>,
}

/// Whoever keeps a VG's volumes open (a command's transient host, the daemon) and must
/// follow its metadata. Every commit path calls it, still under the VG's exclusive lock,
/// so the calls come in seqno order; it must not wait for anything that waits for that
/// lock.
pub trait CommitObserver: Send + Sync {
    /// `vg` was just committed.
    fn committed(&self, vg: &Vg);
    /// The VG with this id was removed (`vgremove`).
    fn removed(&self, vg: &Id);
}

/// Every VG and orphan PV, read under shared locks.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub vgs: Vec<Vg>,
    pub orphans: Vec<OrphanPv>,
}

/// A member PV opened for writing, and which VG seqno each of its slots holds.
pub struct PvHandle {
    pub path: PathBuf,
    pub dev: Arc<dyn BlockDevice>,
    pub label: Label,
    pub slots: [Option<(Id, u64)>; 4],
}

impl PvHandle {
    /// Opens `path` read-write with the state a scan found there.
    pub fn open(
        opener: &dyn DeviceOpener,
        path: &PathBuf,
        label: Label,
        slots: &[SlotState; 4],
    ) -> MetaResult<PvHandle> {
        let dev = opener
            .open(path, true)
            .map_err(|e| MetaError::io(path, e))?;
        Ok(PvHandle {
            path: path.clone(),
            dev,
            label,
            slots: [0, 1, 2, 3].map(|i| slots[i].version()),
        })
    }

    /// The slot of `area` (0 head, 1 tail) to write next: an empty or damaged one, one of
    /// another VG, or else the older one. The newest verified copy is never overwritten.
    fn inactive_slot(&self, area: usize, vg: &Id) -> usize {
        let (a, b) = (area * 2, area * 2 + 1);
        match (self.slots[a], self.slots[b]) {
            (None, _) => a,
            (_, None) => b,
            (Some((ia, _)), _) if ia != *vg => a,
            (_, Some((ib, _))) if ib != *vg => b,
            (Some((_, sa)), Some((_, sb))) => {
                if sa <= sb {
                    a
                } else {
                    b
                }
            }
        }
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// This host's name, as LVM2 records it in `creation_host`.
pub fn hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_default()
}

/// The extents each PV (by id) gives to LVs.
fn owned_extents(vg: &Vg) -> HashMap<Id, RoaringTreemap> {
    let mut out: HashMap<Id, RoaringTreemap> = HashMap::new();
    for lv in &vg.lvs {
        for s in &lv.segments {
            if let Some(pv) = vg.pvs.get(s.pv) {
                out.entry(pv.id)
                    .or_default()
                    .insert_range(s.pv_start..s.pv_start + s.count);
            }
        }
    }
    out
}

/// Runs of consecutive values in a bitmap.
fn runs(map: &RoaringTreemap) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for v in map.iter() {
        match out.last_mut() {
            Some((start, len)) if *start + *len == v => *len += 1,
            _ => out.push((v, 1)),
        }
    }
    out
}

/// Checks that `vg` is valid and that its record fits the smallest of `slot_sizes`, without
/// writing anything; commands call it before their first write.
pub fn check_commit(vg: &Vg, slot_sizes: impl IntoIterator<Item = u64>) -> MetaResult<()> {
    validate(vg)?;
    let holder = vg.pvs.first().map_or(vg.id, |p| p.id);
    let need = (HEADER_LEN + to_record(vg).encode_body(&holder).len()) as u64;
    if let Some(slot) = slot_sizes.into_iter().min() {
        if need > slot {
            return Err(MetaError::MetadataTooLarge {
                vg: vg.name.clone(),
                need,
                slot,
            });
        }
    }
    Ok(())
}

/// Writes `vg` with the next seqno to every PV in `handles` (indexed like `vg.pvs`; `None`
/// for missing PVs). `before` is the committed state, whose extents need no discard.
pub fn write_vg(
    vg: &mut Vg,
    before: Option<&Vg>,
    handles: &mut [Option<PvHandle>],
    discard_new_extents: bool,
) -> MetaResult<()> {
    vg.seqno += 1;
    for (pv, h) in vg.pvs.iter_mut().zip(handles.iter()) {
        if let Some(h) = h {
            pv.device = h.path.clone();
        }
    }
    validate(vg)?;
    let record = to_record(vg);
    // Encode every copy before writing any, so that a record that does not fit changes
    // nothing.
    let mut bodies = Vec::with_capacity(handles.len());
    for (pv, h) in vg.pvs.iter().zip(handles.iter()) {
        let Some(h) = h else {
            bodies.push(None);
            continue;
        };
        let body = record.encode_body(&pv.id);
        let need = (HEADER_LEN + body.len()) as u64;
        if need > h.label.layout.slot_size {
            return Err(MetaError::MetadataTooLarge {
                vg: vg.name.clone(),
                need,
                slot: h.label.layout.slot_size,
            });
        }
        bodies.push(Some(body));
    }
    // Never stale data: extents handed to an LV read as zeros before the record that hands
    // them over can be durable.
    let old = before.map(owned_extents).unwrap_or_default();
    let new = if discard_new_extents {
        owned_extents(vg)
    } else {
        HashMap::new()
    };
    for (pv, owned) in new {
        let fresh = match old.get(&pv) {
            Some(o) => owned - o,
            None => owned,
        };
        if fresh.is_empty() {
            continue;
        }
        let Some(i) = vg.pvs.iter().position(|p| p.id == pv) else {
            continue;
        };
        let Some(h) = &handles[i] else { continue };
        let base = vg.pvs[i].pe_start;
        for (start, len) in runs(&fresh) {
            h.dev
                .discard(base + start * vg.extent_size, len * vg.extent_size)
                .map_err(|e| MetaError::io(&h.path, e))?;
        }
        h.dev.flush().map_err(|e| MetaError::io(&h.path, e))?;
    }
    for (h, body) in handles.iter_mut().zip(bodies) {
        let (Some(h), Some(body)) = (h, body) else {
            continue;
        };
        for area in 0..2 {
            let slot = h.inactive_slot(area, &vg.id);
            let offset = h.label.layout.slots()[slot];
            let bytes = crate::format::block::encode(
                crate::format::block::VG_RECORD,
                offset,
                vg.seqno,
                Default::default(),
                &body,
            );
            pvio::write_padded(h.dev.as_ref(), bytes, offset)
                .map_err(|e| MetaError::io(&h.path, e))?;
            h.slots[slot] = Some((vg.id, vg.seqno));
        }
    }
    for h in handles.iter().flatten() {
        h.dev.flush().map_err(|e| MetaError::io(&h.path, e))?;
    }
    Ok(())
}

/// A VG opened for change under its exclusive lock.
pub struct VgTxn<'e> {
    env: &'e Env,
    _lock: LockGuard,
    /// The VG to change; commit writes it.
    pub vg: Vg,
    before: Vg,
    /// Open member PVs by id (missing PVs have none).
    handles: HashMap<Id, PvHandle>,
    read_only_features: bool,
    /// Discard extents newly handed to LVs before committing (off only for restores).
    pub discard_new_extents: bool,
}

impl VgTxn<'_> {
    /// The committed state this transaction started from.
    pub fn before(&self) -> &Vg {
        &self.before
    }

    /// Whether the VG has PVs that were not found.
    pub fn has_missing(&self) -> bool {
        self.vg.pvs.iter().any(|p| p.missing)
    }

    /// Refuses changes a read-only context forbids.
    pub fn check_writable(&self) -> MetaResult<()> {
        if self.env.readonly {
            return Err(MetaError::Refused(
                "Operation prohibited while --readonly is set.".into(),
            ));
        }
        if self.read_only_features {
            return Err(MetaError::ReadOnlyVg(self.vg.name.clone()));
        }
        Ok(())
    }

    /// Slot sizes of the open member PVs (the record must fit the smallest).
    pub fn slot_sizes(&self) -> Vec<u64> {
        self.handles
            .values()
            .map(|h| h.label.layout.slot_size)
            .collect()
    }

    /// Adds the handle of a PV joining the VG (vgextend).
    pub fn add_handle(&mut self, h: PvHandle) {
        self.handles.insert(h.label.pv_id, h);
    }

    /// Takes the handle of a member PV (vgreduce wipes a leaver after the commit).
    pub fn take_handle(&mut self, id: &Id) -> Option<PvHandle> {
        self.handles.remove(id)
    }

    /// The open handle of a member PV.
    pub fn handle_mut(&mut self, id: &Id) -> Option<&mut PvHandle> {
        self.handles.get_mut(id)
    }

    /// Archives the old state, writes the new one, and backs it up. A VG that still has
    /// missing PVs cannot be changed (`vgreduce --removemissing` first).
    pub fn commit(mut self) -> MetaResult<Vg> {
        if self.vg == self.before {
            return Ok(self.vg);
        }
        self.check_writable()?;
        if self.has_missing() {
            return Err(MetaError::MissingPvs(self.vg.name.clone()));
        }
        let mut handles: Vec<Option<PvHandle>> = self
            .vg
            .pvs
            .iter()
            .map(|p| self.handles.remove(&p.id))
            .collect();
        // Nothing (not even the archive) is written for a change that cannot commit.
        check_commit(
            &self.vg,
            handles.iter().flatten().map(|h| h.label.layout.slot_size),
        )?;
        let env = self.env;
        backup::archive(
            &env.system_dir,
            &env.config,
            &self.before,
            &format!("Created *before* executing '{}'", env.command),
            now(),
            &hostname(),
        )?;
        let before = self.discard_new_extents.then_some(&self.before);
        let seq = self.before.seqno;
        self.vg.seqno = self.vg.seqno.max(seq);
        if let Err(e) = write_vg(&mut self.vg, before, &mut handles, self.discard_new_extents) {
            return Err(roll_back(&self.before, &self.vg, &mut handles, e));
        }
        env.after_commit(&self.vg);
        Ok(self.vg)
    }
}

/// After `write_vg` of `new` failed part-way (a PV full or failing), puts `old` back with
/// a seqno above the new one on every PV that still takes it, so that the failed command
/// changes nothing, as [`MetaError`] promises: otherwise the copies that did take the new
/// record would outrank the others at the next load, and the change would stand although
/// the command reported that it failed. One verified copy of the rollback is enough (the
/// highest seqno wins); a crash meanwhile leaves old or new, as any commit does. Returns
/// the error to report.
pub(crate) fn roll_back(
    old: &Vg,
    new: &Vg,
    handles: &mut [Option<PvHandle>],
    err: MetaError,
) -> MetaError {
    let wrote_new = handles
        .iter()
        .flatten()
        .any(|h| h.slots.contains(&Some((new.id, new.seqno))));
    if !wrote_new {
        return err;
    }
    let mut back = old.clone();
    back.seqno = new.seqno + 1;
    let record = to_record(&back);
    let mut landed = false;
    // Indexed like `new.pvs`. A PV that joined in this change gets no record of a VG that
    // does not list it: its copy of the change is outranked, as a PV that left would be.
    for (pv, h) in new.pvs.iter().zip(handles.iter_mut()) {
        let Some(h) = h else { continue };
        if !back.pvs.iter().any(|p| p.id == pv.id) {
            continue;
        }
        let body = record.encode_body(&pv.id);
        let mut wrote = false;
        for area in 0..2 {
            let slot = h.inactive_slot(area, &back.id);
            let offset = h.label.layout.slots()[slot];
            let bytes = crate::format::block::encode(
                crate::format::block::VG_RECORD,
                offset,
                back.seqno,
                Default::default(),
                &body,
            );
            if pvio::write_padded(h.dev.as_ref(), bytes, offset).is_ok() {
                h.slots[slot] = Some((back.id, back.seqno));
                wrote = true;
            }
        }
        landed |= wrote && h.dev.flush().is_ok();
    }
    match landed {
        true => err,
        false => MetaError::Refused(format!(
            "{err} (the change reached some PVs and could not be undone: check with vgck {})",
            old.name
        )),
    }
}

impl Env {
    /// An environment from explicit directories and configuration.
    pub fn new(system_dir: PathBuf, run_dir: PathBuf, config: Config, readonly: bool) -> Env {
        Env {
            system_dir,
            run_dir,
            config,
            readonly,
            command: String::new(),
            opener: Arc::new(FileOpener),
            observer: None,
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// Adds a warning for the user.
    pub fn warn(&self, msg: String) {
        self.warnings.borrow_mut().push(msg);
    }

    /// Warnings gathered so far, to print.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.warnings.borrow_mut())
    }

    /// Tells the observer that `vg` was committed; every path that writes VG metadata calls
    /// it under the VG's lock.
    pub fn notify_committed(&self, vg: &Vg) {
        if let Some(o) = &self.observer {
            o.committed(vg);
        }
    }

    /// Runs after every commit (still under the VG lock): tells the observer, then writes
    /// the backup; a backup failure is a warning, as the commit stands.
    fn after_commit(&self, vg: &Vg) {
        self.notify_committed(vg);
        let desc = format!("Created *after* executing '{}'", self.command);
        if let Err(e) = backup::backup(
            &self.system_dir,
            &self.config,
            vg,
            &desc,
            now(),
            &hostname(),
        ) {
            self.warn(format!(
                "WARNING: Backup of volume group {} failed: {e}",
                vg.name
            ));
        }
    }

    /// The devices list.
    pub fn device_paths(&self) -> MetaResult<Vec<PathBuf>> {
        devices::read(&self.system_dir)
    }

    /// Scans the listed devices and assembles VGs, collecting warnings.
    pub fn assemble(&self) -> MetaResult<Assembly> {
        let paths = self.device_paths()?;
        let mut w = Vec::new();
        let pvs = scan_paths(self.opener.as_ref(), &paths, &mut w);
        let asm = assemble(pvs, &mut w);
        for m in w {
            if !self.warnings.borrow().contains(&m) {
                self.warn(m);
            }
        }
        Ok(asm)
    }

    /// Takes the global lock (orphan PVs, the devices list).
    pub fn global_lock(&self, mode: LockMode) -> MetaResult<LockGuard> {
        lock::lock(&self.run_dir, lock::GLOBAL, mode)
    }

    /// Takes a VG's lock.
    pub fn vg_lock(&self, name: &str, mode: LockMode) -> MetaResult<LockGuard> {
        super::names::check_vg_name(name)?;
        lock::lock(&self.run_dir, &lock::vg_lock_name(name), mode)
    }

    /// Every VG and orphan PV, read consistently under shared VG locks. Damaged or stale
    /// copies found on the way are repaired first (unless `--readonly`).
    pub fn read_all(&self) -> MetaResult<View> {
        let first = self.assemble()?;
        if first.vgs.iter().any(AssembledVg::needs_repair) && !self.readonly {
            self.repair_or_warn(&first);
        }
        let mut names: Vec<String> = first.vgs.iter().map(|v| v.vg.name.clone()).collect();
        names.sort();
        names.dedup();
        let _locks = names
            .iter()
            .map(|n| self.vg_lock(n, LockMode::Shared))
            .collect::<MetaResult<Vec<_>>>()?;
        let asm = self.assemble()?;
        Ok(View {
            orphans: asm.orphans.iter().map(|&i| asm.pvs[i].orphan()).collect(),
            vgs: asm.vgs.into_iter().map(|v| v.vg).collect(),
        })
    }

    /// One VG for reading.
    pub fn read_vg(&self, name: &str) -> MetaResult<Vg> {
        let first = self.assemble()?;
        if let Some(v) = first.vgs.iter().find(|v| v.vg.name == name) {
            if v.needs_repair() && !self.readonly {
                self.repair_or_warn(&first);
            }
        }
        let _lock = self.vg_lock(name, LockMode::Shared)?;
        let asm = self.assemble()?;
        let err = asm.not_found(name);
        asm.vgs
            .into_iter()
            .find(|v| v.vg.name == name)
            .map(|v| v.vg)
            .ok_or(err)
    }

    /// Repairs for a read: a copy that cannot be repaired now (its PV is full or failing)
    /// is a warning, and the read goes on from the best copy, which is what the repair
    /// would have written. Reports must answer while a PV has trouble.
    fn repair_or_warn(&self, asm: &Assembly) {
        if let Err(e) = self.repair(asm) {
            self.warn(format!("WARNING: Metadata repair failed: {e}"));
        }
    }

    /// Repairs every VG in `asm` that needs it, under the global lock and each VG's lock.
    fn repair(&self, asm: &Assembly) -> MetaResult<()> {
        let _g = self.global_lock(LockMode::Exclusive)?;
        for v in asm.vgs.iter().filter(|v| v.needs_repair()) {
            // begin() repairs damaged member copies; stale leavers are wiped here, where the
            // global lock keeps any vgextend from claiming them meanwhile.
            let txn = self.begin(&v.vg.name)?;
            let fresh = self.assemble()?;
            if let Some(fv) = fresh.vgs.iter().find(|f| f.vg.id == v.vg.id) {
                for &i in &fv.stale {
                    let pv = &fresh.pvs[i];
                    self.warn(format!(
                        "WARNING: PV {} left VG {} but still held its old metadata; wiping it.",
                        pv.path.display(),
                        fv.vg.name
                    ));
                    let h = PvHandle::open(self.opener.as_ref(), &pv.path, pv.label, &pv.slots)?;
                    pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
                        .and_then(|_| h.dev.flush())
                        .map_err(|e| MetaError::io(&h.path, e))?;
                }
            }
            drop(txn);
        }
        Ok(())
    }

    /// Opens VG `name` for change: exclusive lock, load, and repair of damaged copies.
    pub fn begin(&self, name: &str) -> MetaResult<VgTxn<'_>> {
        let lock = self.vg_lock(name, LockMode::Exclusive)?;
        let asm = self.assemble()?;
        let mut found: Vec<&AssembledVg> = asm.vgs.iter().filter(|v| v.vg.name == name).collect();
        if found.len() > 1 {
            return Err(MetaError::Refused(format!(
                "Multiple VGs found with the same name: skipping {name}"
            )));
        }
        let v = found.pop().ok_or_else(|| asm.not_found(name))?;
        let read_only_features = v.features.unknown_ro_compat() != 0;
        let writable = !self.readonly && !read_only_features;
        let mut handles = Vec::with_capacity(v.members.len());
        for m in &v.members {
            handles.push(match m {
                Some(i) if writable => {
                    let p = &asm.pvs[*i];
                    Some(PvHandle::open(
                        self.opener.as_ref(),
                        &p.path,
                        p.label,
                        &p.slots,
                    )?)
                }
                _ => None,
            });
        }
        let mut vg = v.vg.clone();
        // The next commit outranks every copy on disk, refused ones included.
        vg.seqno = vg.seqno.max(v.max_seqno);
        if !v.damaged.is_empty() && writable {
            for (i, what) in &v.damaged {
                self.warn(format!(
                    "WARNING: Repairing {what} of PV {} in VG {name}.",
                    asm.pvs[*i].path.display()
                ));
            }
            for h in handles.iter().flatten() {
                pvio::write_labels(h.dev.as_ref(), &h.label)
                    .map_err(|e| MetaError::io(&h.path, e))?;
            }
            // Same content, next seqno: every area gets a verified copy again.
            write_vg(&mut vg, None, &mut handles, false)?;
        }
        let handles = vg
            .pvs
            .iter()
            .zip(handles)
            .filter_map(|(p, h)| h.map(|h| (p.id, h)))
            .collect();
        Ok(VgTxn {
            env: self,
            _lock: lock,
            before: vg.clone(),
            vg,
            handles,
            read_only_features,
            discard_new_extents: true,
        })
    }
}
