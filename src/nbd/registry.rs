//! Where exports come from: a small trait the daemon implements, and a ready-made table.

use crate::engine::Volume;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// One export as a connection sees it when it opens it.
#[derive(Clone)]
pub struct Export {
    pub volume: Arc<dyn Volume>,
    /// Refuse writes even if the volume accepts them (`rvm nbd export --readonly`).
    pub read_only: bool,
    /// Shown by `nbdinfo --list` (NBD_INFO_DESCRIPTION, NBD_REP_SERVER details).
    pub description: String,
}

/// The exports a server offers; the server asks it on every handshake, so a change is
/// seen by the next connection without restarting anything.
pub trait ExportRegistry: Send + Sync {
    /// Export names for NBD_OPT_LIST, in a stable order.
    fn names(&self) -> Vec<String>;

    /// Resolves a name; the empty name asks for the default export, if there is one.
    fn open(&self, name: &str) -> Option<Export>;

    /// The name the empty export name stands for, so that connections opened by the
    /// default name are found when that export is removed.
    fn default_name(&self) -> Option<String> {
        None
    }
}

/// A registry kept in memory, for the daemon and for tests: add and remove exports live.
#[derive(Default)]
pub struct ExportTable {
    inner: RwLock<TableInner>,
}

#[derive(Default)]
struct TableInner {
    exports: BTreeMap<String, Export>,
    default: Option<String>,
}

impl ExportTable {
    pub fn new() -> ExportTable {
        ExportTable::default()
    }

    /// Adds or replaces an export; connections already open keep the volume they opened.
    pub fn insert(&self, name: &str, export: Export) {
        if let Ok(mut t) = self.inner.write() {
            t.exports.insert(name.to_string(), export);
        }
    }

    /// Removes an export from new handshakes; pair it with
    /// [`crate::nbd::ServerHandle::disconnect_export`] to end its open connections.
    pub fn remove(&self, name: &str) -> Option<Export> {
        let mut t = self.inner.write().ok()?;
        if t.default.as_deref() == Some(name) {
            t.default = None;
        }
        t.exports.remove(name)
    }

    /// Names the export that an empty export name selects.
    pub fn set_default(&self, name: Option<&str>) {
        if let Ok(mut t) = self.inner.write() {
            t.default = name.map(str::to_string);
        }
    }
}

impl ExportRegistry for ExportTable {
    fn names(&self) -> Vec<String> {
        match self.inner.read() {
            Ok(t) => t.exports.keys().cloned().collect(),
            Err(_) => Vec::new(),
        }
    }

    fn open(&self, name: &str) -> Option<Export> {
        let t = self.inner.read().ok()?;
        let key = if name.is_empty() {
            t.default.as_deref()?
        } else {
            name
        };
        t.exports.get(key).cloned()
    }

    fn default_name(&self) -> Option<String> {
        self.inner.read().ok()?.default.clone()
    }
}
