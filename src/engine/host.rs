//! What the engine needs from its caller: the LVs as plain inputs, settings, and a
//! [`MetadataHost`] for the few changes that need a VG metadata commit.

use super::linear::Piece;
use super::volume::VolumeError;
use crate::format::cow::CowError;
use crate::format::id::Id;
use crate::meta::model::SnapshotInfo;
use std::time::Duration;

/// An error from the metadata host; the engine passes it through untouched.
pub type HostError = Box<dyn std::error::Error + Send + Sync>;

/// The VG-metadata side of snapshot operations, implemented by the CLI (under the VG lock)
/// and by the daemon. Every method commits a VG metadata transaction before returning.
///
/// The engine never calls the host while it holds a lock that the host's own I/O could
/// need, but it may call it from its background threads.
pub trait MetadataHost: Send + Sync {
    /// Grows a snapshot's store by at least `extra_bytes` from the VG's free space and
    /// returns the store's complete new map (auto-extend). An error leaves the store as it
    /// was; the snapshot overflows if it fills.
    fn extend_snapshot(&self, snapshot: &Id, extra_bytes: u64) -> Result<Vec<Piece>, HostError>;

    /// Records that the merge of `snapshot` started (`SnapshotInfo::merging`), so that the
    /// merge resumes after a restart.
    fn merge_started(&self, snapshot: &Id) -> Result<(), HostError>;

    /// The merge finished and every chunk other snapshots borrowed from its store has been
    /// taken over durably: remove the snapshot LV and free its extents.
    fn merge_finished(&self, snapshot: &Id) -> Result<(), HostError>;
}

/// A host for callers that cannot change VG metadata (read-only tools, some tests):
/// auto-extend fails and merges cannot start.
pub struct NoHost;

impl MetadataHost for NoHost {
    fn extend_snapshot(&self, _: &Id, _: u64) -> Result<Vec<Piece>, HostError> {
        Err("this caller cannot change VG metadata".into())
    }
    fn merge_started(&self, _: &Id) -> Result<(), HostError> {
        Err("this caller cannot change VG metadata".into())
    }
    fn merge_finished(&self, _: &Id) -> Result<(), HostError> {
        Err("this caller cannot change VG metadata".into())
    }
}

/// Tunables, from rvm.conf where LVM2 has an equivalent.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// `activation/snapshot_autoextend_threshold`: extend a snapshot when its use reaches
    /// this percentage; 100 (LVM2's default) disables auto-extend.
    pub autoextend_threshold: u32,
    /// `activation/snapshot_autoextend_percent`: grow by this percentage of the store.
    pub autoextend_percent: u32,
    /// Longest time an exception waits for a commit when nobody flushes.
    pub commit_interval: Duration,
    /// Commit as soon as this many new exceptions are pending.
    pub commit_batch: usize,
    /// Merge records per commit when nothing else forces one.
    pub merge_commit_chunks: usize,
    /// Origin data held in memory awaiting a commit; writers past it commit themselves.
    pub max_held_bytes: u64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            autoextend_threshold: 100,
            autoextend_percent: 20,
            commit_interval: Duration::from_millis(50),
            commit_batch: 2048,
            merge_commit_chunks: 16384,
            max_held_bytes: 256 << 20,
        }
    }
}

/// An origin LV as the engine needs it: its id, its map with opened devices, its permission.
///
/// Pieces on the same PV must share one `Arc` device, so that one flush serves them all.
#[derive(Clone)]
pub struct OriginSpec {
    pub id: Id,
    pub pieces: Vec<Piece>,
    pub read_only: bool,
}

/// A snapshot LV: its id, its model description, its store's map, its permission.
#[derive(Clone)]
pub struct SnapshotSpec {
    pub id: Id,
    pub info: SnapshotInfo,
    pub pieces: Vec<Piece>,
    pub read_only: bool,
}

/// Why a management operation on an origin or snapshot failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Volume(#[from] VolumeError),
    #[error("snapshot {snapshot}: exception store: {source}")]
    Store { snapshot: Id, source: CowError },
    #[error("snapshot {0}: its store has no valid header (never initialised, or overwritten)")]
    NoHeader(Id),
    #[error("snapshot {snapshot}: its store belongs to {found}")]
    ForeignStore { snapshot: Id, found: String },
    #[error(transparent)]
    ChunkSize(CowError),
    #[error("a store of {have} bytes is too small for chunks of {chunk} bytes; it needs at least {need}")]
    StoreTooSmall { have: u64, need: u64, chunk: u64 },
    #[error("store id {0} is already used by another snapshot of this origin")]
    StoreIdInUse(u32),
    #[error("snapshot {0} is not a snapshot of this origin")]
    NoSuchSnapshot(Id),
    #[error("snapshot {0} already exists")]
    SnapshotExists(Id),
    #[error("snapshot {0} is invalid and cannot be merged")]
    MergeInvalid(Id),
    #[error("snapshot {0} is already merging")]
    AlreadyMerging(Id),
    #[error("snapshot {0} of this origin is merging; wait for it to finish")]
    OriginMerging(Id),
    #[error("a snapshot's store cannot shrink ({have} bytes to {want})")]
    StoreShrink { have: u64, want: u64 },
    #[error("an origin with snapshots cannot be reduced")]
    OriginHasSnapshots,
    #[error("an origin of {size} bytes with snapshots can grow only from a multiple of {unit} bytes, its largest chunk size")]
    OriginUnaligned { size: u64, unit: u64 },
    #[error("metadata host: {0}")]
    Host(HostError),
}

impl EngineError {
    pub(crate) fn io(e: std::io::Error) -> EngineError {
        EngineError::Volume(VolumeError::Io(e))
    }
}

/// Result of management operations.
pub type EngineResult<T> = Result<T, EngineError>;
