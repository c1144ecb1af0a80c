//! [`VgHost`]: one open VG, its PVs, the volumes it has handed out, and reconcile.

use super::provider::{LiveLv, UnfinishedMerge};
use super::volume::{Backend, LvVolume};
use super::{HostResult, VgHostError};
use crate::block::{BlockDevice, DeviceOpener};
use crate::engine::{EngineSettings, Origin, Piece};
use crate::format::id::Id;
use crate::meta::config::Config;
use crate::meta::lock::{LockGuard, LockMode};
use crate::meta::model::{Lv, Permission, Vg};
use crate::meta::{Env, MetaError};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// Where the host's own metadata transactions (auto-extend, merge start and end) run.
pub(crate) struct HostCtx {
    pub system_dir: PathBuf,
    pub run_dir: PathBuf,
    pub config: Config,
    pub opener: Arc<dyn DeviceOpener>,
}

/// An LV's open lock as held by this host.
pub(crate) struct OpenLock {
    pub mode: LockMode,
    pub _guard: LockGuard,
}

/// The byte map an open volume was last given: (PV id, PV offset, LV offset, length).
pub(crate) type AppliedMap = Vec<(Id, u64, u64, u64)>;

pub(crate) struct HostState {
    /// The VG as last committed or loaded.
    pub vg: Vg,
    pub pvs: HashMap<Id, Arc<dyn BlockDevice>>,
    /// Volumes handed out, by LV id.
    pub volumes: HashMap<Id, Arc<LvVolume>>,
    /// Open origins with their snapshots, by origin LV id.
    pub families: HashMap<Id, Origin>,
    /// Open locks, by LV id (an origin's covers its snapshots).
    pub locks: HashMap<Id, OpenLock>,
    /// What each open LV (origin, snapshot store, linear LV) was last mapped to, and
    /// whether it was read-only.
    pub applied: HashMap<Id, (AppliedMap, bool)>,
    /// Things reconcile could not do, for the command to print.
    pub warnings: Vec<String>,
    pub closed: bool,
}

/// One open VG. See the module documentation of [`host`](super).
pub struct VgHost {
    pub(crate) id: Id,
    pub(crate) ctx: HostCtx,
    pub(crate) settings: EngineSettings,
    /// One command-level operation at a time: opening volumes, creating, removing and
    /// merging snapshots. Engine callbacks and reconcile never take it.
    ops: Mutex<()>,
    state: Mutex<HostState>,
    pub(crate) me: Weak<VgHost>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The map of `lv` as [`AppliedMap`] (PVs by id, so a reordered PV list compares equal).
pub(crate) fn map_of(vg: &Vg, lv: &Lv) -> AppliedMap {
    vg.lv_map(lv)
        .into_iter()
        .map(|p| {
            let pv = vg.pvs.get(p.pv).map_or(vg.id, |pv| pv.id);
            (pv, p.pv_offset, p.lv_offset, p.len)
        })
        .collect()
}

/// LVM2's `vg/lv`.
pub(crate) fn display(vg: &Vg, lv: &str) -> String {
    format!("{}/{}", vg.name, lv)
}

/// Engine tunables from the configuration, with LVM2's floor on the threshold.
fn settings(env: &Env) -> EngineSettings {
    let mut threshold = env.config.snapshot_autoextend_threshold();
    if threshold < 50 {
        env.warn(format!(
            "WARNING: Snapshot autoextend threshold {threshold}% is set below minimal supported value 50%."
        ));
        threshold = 50;
    }
    let percent = env.config.snapshot_autoextend_percent();
    let defaults = EngineSettings::default();
    // Not an LVM2 key: the longest a copied chunk waits for its group commit when no
    // client flushes. The crash harness sets it high, so that commits happen only where
    // its workload asks for them and a seed replays the very same writes.
    let commit_interval = match env.config.int("activation/rvm_commit_interval_ms") {
        Some(ms) if ms > 0 => std::time::Duration::from_millis(ms as u64),
        _ => defaults.commit_interval,
    };
    EngineSettings {
        autoextend_threshold: threshold.min(100) as u32,
        autoextend_percent: percent.clamp(0, 10_000) as u32,
        commit_interval,
        ..defaults
    }
}

impl VgHost {
    /// Opens VG `name`: reads its metadata. PVs and volumes are opened when first needed.
    pub fn open(env: &Env, name: &str) -> HostResult<Arc<VgHost>> {
        let vg = env.read_vg(name)?;
        let settings = settings(env);
        Ok(Arc::new_cyclic(|me| VgHost {
            id: vg.id,
            ctx: HostCtx {
                system_dir: env.system_dir.clone(),
                run_dir: env.run_dir.clone(),
                config: env.config.clone(),
                opener: env.opener.clone(),
            },
            settings,
            ops: Mutex::new(()),
            state: Mutex::new(HostState {
                vg,
                pvs: HashMap::new(),
                volumes: HashMap::new(),
                families: HashMap::new(),
                locks: HashMap::new(),
                applied: HashMap::new(),
                warnings: Vec::new(),
                closed: false,
            }),
            me: me.clone(),
        }))
    }

