//! The origin and its snapshots as [`Volume`]s for the frontends.

use super::core::{Core, Snap};
use super::origin::Origin;
use super::status::SnapshotStatus;
use super::volume::{check_bounds, BlockExtent, Volume, VolumeError, VolumeResult, ZeroFlags};
use crate::format::id::Id;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A snapshot LV as a volume: reads show the origin as it was when the snapshot was
/// taken; writes (if writable) change only the snapshot.
#[derive(Clone)]
pub struct SnapshotVolume {
    pub(crate) core: Arc<Core>,
    pub(crate) snap: Arc<Snap>,
}

impl SnapshotVolume {
    pub fn id(&self) -> Id {
        self.snap.id
    }

    pub fn status(&self) -> SnapshotStatus {
        self.snap.status()
    }
}

fn all_data(len: u64) -> Vec<BlockExtent> {
    vec![BlockExtent {
        len,
        hole: false,
        zero: false,
    }]
}

impl Core {
    /// Whether plain origin I/O can skip copy-on-write entirely.
    fn origin_is_plain(&self) -> bool {
        self.state().snaps.is_empty() && !self.held.any()
    }
}

impl Volume for Origin {
    fn size(&self) -> u64 {
        self.core.origin.size()
    }

    fn read_only(&self) -> bool {
        self.core.read_only.load(Ordering::Acquire)
    }

    fn identity(&self) -> [u8; 32] {
        *self.core.id.as_bytes()
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> VolumeResult<()> {
        self.core.origin_read(buf, offset)
    }

    fn write_at(&self, buf: &[u8], offset: u64, fua: bool) -> VolumeResult<()> {
        self.core.origin_write(buf, offset, fua)
    }

    fn flush(&self) -> VolumeResult<()> {
        self.core.flush()
    }

    fn discard(&self, offset: u64, len: u64) -> VolumeResult<()> {
        {
            let _g = self.core.gate.read().unwrap_or_else(|p| p.into_inner());
            if self.read_only() {
                return Err(VolumeError::ReadOnly);
            }
            check_bounds(self.size(), offset, len)?;
            if self.core.origin_is_plain() {
                return self.core.origin.discard(offset, len);
            }
        }
        self.core.zero_range(None, offset, len)
    }

    fn write_zeroes(&self, offset: u64, len: u64, flags: ZeroFlags) -> VolumeResult<()> {
        if flags.fast_only && !self.core.origin_is_plain() {
            return Err(VolumeError::NotSupported(
                "zeroing an origin with snapshots copies its chunks",
            ));
        }
        self.discard(offset, len)
    }

    fn block_status(&self, offset: u64, len: u64) -> VolumeResult<Vec<BlockExtent>> {
        let _g = self.core.gate.read().unwrap_or_else(|p| p.into_inner());
        check_bounds(self.size(), offset, len)?;
        if self.core.origin_is_plain() {
            return self.core.origin.block_status(offset, len);
        }
        Ok(all_data(len))
    }
}

impl Volume for SnapshotVolume {
    fn size(&self) -> u64 {
        self.core.origin.size()
    }

    fn read_only(&self) -> bool {
        self.snap.read_only.load(Ordering::Acquire)
    }

    fn identity(&self) -> [u8; 32] {
        *self.snap.id.as_bytes()
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> VolumeResult<()> {
        self.core.snap_read(&self.snap, buf, offset)
    }

    fn write_at(&self, buf: &[u8], offset: u64, fua: bool) -> VolumeResult<()> {
        self.core.snap_write(&self.snap, buf, offset, fua)
    }

    fn flush(&self) -> VolumeResult<()> {
        self.core.flush()
    }

    fn discard(&self, offset: u64, len: u64) -> VolumeResult<()> {
        if self.read_only() {
            return Err(VolumeError::ReadOnly);
        }
        self.core.zero_range(Some(&self.snap), offset, len)
    }

    fn write_zeroes(&self, offset: u64, len: u64, flags: ZeroFlags) -> VolumeResult<()> {
        if flags.fast_only {
            return Err(VolumeError::NotSupported(
                "zeroing a snapshot writes its chunks",
            ));
        }
        self.discard(offset, len)
    }

    fn block_status(&self, offset: u64, len: u64) -> VolumeResult<Vec<BlockExtent>> {
        check_bounds(self.size(), offset, len)?;
        Ok(all_data(len))
    }
}
