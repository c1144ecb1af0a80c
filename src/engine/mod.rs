//! Layer 4: turns LVs into readable and writable volumes — the linear mapping, origins with
//! copy-on-write snapshots, snapshot reads and writes, and merge.

mod linear;
mod volume;

pub use linear::{LinearVolume, Piece};
pub use volume::{
    check_bounds, BlockExtent, BlockSizes, Volume, VolumeError, VolumeResult, ZeroFlags,
};
