//! Layer 5: one open VG as a set of volumes — between the engine, which knows origins and
//! snapshots but no VG, and the command line and daemon, which know names.
//!
//! A [`VgHost`] holds one VG: its model as last committed, its PVs opened once through
//! `Env::opener` (one `Arc` per PV, shared by every volume on it), an
//! [`engine::Origin`](crate::engine::Origin) for every origin it has opened with its
//! snapshots, and a [`LinearVolume`](crate::engine::LinearVolume) for every other LV it has
//! opened. It hands volumes out by LV as [`LvVolume`]s, which keep their identity while
//! the LV lives (a linear LV that gains a snapshot is switched to its origin underneath),
//! and it is the engine's [`MetadataHost`](crate::engine::MetadataHost): auto-extend,
//! merge start and merge end run VG transactions here.
//!
//! Commands reach hosts only through a [`HostProvider`]: [`Hosts::direct`] opens a
//! transient host per command and closes it at the end; [`Hosts::persistent`] keeps them
//! open, as the daemon does. After every commit the provider, installed as the `Env`'s
//! [`CommitObserver`](crate::meta::store::CommitObserver), calls
//! [`VgHost::reconcile`], so no command can leave an open volume behind its metadata.
//!
//! Locking, in the order it may be taken: a host's operation lock (one command-level
//! operation at a time), the VG's flock (a metadata transaction), the host's state mutex,
//! and the engine's gates. Engine work that takes a gate (creating, removing or merging a
//! snapshot) is never done under the VG's flock, because an origin write waiting for
//! auto-extend holds its gate and waits for that flock; reconcile, which runs under the
//! flock, only does what takes no gate.
//!
//! Between processes (no daemon), an LV's *open lock* under `$RVM_RUN_DIR/lock` plays the
//! kernel's open count: shared while a linear LV is open, exclusive while an origin and its
//! snapshots are (their engine state lives in one process), exclusive to remove or shrink.

mod family;
mod meta_host;
mod ops;
mod provider;
mod vghost;
mod volume;

pub use ops::{MakeSnapshotLv, MergeStart, RemoveRequest, SnapshotPlan};
pub use provider::{Finished, HostProvider, Hosts, LiveLv, UnfinishedMerge};
pub use vghost::VgHost;
pub use volume::LvVolume;

use crate::engine::{EngineError, VolumeError};
use crate::meta::MetaError;

/// Why a host operation failed; nothing was changed, unless the message says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum VgHostError {
    /// A metadata transaction failed or refused.
    #[error(transparent)]
    Meta(#[from] MetaError),
    /// The engine failed or refused a snapshot operation.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// I/O on a volume failed.
    #[error(transparent)]
    Volume(#[from] VolumeError),
    /// Another process has the LV open (LVM2's wording for an open device).
    #[error("Logical volume {0} in use.")]
    InUse(String),
    /// A refusal already worded for the user, in LVM2's words where LVM2 has them.
    #[error("{0}")]
    Refused(String),
}

/// Result of host operations.
pub type HostResult<T> = Result<T, VgHostError>;
