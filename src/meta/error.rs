//! The metadata layer's errors. Each renders as the one line the CLI prints, in LVM2's words
//! where LVM2 has words for it (tools grep for `not found` and `Failed to find`).

use crate::format::codec::DecodeError;
use std::path::PathBuf;

/// Why a metadata operation failed; nothing was changed on disk.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("Volume group \"{0}\" not found")]
    VgNotFound(String),
    #[error("Volume group \"{vg}\" not found; {pvs} hold only damaged metadata: if {vg} was on them, restore it with vgcfgrestore {vg}")]
    VgNotFoundDamaged { vg: String, pvs: String },
    #[error("Volume group \"{vg}\" has no usable metadata copy ({reason}); restore it with vgcfgrestore {vg}")]
    UnusableVg { vg: String, reason: String },
    #[error("Failed to find logical volume \"{vg}/{lv}\"")]
    LvNotFound { vg: String, lv: String },
    #[error("Failed to find physical volume \"{0}\"")]
    PvNotFound(String),
    #[error("A volume group called {0} already exists.")]
    VgExists(String),
    #[error("Logical Volume \"{lv}\" already exists in volume group \"{vg}\"")]
    LvExists { vg: String, lv: String },
    #[error("Physical volume \"{path}\" is already in volume group \"{vg}\"")]
    PvInVg { path: String, vg: String },
    #[error("{0}")]
    InvalidName(String),
    #[error(
        "Volume group \"{vg}\" has insufficient free space ({free} extents): {need} required."
    )]
    InsufficientSpace { vg: String, free: u64, need: u64 },
    #[error("Cannot change VG {0} while PVs are missing.")]
    MissingPvs(String),
    #[error("Volume group \"{0}\" has features this rvm does not know; it is read-only here")]
    ReadOnlyVg(String),
    #[error("VG {vg} metadata is {need} bytes, more than the {slot}-byte metadata slot")]
    MetadataTooLarge { vg: String, need: u64, slot: u64 },
    #[error("Metadata on {path} is damaged: {err}")]
    Corrupt { path: String, err: DecodeError },
    #[error("Volume group \"{0}\" is inconsistent: {1}")]
    Inconsistent(String, String),
    #[error("{path}: {err}")]
    Io {
        path: PathBuf,
        #[source]
        err: std::io::Error,
    },
    #[error("Invalid configuration: {0}")]
    Config(String),
    /// Any other refusal, already worded for the user.
    #[error("{0}")]
    Refused(String),
}

impl MetaError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> MetaError {
        MetaError::Io {
            path: path.into(),
            err,
        }
    }
}

/// Result of metadata operations.
pub type MetaResult<T> = Result<T, MetaError>;
