//! The daemon's VGs: its long-lived hosts, the environment its own work runs in, and how
//! an export's LV reference becomes an open volume.

use crate::block::DeviceOpener;
use crate::daemon::exports::resolve::resolve;
use crate::daemon::exports::LvRef;
use crate::host::{HostProvider, Hosts, LvVolume};
use crate::meta::config::Config;
use crate::meta::model::Vg;
use crate::meta::Env;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the daemon's VGs live, and the hosts that keep them open across commands.
pub struct DaemonVgs {
    pub system_dir: PathBuf,
    pub run_dir: PathBuf,
    /// rvm.conf as read at start; forwarded commands read it afresh.
    pub config: Config,
    pub opener: Arc<dyn DeviceOpener>,
    pub hosts: Hosts,
}

impl DaemonVgs {
    /// An environment for the daemon's own work (opening exports, resuming merges); its
    /// commits reconcile the daemon's hosts. `Env` is per thread, so each call makes one.
    pub fn env(&self, command: &str) -> Env {
        let mut env = Env::new(
            self.system_dir.clone(),
            self.run_dir.clone(),
            self.config.clone(),
            false,
        );
        env.command = command.to_string();
        env.opener = self.opener.clone();
        env.observer = Some(self.hosts.observer());
        env
    }

    /// Every VG as it is on disk now.
    pub fn read(&self, env: &Env) -> Result<Vec<Vg>, String> {
        env.read_all().map(|v| v.vgs).map_err(|e| e.to_string())
    }

    /// The volume of the LV `r` names among `vgs`, opened in the daemon's host of its VG.
    pub fn open(&self, env: &Env, vgs: &[Vg], r: LvRef<'_>) -> Result<Arc<LvVolume>, String> {
        let (vg, lv) =
            resolve(vgs, r).ok_or_else(|| format!("logical volume {} not found", r.volume))?;
        let host = self.hosts.host(env, &vg.name).map_err(|e| e.to_string())?;
        host.volume(env, &lv.name).map_err(|e| e.to_string())
    }
}