    /// The VG's id.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The VG's name as last committed.
    pub fn name(&self) -> String {
        self.state().vg.name.clone()
    }

    /// The VG as this host last saw it committed.
    pub fn vg(&self) -> Vg {
        self.state().vg.clone()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, HostState> {
        lock(&self.state)
    }

    pub(crate) fn op(&self) -> MutexGuard<'_, ()> {
        lock(&self.ops)
    }

    /// An environment for the host's own transactions; its commits reconcile this host.
    pub(crate) fn env(&self, command: &str) -> Env {
        let mut env = Env::new(
            self.ctx.system_dir.clone(),
            self.ctx.run_dir.clone(),
            self.ctx.config.clone(),
            false,
        );
        env.opener = self.ctx.opener.clone();
        env.command = command.to_string();
        env.observer = Some(Arc::new(super::provider::SelfObserver(self.me.clone())));
        env
    }

    /// The opened device of PV `pv` (opening it through `Env::opener` the first time).
    fn device(&self, st: &mut HostState, pv: usize) -> HostResult<Arc<dyn BlockDevice>> {
        let p =
            st.vg.pvs.get(pv).ok_or_else(|| {
                VgHostError::Refused(format!("VG {} has no PV #{pv}.", st.vg.name))
            })?;
        if p.missing {
            return Err(VgHostError::Refused(format!(
                "Refusing to open logical volumes of VG {} while PV {} is missing.",
                st.vg.name, p.id
            )));
        }
        if let Some(d) = st.pvs.get(&p.id) {
            return Ok(d.clone());
        }
        let dev = self
            .ctx
            .opener
            .open(&p.device, true)
            .map_err(|e| MetaError::io(&p.device, e))?;
        st.pvs.insert(p.id, dev.clone());
        Ok(dev)
    }

    /// `lv`'s map as engine pieces over the host's shared PV devices, from `vg` (which the
    /// caller has made the host's model).
    pub(crate) fn pieces(&self, st: &mut HostState, lv: &Lv) -> HostResult<Vec<Piece>> {
        let map = st.vg.lv_map(lv);
        let mut out = Vec::with_capacity(map.len());
        for p in map {
            out.push(Piece {
                device: self.device(st, p.pv)?,
                lv_offset: p.lv_offset,
                dev_offset: p.pv_offset,
                len: p.len,
            });
        }
        Ok(out)
    }

    /// Takes `lv`'s open lock in `mode` (converting a shared one this host holds), or
    /// refuses if another process holds it in a conflicting mode.
    pub(crate) fn take_open_lock(
        &self,
        st: &mut HostState,
        lv: &Lv,
        mode: LockMode,
    ) -> HostResult<()> {
        if let Some(held) = st.locks.get(&lv.id) {
            if held.mode == LockMode::Exclusive || mode == LockMode::Shared {
                return Ok(());
            }
        }
        let name = format!("LV_{}", lv.id.as_str());
        let had_shared = st.locks.remove(&lv.id).is_some();
        let run = &self.ctx.run_dir;
        match crate::meta::lock::try_lock(run, &name, mode)? {
            Some(g) => {
                st.locks.insert(lv.id, OpenLock { mode, _guard: g });
                Ok(())
            }
            None => {
                if had_shared {
                    if let Some(g) = crate::meta::lock::try_lock(run, &name, LockMode::Shared)? {
                        st.locks.insert(
                            lv.id,
                            OpenLock {
                                mode: LockMode::Shared,
                                _guard: g,
                            },
                        );
                    }
                }
                Err(VgHostError::InUse(display(&st.vg, &lv.name)))
            }
        }
    }

