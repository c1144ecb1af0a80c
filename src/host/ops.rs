//! Operations that need the engine between metadata steps: creating, removing and merging
//! snapshots, and removing or shrinking LVs other processes may have open.
//!
//! Each runs under the host's operation lock. Engine work that takes a gate is done with
//! the VG's flock released; metadata changes go through `Env::begin`, whose commit
//! reconciles the host.

use super::vghost::{display, VgHost};
use super::{HostResult, VgHostError};
use crate::engine::{EngineError, Origin, SnapshotSpec};
use crate::format::id::Id;
use crate::meta::lock::LockMode;
use crate::meta::model::{Lv, Permission, Vg};
use crate::meta::{ops, Env, MetaError};

/// Adds a snapshot LV of the given origin to the model and returns its index.
pub type MakeSnapshotLv<'a, E> = Box<dyn FnOnce(&mut Vg, &Lv) -> Result<usize, E> + 'a>;

/// What `lvcreate -s` asks of the host: the origin, and the change that adds the snapshot
/// LV to the model (the command's size and naming rules).
pub struct SnapshotPlan<'a, E> {
    /// The origin LV's name in the host's VG.
    pub origin: &'a str,
    /// Runs under the VG lock after LVM2's origin checks; its error is the command's.
    pub make: MakeSnapshotLv<'a, E>,
}

/// One LV `lvremove` removes; an origin goes with its snapshots only when asked.
#[derive(Debug, Clone)]
pub struct RemoveRequest {
    /// The LV's name.
    pub lv: String,
    /// The user agreed that an origin's snapshots go too (LVM2's prompt, or -f/-y).
    pub with_snapshots: bool,
}

/// A merge that runs: the family it runs in, and the names to report it by.
pub struct MergeStart {
    /// The family the merge runs in; `merge_progress` follows it until it is `None`.
    pub origin: Origin,
    /// Names as they were when the merge started, for LVM2's messages.
    pub origin_name: String,
    /// The merging snapshot's id (its name goes when the merge ends).
    pub snapshot: Id,
    /// The merging snapshot's name.
    pub snapshot_name: String,
    /// The merge was already recorded and had stopped (a crash, kill -9, or a command
    /// that closed the origin); it goes on from where its records say.
    pub resumed: bool,
}

fn engine_words(vg: &Vg, snap: &str, origin: &str, e: EngineError) -> VgHostError {
    let name = |id: &Id| {
        vg.lv_by_id(id)
            .map_or(id.to_string(), |l| display(vg, &l.name))
    };
    match e {
        EngineError::MergeInvalid(_) => VgHostError::Refused(format!(
            "Unable to merge invalidated snapshot LV {}.",
            display(vg, snap)
        )),
        EngineError::AlreadyMerging(_) => VgHostError::Refused(format!(
            "Snapshot {} is already merging.",
            display(vg, snap)
        )),
        EngineError::OriginMerging(m) => VgHostError::Refused(format!(
            "Cannot merge snapshot {} into the origin {} with merging snapshot {}.",
            display(vg, snap),
            display(vg, origin),
            name(&m)
        )),
        e => e.into(),
    }
}

