//! Live figures for reports: from a host this process has open, else from the snapshot
//! stores' headers on disk (two sectors each). The daemon's client will swap in its own
//! source by implementing [`LiveStatus`] over the daemon's answers.

use super::report::{LiveStatus, LvLive};
use crate::block::BlockDevice;
use crate::engine::{read_snapshot_status, Piece, SnapshotStatus};
use crate::format::id::Id;
use crate::host::HostProvider;
use crate::meta::model::{Lv, Vg};
use crate::meta::Env;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Hosts first, then the stores' headers; PVs are opened read-only once each.
pub struct StoreStatus<'a> {
    env: &'a Env,
    hosts: &'a dyn HostProvider,
    devices: RefCell<HashMap<Id, Option<Arc<dyn BlockDevice>>>>,
}

impl<'a> StoreStatus<'a> {
    /// Figures for one report: `hosts` first, then the headers on the PVs `env` lists.
    pub fn new(env: &'a Env, hosts: &'a dyn HostProvider) -> StoreStatus<'a> {
        StoreStatus {
            env,
            hosts,
            devices: RefCell::new(HashMap::new()),
        }
    }

    fn device(&self, vg: &Vg, pv: usize) -> Option<Arc<dyn BlockDevice>> {
        let p = vg.pvs.get(pv)?;
        if p.missing {
            return None;
        }
        self.devices
            .borrow_mut()
            .entry(p.id)
            .or_insert_with(|| self.env.opener.open(&p.device, false).ok())
            .clone()
    }

    /// A snapshot's status from its store's header; `None` if the store cannot be read.
    fn on_disk(&self, vg: &Vg, lv: &Lv) -> Option<Result<SnapshotStatus, ()>> {
        let mut pieces = Vec::new();
        for m in vg.lv_map(lv) {
            pieces.push(Piece {
                device: self.device(vg, m.pv)?,
                lv_offset: m.lv_offset,
                dev_offset: m.pv_offset,
                len: m.len,
            });
        }
        Some(read_snapshot_status(&lv.id, &pieces).map_err(|_| ()))
    }

    fn status(&self, vg: &Vg, lv: &Lv) -> Option<Result<SnapshotStatus, ()>> {
        if let Some(live) = self.hosts.live(vg, lv) {
            if let Some(s) = live.status {
                return Some(Ok(s));
            }
        }
        self.on_disk(vg, lv)
    }
}

fn figures(status: Option<Result<SnapshotStatus, ()>>, open: bool) -> LvLive {
    match status {
        Some(Ok(s)) => LvLive {
            data_percent: Some(s.data_percent()),
            invalid: !s.valid,
            open,
        },
        // No readable header: the store was never initialised (its creation was
        // interrupted), and the next open marks it invalid.
        Some(Err(())) => LvLive {
            data_percent: None,
            invalid: true,
            open,
        },
        None => LvLive {
            open,
            ..LvLive::default()
        },
    }
}

impl LiveStatus for StoreStatus<'_> {
    fn lv(&self, vg: &Vg, lv: &Lv) -> LvLive {
        let open = self.hosts.live(vg, lv).is_some_and(|l| l.open);
        if lv.snapshot().is_some() {
            return figures(self.status(vg, lv), open);
        }
        // A merging origin shows its merging snapshot's figures, as LVM2 does.
        let merging = vg
            .snapshots_of(&lv.id)
            .find(|s| s.snapshot().is_some_and(|i| i.merging));
        match merging {
            Some(s) => {
                let mut f = figures(self.status(vg, s), open);
                f.invalid = false;
                f
            }
            None => LvLive {
                open,
                ..LvLive::default()
            },
        }
    }
}
