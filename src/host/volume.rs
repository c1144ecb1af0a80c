//! The volume a host hands out for an LV: one identity for the LV's whole life, whatever
//! serves it underneath.

use crate::engine::{
    BlockExtent, BlockSizes, LinearVolume, Origin, SnapshotVolume, Volume, VolumeError,
    VolumeResult, ZeroFlags,
};
use crate::format::id::Id;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockWriteGuard};

/// What serves an LV right now.
#[derive(Clone)]
pub(crate) enum Backend {
    Linear(Arc<LinearVolume>),
    Origin(Origin),
    Snapshot(SnapshotVolume),
}

impl Backend {
    fn volume(&self) -> &dyn Volume {
        match self {
            Backend::Linear(v) => v.as_ref(),
            Backend::Origin(o) => o,
            Backend::Snapshot(s) => s,
        }
    }
}

/// An LV as a [`Volume`], as [`VgHost::volume`](super::VgHost::volume) hands it out.
///
/// Every request holds the backend shared for its whole duration, so switching a linear
/// LV to its origin when it gains its first snapshot first waits for the requests in
/// flight: a snapshot then contains every write acknowledged before it. After the LV is
/// removed (or a snapshot starts merging) every request fails with
/// [`VolumeError::Gone`].
pub struct LvVolume {
    id: Id,
    gone: AtomicBool,
    backend: RwLock<Backend>,
}

impl LvVolume {
    pub(crate) fn new(id: Id, backend: Backend) -> LvVolume {
        LvVolume {
            id,
            gone: AtomicBool::new(false),
            backend: RwLock::new(backend),
        }
    }

    /// The LV's id.
    pub fn id(&self) -> Id {
        self.id
    }

    /// Whether the LV is gone (removed, or a snapshot that is merging).
    pub fn is_gone(&self) -> bool {
        self.gone.load(Ordering::Acquire)
    }

    /// Fails every later request; takes no lock, so reconcile may call it at any time.
    pub(crate) fn set_gone(&self) {
        self.gone.store(true, Ordering::Release);
    }

    /// Waits for the requests in flight and holds new ones off until the guard drops.
    pub(crate) fn quiesce(&self) -> RwLockWriteGuard<'_, Backend> {
        self.backend.write().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn with<R>(&self, f: impl FnOnce(&dyn Volume) -> VolumeResult<R>) -> VolumeResult<R> {
        if self.is_gone() {
            return Err(VolumeError::Gone);
        }
        let b = self.backend.read().unwrap_or_else(|p| p.into_inner());
        // Checked again under the lock: removal sets it while holding the backend.
        if self.is_gone() {
            return Err(VolumeError::Gone);
        }
        f(b.volume())
    }
}

impl Volume for LvVolume {
    fn size(&self) -> u64 {
        self.backend
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .volume()
            .size()
    }

    fn read_only(&self) -> bool {
        self.backend
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .volume()
            .read_only()
    }

    fn identity(&self) -> [u8; 32] {
        *self.id.as_bytes()
    }

    fn block_sizes(&self) -> BlockSizes {
        self.backend
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .volume()
            .block_sizes()
    }

    fn flush_covers_all_connections(&self) -> bool {
        true
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> VolumeResult<()> {
        self.with(|v| v.read_at(buf, offset))
    }

    fn write_at(&self, buf: &[u8], offset: u64, fua: bool) -> VolumeResult<()> {
        self.with(|v| v.write_at(buf, offset, fua))
    }

    fn flush(&self) -> VolumeResult<()> {
        self.with(|v| v.flush())
    }

    fn discard(&self, offset: u64, len: u64) -> VolumeResult<()> {
        self.with(|v| v.discard(offset, len))
    }

    fn write_zeroes(&self, offset: u64, len: u64, flags: ZeroFlags) -> VolumeResult<()> {
        self.with(|v| v.write_zeroes(offset, len, flags))
    }

    fn block_status(&self, offset: u64, len: u64) -> VolumeResult<Vec<BlockExtent>> {
        self.with(|v| v.block_status(offset, len))
    }
}