impl VgHost {
    /// `lvcreate -s`: validates the origin as LVM2 does, adds the LV to the model, opens
    /// the origin's family (from the model without it, before the commit), commits the
    /// snapshot LV, then initialises its store in the engine with the VG lock released.
    /// The snapshot holds every write acknowledged before this call. If the engine fails,
    /// the LV is removed again.
    pub fn create_snapshot<E: From<VgHostError>>(
        &self,
        env: &Env,
        plan: SnapshotPlan<'_, E>,
    ) -> Result<Lv, E> {
        let _op = self.op();
        let name = self.state().vg.name.clone();
        let mut txn = env.begin(&name).map_err(VgHostError::from)?;
        txn.check_writable().map_err(VgHostError::from)?;
        let origin = txn.vg.lv(plan.origin).cloned().ok_or_else(|| {
            VgHostError::Refused(format!(
                "Snapshot origin LV {} not found in Volume group {}.",
                plan.origin, name
            ))
        })?;
        if origin.snapshot().is_some() {
            return Err(
                VgHostError::Refused("Snapshots of snapshots are not supported.".into()).into(),
            );
        }
        if txn
            .vg
            .snapshots_of(&origin.id)
            .any(|s| s.snapshot().is_some_and(|i| i.merging))
        {
            return Err(VgHostError::Refused(
                "Snapshots of an origin that has a merging snapshot are not supported.".into(),
            )
            .into());
        }
        let idx = (plan.make)(&mut txn.vg, &origin)?;
        // The family opens from the model without the new LV: opened with it, the new
        // store would be taken for one whose creation was interrupted.
        let before = txn.before().clone();
        let family = self.family_locked(env, &origin.id, Some(&before))?;
        let lv = txn
            .vg
            .lvs
            .get(idx)
            .cloned()
            .ok_or_else(|| VgHostError::Refused("the snapshot LV was not created".into()))?;
        let info = lv
            .snapshot()
            .filter(|i| i.origin == origin.id)
            .cloned()
            .ok_or_else(|| {
                VgHostError::Refused("the new LV is not a snapshot of its origin".into())
            })?;
        // The store's extents need no discard: the engine zeroes its header and first log
        // area itself, never reads a chunk it has not written, and rejects stale sectors by
        // generation and nonce (docs/format-snapshot.md). That saves a flush per creation.
        txn.discard_new_extents = false;
        let vg = txn.commit().map_err(VgHostError::from)?;
        let spec = {
            let mut st = self.state();
            let lv = vg.lv_by_id(&lv.id).cloned().ok_or_else(|| {
                VgHostError::Refused("the snapshot LV vanished after its commit".into())
            })?;
            SnapshotSpec {
                id: lv.id,
                info,
                pieces: self.pieces(&mut st, &lv)?,
                read_only: lv.permission == Permission::ReadOnly,
            }
        };
        let read_only = spec.read_only;
        if let Err(e) = family.create_snapshot(spec) {
            let undo = self.transact("lvcreate (undo)", |txn| {
                ops::remove_lv(&mut txn.vg, &lv.name, false)?;
                Ok(())
            });
            let e = VgHostError::from(e);
            return Err(match undo {
                Ok(_) => e,
                Err(u) => VgHostError::Refused(format!(
                    "{e}; removing the uninitialised snapshot {} failed too: {u}",
                    display(&vg, &lv.name)
                )),
            }
            .into());
        }
        let mut st = self.state();
        let key = super::vghost::map_of(&vg, &lv);
        st.applied.insert(lv.id, (key, read_only));
        Ok(lv)
    }

