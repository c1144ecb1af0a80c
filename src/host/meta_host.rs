//! The engine's [`MetadataHost`]: auto-extend, merge start and merge end as VG
//! transactions of the host's VG.

use super::vghost::VgHost;
use super::{HostResult, VgHostError};
use crate::engine::{HostError, MetadataHost, Piece};
use crate::format::id::Id;
use crate::meta::model::{AllocPolicy, LvKind, Vg};
use crate::meta::{ops, MetaError, VgTxn};
use std::sync::Weak;

/// What an engine family calls back; weak, so an engine never keeps its host alive.
pub(crate) struct Callbacks(pub Weak<VgHost>);

impl Callbacks {
    fn host(&self) -> Result<std::sync::Arc<VgHost>, HostError> {
        self.0
            .upgrade()
            .ok_or_else(|| "the VG host is closed".into())
    }
}

impl VgHost {
    /// Runs one metadata transaction of this host's VG and commits it (which reconciles
    /// this host). Takes the VG's flock: never call it holding an engine gate that a
    /// command may be waiting to take under that flock.
    pub(crate) fn transact<T>(
        &self,
        command: &str,
        change: impl FnOnce(&mut VgTxn<'_>) -> HostResult<T>,
    ) -> HostResult<(T, Vg)> {
        let env = self.env(command);
        let name = self.state().vg.name.clone();
        let mut txn = env.begin(&name)?;
        if txn.vg.id != self.id {
            return Err(MetaError::VgNotFound(name).into());
        }
        let t = change(&mut txn)?;
        let vg = txn.commit()?;
        Ok((t, vg))
    }

    /// The LV named by `id` in a transaction's VG.
    fn lv_name(txn: &VgTxn<'_>, id: &Id) -> HostResult<String> {
        txn.vg.lv_by_id(id).map(|l| l.name.clone()).ok_or_else(|| {
            VgHostError::Refused(format!("LV {id} is no longer in VG {}", txn.vg.name))
        })
    }
}

impl MetadataHost for Callbacks {
    fn extend_snapshot(&self, snapshot: &Id, extra_bytes: u64) -> Result<Vec<Piece>, HostError> {
        let host = self.host()?;
        let (name, vg) = host.transact("lvextend (snapshot autoextend)", |txn| {
            let name = VgHost::lv_name(txn, snapshot)?;
            let extents = txn.vg.lv(&name).map_or(0, |l| l.extent_count());
            let extra = extra_bytes.div_ceil(txn.vg.extent_size).max(1);
            ops::resize_lv(
                &mut txn.vg,
                &name,
                extents + extra,
                None,
                AllocPolicy::Inherit,
            )?;
            Ok(name)
        })?;
        let mut st = host.state();
        let lv = vg
            .lv(&name)
            .cloned()
            .ok_or_else(|| format!("snapshot {name} vanished"))?;
        Ok(host.pieces(&mut st, &lv)?)
    }

    fn merge_started(&self, snapshot: &Id) -> Result<(), HostError> {
        let host = self.host()?;
        host.transact("lvconvert --merge", |txn| {
            let name = VgHost::lv_name(txn, snapshot)?;
            if let Some(lv) = txn.vg.lvs.iter_mut().find(|l| l.name == name) {
                if let LvKind::Snapshot(info) = &mut lv.kind {
                    info.merging = true;
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    fn merge_finished(&self, snapshot: &Id) -> Result<(), HostError> {
        let host = self.host()?;
        host.transact("lvconvert --merge (finished)", |txn| {
            let name = VgHost::lv_name(txn, snapshot)?;
            ops::remove_lv(&mut txn.vg, &name, false)?;
            Ok(())
        })?;
        Ok(())
    }
}