    /// The volume of LV `name`, opened on first use: a linear volume, an origin with its
    /// snapshots, or a snapshot of one. Refuses an LV another process holds in a
    /// conflicting way, and a snapshot that is merging.
    pub fn volume(&self, env: &Env, name: &str) -> HostResult<Arc<LvVolume>> {
        let _op = self.op();
        self.volume_locked(env, name)
    }

    pub(crate) fn volume_locked(&self, env: &Env, name: &str) -> HostResult<Arc<LvVolume>> {
        let lv = {
            let st = self.state();
            let lv = st
                .vg
                .lv(name)
                .cloned()
                .ok_or_else(|| MetaError::LvNotFound {
                    vg: st.vg.name.clone(),
                    lv: name.to_string(),
                })?;
            if let Some(v) = st.volumes.get(&lv.id) {
                if !v.is_gone() {
                    return Ok(v.clone());
                }
            }
            lv
        };
        let backend = match lv.snapshot() {
            Some(info) => {
                let origin = self.family_locked(env, &info.origin, None)?;
                let st = self.state();
                let lv = st
                    .vg
                    .lv_by_id(&lv.id)
                    .cloned()
                    .ok_or_else(|| MetaError::LvNotFound {
                        vg: st.vg.name.clone(),
                        lv: name.to_string(),
                    })?;
                if lv.snapshot().is_some_and(|s| s.merging) {
                    return Err(VgHostError::Refused(format!(
                        "Snapshot {} is merging into its origin and can no longer be used.",
                        display(&st.vg, &lv.name)
                    )));
                }
                let snap = origin.snapshot(&lv.id).ok_or_else(|| {
                    VgHostError::Refused(format!(
                        "Snapshot {} is not part of its origin's open state.",
                        display(&st.vg, &lv.name)
                    ))
                })?;
                Backend::Snapshot(snap)
            }
            None => {
                let has_snaps = self.state().vg.snapshots_of(&lv.id).next().is_some();
                // A family stays open after its last snapshot goes (removed or merged):
                // the LV is served by that engine, never by a second, linear one beside
                // it, or a snapshot taken later would miss the linear volume's writes.
                let open = self.state().families.get(&lv.id).cloned();
                if let Some(family) = open {
                    Backend::Origin(family)
                } else if has_snaps {
                    Backend::Origin(self.family_locked(env, &lv.id, None)?)
                } else {
                    let mut st = self.state();
                    self.take_open_lock(&mut st, &lv, LockMode::Shared)?;
                    drop(st);
                    // Fresh metadata under the open lock: another process may have
                    // resized it, or given it a snapshot, since this host was opened.
                    self.refresh(env)?;
                    let mut st = self.state();
                    let lv =
                        st.vg
                            .lv_by_id(&lv.id)
                            .cloned()
                            .ok_or_else(|| MetaError::LvNotFound {
                                vg: st.vg.name.clone(),
                                lv: name.to_string(),
                            })?;
                    if st.vg.snapshots_of(&lv.id).next().is_some() {
                        drop(st);
                        Backend::Origin(self.family_locked(env, &lv.id, None)?)
                    } else {
                        let pieces = self.pieces(&mut st, &lv)?;
                        let ro = lv.permission == Permission::ReadOnly;
                        let vol = crate::engine::LinearVolume::new(pieces, *lv.id.as_bytes(), ro)?;
                        let key = map_of(&st.vg, &lv);
                        st.applied.insert(lv.id, (key, ro));
                        Backend::Linear(Arc::new(vol))
                    }
                }
            }
        };
        let mut st = self.state();
        if let Some(v) = st.volumes.get(&lv.id) {
            if !v.is_gone() {
                return Ok(v.clone());
            }
        }
        let vol = Arc::new(LvVolume::new(lv.id, backend));
        st.volumes.insert(lv.id, vol.clone());
        drop(st);
        self.catch_up();
        Ok(vol)
    }