    /// `lvremove`: removes the LVs in one commit, after the engine let go of them. A
    /// snapshot's chunks other snapshots borrow are moved first (the engine's take-over),
    /// an origin's family is closed, and a linear LV must not be open in another process.
    /// Returns the names removed, each request's LV first.
    pub fn remove_lvs(&self, env: &Env, requests: &[RemoveRequest]) -> HostResult<Vec<String>> {
        let _op = self.op();
        self.refresh(env)?;
        let vg = self.vg();
        let mut doomed: Vec<Lv> = Vec::new();
        for r in requests {
            let lv = vg.lv(&r.lv).cloned().ok_or_else(|| MetaError::LvNotFound {
                vg: vg.name.clone(),
                lv: r.lv.clone(),
            })?;
            let snaps: Vec<Lv> = vg.snapshots_of(&lv.id).cloned().collect();
            if let Some(first) = snaps.first() {
                if !r.with_snapshots {
                    return Err(VgHostError::Refused(format!(
                        "Logical volume {} is used as origin by snapshot {}",
                        display(&vg, &lv.name),
                        first.name
                    )));
                }
            }
            if !doomed.iter().any(|d| d.id == lv.id) {
                doomed.push(lv);
            }
            for s in snaps {
                if !doomed.iter().any(|d| d.id == s.id) {
                    doomed.push(s);
                }
            }
        }
        let gone_with_origin = |s: &Lv| {
            s.snapshot()
                .is_some_and(|i| doomed.iter().any(|d| d.id == i.origin))
        };
        for lv in &doomed {
            if lv.snapshot().is_some_and(|i| i.merging) && !gone_with_origin(lv) {
                return Err(VgHostError::Refused(format!(
                    "Can't remove merging snapshot logical volume {}.",
                    display(&vg, &lv.name)
                )));
            }
        }
        // Engines let go first; nothing here waits for the VG lock.
        for lv in &doomed {
            match lv.snapshot() {
                Some(_) if gone_with_origin(lv) => {}
                Some(info) => self.detach_snapshot(env, &vg, lv, &info.origin)?,
                None if vg.snapshots_of(&lv.id).next().is_some() => self.close_family(&vg, lv)?,
                None => self.release_linear(&vg, lv)?,
            }
        }
        let names: Vec<String> = doomed.iter().map(|l| l.name.clone()).collect();
        let mut txn = env.begin(&vg.name)?;
        txn.check_writable()?;
        for lv in &doomed {
            if txn.vg.lv(&lv.name).is_some_and(|l| l.id == lv.id) {
                let snaps = txn.vg.snapshots_of(&lv.id).next().is_some();
                ops::remove_lv(&mut txn.vg, &lv.name, snaps)?;
            }
        }
        txn.commit()?;
        Ok(names)
    }

