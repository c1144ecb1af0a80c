//! The export configuration: which LVs rvm serves over NBD and iSCSI, kept in
//! `$RVM_SYSTEM_DIR/exports.json` (see docs/exports.md).
//!
//! - [`model`]: [`ExportConfig`], its validating verbs, and where an LV is exported.
//! - [`resolve`]: LV references are followed by id, so `lvrename`/`vgrename` keep exports.
//! - [`store`]: the file, its format version, crash-safe writes under a lock.
//! - [`ExportSink`]: how a running daemon hears of a change and applies it live.
//!
//! Lock order: the exports lock is taken before the global and VG locks of `meta`, by every
//! command that takes both (export commands, lvremove, vgremove).

pub mod model;
pub mod resolve;
pub mod store;

pub use model::{ExportConfig, ExportUse, LvRef, NbdExport};
pub use store::{ExportStore, ExportTxn, FILE, FORMAT_VERSION};

use crate::iscsi::config::ConfigError;
use crate::meta::MetaError;
use std::path::PathBuf;

/// Why an export command failed; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{} is damaged: {reason}; nothing was changed (repair it or move it away)", path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error(
        "{} has format version {found}, newer than this rvm understands ({FORMAT_VERSION}); use a newer rvm",
        path.display()
    )]
    NewerVersion { path: PathBuf, found: u64 },
    #[error("{}: {err}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        err: std::io::Error,
    },
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error("{0}")]
    Iscsi(#[from] ConfigError),
    #[error("NBD export \"{0}\" already exists")]
    NbdExists(String),
    #[error("NBD export \"{0}\" not found")]
    NbdNotFound(String),
    #[error("{0:?} is not a valid NBD export name (1..=4096 bytes, no control characters)")]
    BadNbdName(String),
    #[error("{0:?} is not a valid logical volume name (VG/LV)")]
    BadVolume(String),
    #[error("{what} has an invalid LV id {id:?}")]
    BadLvId { what: String, id: String },
    #[error("Logical volume {lv} is exported ({uses}); unexport it first or use -f")]
    InUse { lv: String, uses: String },
}

/// Result of export operations.
pub type ExportResult<T> = Result<T, ExportError>;

/// What a running daemon implements to apply export changes live; commands call it after
/// `exports.json` durably holds the change, with the exports lock still held (so it must not
/// edit the store itself). An error is reported to the user as a warning: the configuration
/// stands and is served at the next start.
pub trait ExportSink {
    /// The configuration went from `before` to `after`.
    fn exports_changed(&self, before: &ExportConfig, after: &ExportConfig) -> Result<(), String>;

    /// The iSCSI portal the daemon listens on, for `rvm iscsi list`; `None` when not serving.
    fn iscsi_portal(&self) -> Option<String> {
        None
    }
}

/// The sink of a command run without the daemon: the file is the whole effect.
#[derive(Debug, Clone, Copy, Default)]
pub struct DirectSink;

impl ExportSink for DirectSink {
    fn exports_changed(&self, _: &ExportConfig, _: &ExportConfig) -> Result<(), String> {
        Ok(())
    }
}
