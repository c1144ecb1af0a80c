//! The NBD exports the daemon serves: the configured entries, resolved to open volumes
//! when a client first asks for them (and again after their LV was removed or replaced).

use super::exports::{LvRef, NbdExport};
use super::volumes::DaemonVgs;
use crate::engine::Volume;
use crate::host::LvVolume;
use crate::nbd::{Export, ExportRegistry};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// The daemon's [`ExportRegistry`].
pub struct NbdExports {
    vgs: Arc<DaemonVgs>,
    /// The configured exports, by name.
    entries: RwLock<BTreeMap<String, NbdExport>>,
    /// Volumes opened for them, by name.
    open: Mutex<HashMap<String, Arc<LvVolume>>>,
}

impl NbdExports {
    pub fn new(vgs: Arc<DaemonVgs>) -> NbdExports {
        NbdExports {
            vgs,
            entries: RwLock::default(),
            open: Mutex::default(),
        }
    }

    fn opened(&self) -> MutexGuard<'_, HashMap<String, Arc<LvVolume>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Serves `entries` from now on; returns the names whose clients must be disconnected
    /// because their export went or now names another LV or access.
    pub fn set(&self, entries: BTreeMap<String, NbdExport>) -> Vec<String> {
        let mut cur = self.entries.write().unwrap_or_else(|p| p.into_inner());
        let changed: Vec<String> = cur
            .iter()
            .filter(|(name, e)| entries.get(*name) != Some(*e))
            .map(|(name, _)| name.clone())
            .collect();
        let mut open = self.opened();
        for name in &changed {
            open.remove(name);
        }
        *cur = entries;
        changed
    }

    /// Opens every export's volume now, so problems are reported at start rather than to
    /// the first client; returns the names that could not be opened, with why (clients
    /// retry on connect).
    pub fn open_all(&self, vgs: &[crate::meta::model::Vg]) -> Vec<(String, String)> {
        let env = self.vgs.env("serve");
        let entries = self
            .entries
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut failed = Vec::new();
        for (name, e) in &entries {
            match self.vgs.open(&env, vgs, LvRef::of_nbd(e)) {
                Ok(v) => {
                    self.opened().insert(name.clone(), v);
                }
                Err(why) => failed.push((name.clone(), why)),
            }
        }
        failed
    }

    fn volume(&self, name: &str, entry: &NbdExport) -> Option<Arc<LvVolume>> {
        if let Some(v) = self.opened().get(name).filter(|v| !v.is_gone()) {
            return Some(v.clone());
        }
        let env = self.vgs.env("serve");
        let vgs = self.vgs.read(&env).ok()?;
        let v = self.vgs.open(&env, &vgs, LvRef::of_nbd(entry)).ok()?;
        self.opened().insert(name.to_string(), v.clone());
        Some(v)
    }
}

impl ExportRegistry for NbdExports {
    fn names(&self) -> Vec<String> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.keys().cloned().collect()
    }

    fn open(&self, name: &str) -> Option<Export> {
        let (name, entry) = {
            let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
            let name = match name {
                "" => sole(&entries)?,
                n => n.to_string(),
            };
            let entry = entries.get(&name)?.clone();
            (name, entry)
        };
        let volume = self.volume(&name, &entry)?;
        let access = if entry.read_only || volume.read_only() {
            "read-only"
        } else {
            "read-write"
        };
        Some(Export {
            volume,
            read_only: entry.read_only,
            description: format!("rvm logical volume {} ({access})", entry.volume),
        })
    }

    /// The empty name selects the export when there is exactly one, as nbdkit does.
    fn default_name(&self) -> Option<String> {
        sole(&self.entries.read().unwrap_or_else(|p| p.into_inner()))
    }
}

fn sole(entries: &BTreeMap<String, NbdExport>) -> Option<String> {
    match entries.len() {
        1 => entries.keys().next().cloned(),
        _ => None,
    }
}
