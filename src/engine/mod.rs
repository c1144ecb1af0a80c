//! Layer 4: turns LVs into readable and writable volumes — the linear mapping, origins with
//! copy-on-write snapshots, snapshot reads and writes, and merge.
//!
//! An [`Origin`] is opened with its snapshots ([`OriginSpec`], [`SnapshotSpec`]: ids,
//! maps with opened devices, permissions), settings and a [`MetadataHost`]; it is the
//! origin's volume, and [`Origin::snapshot`] gives each snapshot's. Creating, removing,
//! resizing and merging snapshots are methods of [`Origin`]. `docs/architecture.md`
//! describes the design; `docs/format-snapshot.md` the store's bytes.

mod commit;
mod core;
mod host;
mod io;
mod linear;
mod merge;
mod origin;
mod snapshot;
mod status;
mod store;
mod table;
mod volume;

pub use host::{
    EngineError, EngineResult, EngineSettings, HostError, MetadataHost, NoHost, OriginSpec,
    SnapshotSpec,
};
pub use linear::{LinearVolume, Piece};
pub use merge::MergeProgress;
pub use origin::Origin;
pub use snapshot::SnapshotVolume;
pub use status::{read_snapshot_status, SnapshotStatus};
pub use store::{max_store_bytes, min_store_bytes};
pub use volume::{
    check_bounds, BlockExtent, BlockSizes, Volume, VolumeError, VolumeResult, ZeroFlags,
};
