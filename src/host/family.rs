//! Opening an origin with its snapshots as one engine family, switching an open linear
//! volume over to it.

use super::meta_host::Callbacks;
use super::vghost::{display, map_of, VgHost};
use super::volume::Backend;
use super::{HostResult, VgHostError};
use crate::engine::{Origin, OriginSpec, SnapshotSpec, Volume};
use crate::format::id::Id;
use crate::meta::lock::LockMode;
use crate::meta::model::{Permission, Vg};
use crate::meta::{Env, MetaError};
use std::sync::Arc;

impl VgHost {
    /// The open family of origin `origin`, opening it under the origin's exclusive open
    /// lock if needed. The engine is built from `fresh` (a model the caller loaded under
    /// the VG lock it holds) or else from metadata re-read now, so that no snapshot
    /// created by another process since this host opened is missed. An open linear volume
    /// of the origin is drained and switched to the family. The caller holds the
    /// operation lock.
    pub(crate) fn family_locked(
        &self,
        env: &Env,
        origin: &Id,
        fresh: Option<&Vg>,
    ) -> HostResult<Origin> {
        if let Some(o) = self.state().families.get(origin) {
            return Ok(o.clone());
        }
        {
            let mut st = self.state();
            let lv = st
                .vg
                .lv_by_id(origin)
                .cloned()
                .ok_or_else(|| VgHostError::Refused(format!("Origin {origin} not found.")))?;
            self.take_open_lock(&mut st, &lv, LockMode::Exclusive)?;
        }
        match fresh {
            Some(vg) => self.reconcile(vg),
            None => self.refresh(env)?,
        }
        let existing = self.state().volumes.get(origin).cloned();
        let mut guard = existing.as_ref().map(|v| v.quiesce());
        if let Some(g) = &guard {
            if let Backend::Linear(l) = &**g {
                l.flush()?;
            }
        }
        let (spec, snaps) = {
            let mut st = self.state();
            let olv = st
                .vg
                .lv_by_id(origin)
                .cloned()
                .ok_or_else(|| MetaError::LvNotFound {
                    vg: st.vg.name.clone(),
                    lv: origin.to_string(),
                })?;
            let spec = OriginSpec {
                id: olv.id,
                pieces: self.pieces(&mut st, &olv)?,
                read_only: olv.permission == Permission::ReadOnly,
            };
            let key = map_of(&st.vg, &olv);
            st.applied.insert(olv.id, (key, spec.read_only));
            let lvs: Vec<_> = st.vg.snapshots_of(origin).cloned().collect();
            let mut snaps = Vec::with_capacity(lvs.len());
            for s in lvs {
                let Some(info) = s.snapshot().cloned() else {
                    continue;
                };
                let read_only = s.permission == Permission::ReadOnly;
                let key = map_of(&st.vg, &s);
                st.applied.insert(s.id, (key, read_only));
                snaps.push(SnapshotSpec {
                    id: s.id,
                    info,
                    pieces: self.pieces(&mut st, &s)?,
                    read_only,
                });
            }
            (spec, snaps)
        };
        let callbacks = Arc::new(Callbacks(self.me.clone()));
        let family = Origin::open(spec, snaps, self.settings.clone(), callbacks).map_err(|e| {
            let st = self.state();
            let name = st
                .vg
                .lv_by_id(origin)
                .map_or_else(|| origin.to_string(), |l| display(&st.vg, &l.name));
            VgHostError::Refused(format!("Cannot open origin {name} with its snapshots: {e}"))
        })?;
        if let Some(g) = guard.as_mut() {
            **g = Backend::Origin(family.clone());
        }
        self.state().families.insert(*origin, family.clone());
        // Reconciling reads every volume's backend: the quiesced one must be released first.
        drop(guard);
        // A commit that landed while the family was opening found it not open yet.
        self.catch_up();
        Ok(family)
    }
}