    /// Reconciles with the newest model seen, for a volume or family that was being
    /// opened while a commit was reconciled without it.
    pub(crate) fn catch_up(&self) {
        let vg = self.state().vg.clone();
        self.reconcile(&vg);
    }

    /// Reloads the VG's metadata (under its shared lock) and reconciles with it.
    pub(crate) fn refresh(&self, env: &Env) -> HostResult<()> {
        let name = self.state().vg.name.clone();
        let vg = env.read_vg(&name)?;
        if vg.id != self.id {
            return Err(MetaError::VgNotFound(name).into());
        }
        self.reconcile(&vg);
        Ok(())
    }

    /// Brings every open volume in line with `vg`, which was just committed (or loaded):
    /// linear maps and origins grow or shrink, snapshot stores grow, permissions follow,
    /// volumes of removed LVs and merging snapshots fail from now on, and the model is
    /// replaced. It takes no lock the data path holds, so it is safe under the VG's flock
    /// and from the engine's own threads; what it cannot do becomes a warning.
    pub fn reconcile(&self, vg: &Vg) {
        if vg.id != self.id {
            return;
        }
        let mut st = self.state();
        if st.closed || vg.seqno < st.vg.seqno {
            return;
        }
        st.vg = vg.clone();
        let mut warnings = Vec::new();
        let families: Vec<(Id, Origin)> =
            st.families.iter().map(|(i, o)| (*i, o.clone())).collect();
        for (oid, origin) in families {
            let Some(olv) = vg.lv_by_id(&oid).cloned() else {
                continue;
            };
            let mut members = vec![olv];
            members.extend(
                origin
                    .snapshot_ids()
                    .iter()
                    .filter_map(|s| vg.lv_by_id(s).cloned()),
            );
            for lv in members {
                let key = map_of(vg, &lv);
                let ro = lv.permission == Permission::ReadOnly;
                if st
                    .applied
                    .get(&lv.id)
                    .is_some_and(|a| a.0 == key && a.1 == ro)
                {
                    continue;
                }
                let grown = st.applied.get(&lv.id).is_none_or(|a| a.0 != key);
                let result = (|| -> HostResult<()> {
                    if grown {
                        let pieces = self.pieces(&mut st, &lv)?;
                        if lv.id == oid {
                            origin.resize_origin(pieces)?;
                        } else {
                            origin.resize_snapshot(&lv.id, pieces)?;
                        }
                    }
                    origin.set_read_only(&lv.id, ro)?;
                    Ok(())
                })();
                match result {
                    Ok(()) => {
                        st.applied.insert(lv.id, (key, ro));
                    }
                    Err(e) => warnings.push(format!(
                        "WARNING: Open volume {} does not follow its new metadata: {e}",
                        display(vg, &lv.name)
                    )),
                }
            }
        }
        let volumes: Vec<(Id, Arc<LvVolume>)> =
            st.volumes.iter().map(|(i, v)| (*i, v.clone())).collect();
        for (id, vol) in volumes {
            let lv = vg.lv_by_id(&id).cloned();
            let merging = lv
                .as_ref()
                .and_then(|l| l.snapshot())
                .is_some_and(|s| s.merging);
            let Some(lv) = lv.filter(|_| !merging) else {
                vol.set_gone();
                st.volumes.remove(&id);
                if !st.families.contains_key(&id) {
                    st.locks.remove(&id);
                    st.applied.remove(&id);
                }
                continue;
            };
            let Backend::Linear(linear) = vol.backend() else {
                continue;
            };
            let key = map_of(vg, &lv);
            let ro = lv.permission == Permission::ReadOnly;
            let same_map = st.applied.get(&id).is_some_and(|a| a.0 == key);
            let result = (|| -> HostResult<()> {
                if !same_map {
                    let pieces = self.pieces(&mut st, &lv)?;
                    linear.remap(pieces)?;
                }
                linear.set_read_only(ro);
                Ok(())
            })();
            match result {
                Ok(()) => {
                    st.applied.insert(id, (key, ro));
                }
                Err(e) => warnings.push(format!(
                    "WARNING: Open volume {} does not follow its new metadata: {e}",
                    display(vg, &lv.name)
                )),
            }
        }
        let members: Vec<Id> = vg.pvs.iter().map(|p| p.id).collect();
        st.pvs.retain(|id, _| members.contains(id));
        st.warnings.extend(warnings);
    }

