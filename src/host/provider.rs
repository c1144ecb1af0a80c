//! How a command reaches open VGs: the [`HostProvider`] it is given with its `Env`.

use super::vghost::VgHost;
use super::{HostResult, VgHostError};
use crate::engine::SnapshotStatus;
use crate::format::id::Id;
use crate::meta::model::{Lv, Vg};
use crate::meta::store::CommitObserver;
use crate::meta::Env;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// Live figures of an LV from a host that has it open.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveLv {
    /// A snapshot's status, or for an origin its merging snapshot's.
    pub status: Option<SnapshotStatus>,
    /// Its volume is handed out (exported, or in use by a command).
    pub open: bool,
}

/// A merge a closed host left unfinished; it resumes when its origin is next opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedMerge {
    /// The VG's name, for `rvm lvpoll` to find it.
    pub vg: String,
    /// The origin whose opening resumes the merge.
    pub origin: String,
    /// The merging snapshot.
    pub snapshot: String,
    /// Why it stopped, if it failed rather than being stopped.
    pub error: Option<String>,
}

/// What closing a command's hosts left behind.
#[derive(Debug, Default)]
pub struct Finished {
    /// Merges still to do; they resume when their origin is next opened.
    pub merges: Vec<UnfinishedMerge>,
    /// Things the hosts could not do (open volumes that did not follow a commit).
    pub warnings: Vec<String>,
    /// The first failure to flush or close.
    pub error: Option<VgHostError>,
}

/// What a command is given, with its `Env`, to reach VGs. Keep this small: the daemon
/// implements it over its long-lived hosts (or uses [`Hosts::persistent`]).
///
/// A command asks for a VG's host with [`HostProvider::host`] (without holding that VG's
/// lock), uses its volumes and operations, and leaves it open; whoever ran the command
/// calls [`HostProvider::finish`] afterwards. The provider's [`HostProvider::observer`]
/// is installed in the command's `Env`, so every commit reconciles the hosts it has open.
pub trait HostProvider: Send + Sync {
    /// The host of VG `vg`, opened if needed.
    fn host(&self, env: &Env, vg: &str) -> HostResult<Arc<VgHost>>;

    /// What the command's `Env` tells of its commits.
    fn observer(&self) -> Arc<dyn CommitObserver>;

    /// Live figures of `lv` if a host here has it open; `None` sends reports to the
    /// stores' headers on disk.
    fn live(&self, vg: &Vg, lv: &Lv) -> Option<LiveLv>;

    /// The command is over. Transient hosts close (commit, flush, release their locks);
    /// long-lived ones stay.
    fn finish(&self) -> Finished;

    /// Whether the hosts outlive the command (the daemon's): a merge they resume runs on
    /// here, so it needs no background process.
    fn long_lived(&self) -> bool {
        false
    }
}

/// The open hosts of one provider, by VG id.
#[derive(Default)]
struct Open {
    hosts: Mutex<HashMap<Id, Arc<VgHost>>>,
}

impl Open {
    fn get(&self, id: &Id) -> Option<Arc<VgHost>> {
        super::vghost::lock(&self.hosts).get(id).cloned()
    }
}

impl CommitObserver for Open {
    fn committed(&self, vg: &Vg) {
        if let Some(h) = self.get(&vg.id) {
            h.reconcile(vg);
        }
    }

    fn removed(&self, vg: &Id) {
        if let Some(h) = super::vghost::lock(&self.hosts).remove(vg) {
            h.vg_removed();
        }
    }
}

/// The provider rvm ships: transient hosts for a command run directly, or long-lived ones
/// for the daemon.
pub struct Hosts {
    open: Arc<Open>,
    persistent: bool,
}

impl Hosts {
    /// Hosts opened for one command and closed by [`HostProvider::finish`].
    pub fn direct() -> Hosts {
        Hosts {
            open: Arc::default(),
            persistent: false,
        }
    }

    /// Hosts that stay open across commands until [`Hosts::close_all`].
    pub fn persistent() -> Hosts {
        Hosts {
            open: Arc::default(),
            persistent: true,
        }
    }

    /// Every open host.
    pub fn hosts(&self) -> Vec<Arc<VgHost>> {
        super::vghost::lock(&self.open.hosts)
            .values()
            .cloned()
            .collect()
    }

    /// Closes every host (daemon shutdown, or the end of a direct command).
    pub fn close_all(&self) -> Finished {
        let hosts: Vec<Arc<VgHost>> = super::vghost::lock(&self.open.hosts)
            .drain()
            .map(|(_, h)| h)
            .collect();
        let mut done = Finished::default();
        for h in hosts {
            done.warnings.extend(h.take_warnings());
            match h.close() {
                Ok(u) => done.merges.extend(u),
                Err(e) => {
                    done.error.get_or_insert(e);
                }
            }
        }
        done
    }
}

impl HostProvider for Hosts {
    fn host(&self, env: &Env, vg: &str) -> HostResult<Arc<VgHost>> {
        {
            let hosts = super::vghost::lock(&self.open.hosts);
            if let Some(h) = hosts.values().find(|h| h.name() == vg) {
                return Ok(h.clone());
            }
        }
        let h = VgHost::open(env, vg)?;
        let mut hosts = super::vghost::lock(&self.open.hosts);
        Ok(hosts.entry(h.id()).or_insert(h).clone())
    }

    fn observer(&self) -> Arc<dyn CommitObserver> {
        self.open.clone()
    }

    fn live(&self, vg: &Vg, lv: &Lv) -> Option<LiveLv> {
        self.open.get(&vg.id)?.live(lv)
    }

    fn long_lived(&self) -> bool {
        self.persistent
    }

    fn finish(&self) -> Finished {
        if self.persistent {
            let mut done = Finished::default();
            for h in self.hosts() {
                done.warnings.extend(h.take_warnings());
            }
            return done;
        }
        self.close_all()
    }
}

/// The observer of a host's own transactions: they reconcile that host alone.
pub(crate) struct SelfObserver(pub Weak<VgHost>);

impl CommitObserver for SelfObserver {
    fn committed(&self, vg: &Vg) {
        if let Some(h) = self.0.upgrade() {
            h.reconcile(vg);
        }
    }

    fn removed(&self, _vg: &Id) {}
}