    /// Detaches a snapshot from its origin's engine before its LV goes: under the
    /// family's exclusive lock, with the engine opened if other snapshots may borrow from
    /// it (the only snapshot of an origin borrows to nobody).
    fn detach_snapshot(&self, env: &Env, vg: &Vg, lv: &Lv, origin: &Id) -> HostResult<()> {
        let open = self.state().families.get(origin).cloned();
        let family = match open {
            Some(f) => Some(f),
            None if vg.snapshots_of(origin).count() > 1 => {
                Some(self.family_locked(env, origin, None)?)
            }
            None => {
                let olv = vg.lv_by_id(origin).cloned().ok_or_else(|| {
                    VgHostError::Refused(format!("The origin of {} is missing.", lv.name))
                })?;
                let mut st = self.state();
                self.take_open_lock(&mut st, &olv, LockMode::Exclusive)?;
                None
            }
        };
        if let Some(f) = family {
            match f.remove_snapshot(&lv.id) {
                Ok(()) | Err(EngineError::NoSuchSnapshot(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(v) = self.state().volumes.get(&lv.id) {
            v.set_gone();
        }
        Ok(())
    }

    /// Closes an origin's family (it is being removed with its snapshots).
    fn close_family(&self, vg: &Vg, lv: &Lv) -> HostResult<()> {
        let open = self.state().families.remove(&lv.id);
        match open {
            Some(f) => {
                for id in f.snapshot_ids() {
                    if let Some(v) = self.state().volumes.get(&id) {
                        v.set_gone();
                    }
                }
                if let Some(v) = self.state().volumes.get(&lv.id) {
                    v.set_gone();
                }
                f.close()?;
            }
            None => {
                let mut st = self.state();
                self.take_open_lock(&mut st, lv, LockMode::Exclusive)?;
            }
        }
        for s in vg.snapshots_of(&lv.id) {
            if let Some(v) = self.state().volumes.get(&s.id) {
                v.set_gone();
            }
        }
        Ok(())
    }

    /// Makes sure no other process has a linear LV open, and drains this host's users.
    fn release_linear(&self, _vg: &Vg, lv: &Lv) -> HostResult<()> {
        self.lock_exclusive_locked(lv)?;
        let vol = self.state().volumes.get(&lv.id).cloned();
        if let Some(v) = vol {
            let _drained = v.quiesce();
            v.set_gone();
        }
        Ok(())
    }

    fn lock_exclusive_locked(&self, lv: &Lv) -> HostResult<()> {
        let mut st = self.state();
        self.take_open_lock(&mut st, lv, LockMode::Exclusive)
    }

    /// Takes LV `name`'s open lock exclusively (lvreduce, and anything else that must
    /// know no other process uses it); held until the host closes.
    pub fn lock_exclusive(&self, name: &str) -> HostResult<()> {
        let _op = self.op();
        let lv = {
            let st = self.state();
            st.vg
                .lv(name)
                .cloned()
                .ok_or_else(|| MetaError::LvNotFound {
                    vg: st.vg.name.clone(),
                    lv: name.to_string(),
                })?
        };
        let origin = lv.snapshot().map(|i| i.origin);
        let target = match origin {
            Some(o) => self.state().vg.lv_by_id(&o).cloned().unwrap_or(lv),
            None => lv,
        };
        if self.state().families.contains_key(&target.id) {
            return Ok(());
        }
        self.lock_exclusive_locked(&target)
    }

    /// `lvconvert --merge`: checks what LVM2 checks, then starts the merge in the origin's
    /// family (recording it durably), or resumes a recorded merge that no process is
    /// running. The caller waits on [`Origin::merge_progress`] or leaves it to run.
    pub fn start_merge(&self, env: &Env, snapshot: &str) -> HostResult<MergeStart> {
        let _op = self.op();
        self.refresh(env)?;
        let vg = self.vg();
        let lv = vg
            .lv(snapshot)
            .cloned()
            .ok_or_else(|| MetaError::LvNotFound {
                vg: vg.name.clone(),
                lv: snapshot.to_string(),
            })?;
        let Some(info) = lv.snapshot().cloned() else {
            return Err(VgHostError::Refused(format!(
                "Command not permitted on LV {}: it is not a snapshot.",
                display(&vg, snapshot)
            )));
        };
        let origin = vg.lv_by_id(&info.origin).cloned().ok_or_else(|| {
            VgHostError::Refused(format!(
                "The origin of {} is missing.",
                display(&vg, snapshot)
            ))
        })?;
        if let Some(other) = vg
            .snapshots_of(&origin.id)
            .find(|s| s.id != lv.id && s.snapshot().is_some_and(|i| i.merging))
        {
            return Err(VgHostError::Refused(format!(
                "Cannot merge snapshot {} into the origin {} with merging snapshot {}.",
                display(&vg, snapshot),
                display(&vg, &origin.name),
                display(&vg, &other.name)
            )));
        }
        if origin.permission == Permission::ReadOnly {
            return Err(VgHostError::Refused(format!(
                "Cannot merge snapshot {} into the read-only origin {}. (Use lvchange -p rw).",
                display(&vg, snapshot),
                display(&vg, &origin.name)
            )));
        }
        let already_open = self.state().families.contains_key(&origin.id);
        let start = |origin_engine: Origin, resumed| MergeStart {
            origin: origin_engine,
            origin_name: origin.name.clone(),
            snapshot: lv.id,
            snapshot_name: lv.name.clone(),
            resumed,
        };
        if info.merging {
            if already_open {
                return Err(VgHostError::Refused(format!(
                    "Snapshot {} is already merging.",
                    display(&vg, snapshot)
                )));
            }
            let family = match self.family_locked(env, &origin.id, None) {
                Err(VgHostError::InUse(_)) => {
                    return Err(VgHostError::Refused(format!(
                        "Snapshot {} is already merging.",
                        display(&vg, snapshot)
                    )))
                }
                r => r?,
            };
            return Ok(start(family, true));
        }
        let family = self.family_locked(env, &origin.id, None)?;
        family
            .start_merge(&lv.id)
            .map_err(|e| engine_words(&vg, snapshot, &origin.name, e))?;
        if let Some(v) = self.state().volumes.get(&lv.id) {
            v.set_gone();
        }
        Ok(start(family, false))
    }
}