    /// Warnings gathered by reconcile, for the command to print.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.state().warnings)
    }

    /// Live figures of an LV whose origin this host has open: the snapshot's status (for
    /// an origin, its merging snapshot's), and whether its volume is handed out.
    pub fn live(&self, lv: &Lv) -> Option<LiveLv> {
        let st = self.state();
        let open = st
            .volumes
            .get(&lv.id)
            .is_some_and(|v| !v.is_gone() && Arc::strong_count(v) > 1);
        let status = match lv.snapshot() {
            Some(info) => st.families.get(&info.origin).and_then(|o| o.status(&lv.id)),
            None => st.families.get(&lv.id).and_then(|o| {
                let m = o.merge_progress()?;
                o.status(&m.snapshot)
            }),
        };
        let known =
            status.is_some() || st.families.contains_key(&lv.id) || st.volumes.contains_key(&lv.id);
        known.then_some(LiveLv { status, open })
    }

    /// Closes everything: each origin commits, flushes and stops its threads (a merge
    /// still running stops too, and resumes at the next open), each linear volume
    /// flushes, every handed-out volume fails from now on, and the open locks go. Returns
    /// the merges left unfinished.
    pub fn close(&self) -> HostResult<Vec<UnfinishedMerge>> {
        let _op = self.op();
        let (families, volumes, vg) = {
            let mut st = self.state();
            st.closed = true;
            (
                std::mem::take(&mut st.families),
                std::mem::take(&mut st.volumes),
                st.vg.clone(),
            )
        };
        let mut first_err: Option<VgHostError> = None;
        // The error names its LV: at shutdown it is all the log says about a failed PV.
        let failed = |id: &Id, e: &dyn std::fmt::Display| {
            let lv = vg
                .lv_by_id(id)
                .map_or_else(|| id.to_string(), |l| l.name.clone());
            VgHostError::Refused(format!("cannot flush {}/{lv}: {e}", vg.name))
        };
        let mut unfinished = Vec::new();
        for (id, origin) in families {
            if let Err(e) = origin.close() {
                first_err.get_or_insert_with(|| failed(&id, &e));
            }
            if let Some(p) = origin.merge_progress() {
                let name = |i: &Id| vg.lv_by_id(i).map(|l| l.name.clone());
                if let (Some(origin), Some(snapshot)) = (name(&id), name(&p.snapshot)) {
                    unfinished.push(UnfinishedMerge {
                        vg: vg.name.clone(),
                        origin,
                        snapshot,
                        error: p.error,
                    });
                }
            }
        }
        for (id, vol) in &volumes {
            if let Backend::Linear(l) = vol.backend() {
                if let Err(e) = crate::engine::Volume::flush(l.as_ref()) {
                    first_err.get_or_insert_with(|| failed(id, &e));
                }
            }
            vol.set_gone();
        }
        self.state().locks.clear();
        match first_err {
            Some(e) => Err(e),
            None => Ok(unfinished),
        }
    }

    /// Marks every volume gone after the VG was removed; engines stop at `close`.
    pub(crate) fn vg_removed(&self) {
        let st = self.state();
        for v in st.volumes.values() {
            v.set_gone();
        }
    }
}

impl std::fmt::Debug for VgHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VgHost").field("vg", &self.id).finish()
    }
}
