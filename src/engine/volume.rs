//! The volume seam between the engine and the protocol frontends.
//!
//! NBD and iSCSI know a volume only through [`Volume`]: a size and byte-addressed I/O. They
//! never see extents, PVs or snapshots, so a new frontend is a new module and nothing else.

use std::io;

/// Why a volume operation failed; each frontend maps these to its own wire errors
/// (NBD errno values, SCSI sense data).
#[derive(Debug, thiserror::Error)]
pub enum VolumeError {
    /// The range runs past the end of the volume (NBD EINVAL, SCSI LBA OUT OF RANGE).
    #[error("range {offset}+{len} is outside the volume of {size} bytes")]
    OutOfRange { offset: u64, len: u64, size: u64 },
    /// A write to a read-only volume (NBD EPERM, SCSI WRITE PROTECTED).
    #[error("volume is read-only")]
    ReadOnly,
    /// The snapshot overflowed or was otherwise invalidated; its data is gone for good.
    #[error("snapshot is invalid")]
    Invalid,
    /// The backing storage is full (NBD ENOSPC, SCSI SPACE ALLOCATION FAILED).
    #[error("no space left on the backing storage")]
    NoSpace,
    /// A request the volume cannot serve in the requested way, such as a fast zero that
    /// would be slow (NBD ENOTSUP).
    #[error("operation not supported: {0}")]
    NotSupported(&'static str),
    /// The volume was removed or shut down while the request was in flight.
    #[error("volume is gone")]
    Gone,
    /// An error from a PV, with its errno preserved.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

impl VolumeError {
    /// The errno a POSIX-style frontend (NBD) reports for this error.
    pub fn errno(&self) -> i32 {
        match self {
            VolumeError::OutOfRange { .. } => libc::EINVAL,
            VolumeError::ReadOnly => libc::EPERM,
            VolumeError::NoSpace => libc::ENOSPC,
            VolumeError::NotSupported(_) => libc::ENOTSUP,
            VolumeError::Invalid | VolumeError::Gone => libc::EIO,
            VolumeError::Io(e) => match e.raw_os_error() {
                Some(libc::ENOSPC) | Some(libc::EDQUOT) => libc::ENOSPC,
                _ => libc::EIO,
            },
        }
    }
}

/// Result of volume operations.
pub type VolumeResult<T> = Result<T, VolumeError>;

/// How a write-zeroes request may be carried out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZeroFlags {
    /// The range may be deallocated instead of written (NBD without NO_HOLE, SCSI UNMAP bit).
    pub may_unmap: bool,
    /// Fail with [`VolumeError::NotSupported`] rather than zero slowly (NBD FAST_ZERO).
    pub fast_only: bool,
}

/// What a range of a volume holds, for NBD `base:allocation` and SCSI GET LBA STATUS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockExtent {
    pub len: u64,
    /// The range occupies no storage (reads may still return non-zero data only if `zero`
    /// is false).
    pub hole: bool,
    /// The range is known to read as zeros.
    pub zero: bool,
}

/// Block sizes a frontend advertises (NBD_INFO_BLOCK_SIZE, SCSI Block Limits VPD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockSizes {
    pub minimum: u32,
    pub preferred: u32,
    pub maximum: u32,
}

/// A readable and writable LV (or snapshot) as the frontends see it.
///
/// Every method takes `&self` and may be called from many threads at once. Writes are
/// write-back: they are durable once `flush` returns, or at once when `fua` is set.
pub trait Volume: Send + Sync {
    /// Current size in bytes; it may grow between calls (lvextend).
    fn size(&self) -> u64;

    /// Whether writes are refused.
    fn read_only(&self) -> bool;

    /// A stable 32-character identity (the LV's id), for SCSI serials and designators.
    fn identity(&self) -> [u8; 32];

    /// Sizes to advertise.
    fn block_sizes(&self) -> BlockSizes {
        BlockSizes {
            minimum: 512,
            preferred: 4096,
            maximum: 32 << 20,
        }
    }

    /// Whether a flush on one connection covers writes completed on every connection, which
    /// is what NBD's multi-conn flag promises.
    fn flush_covers_all_connections(&self) -> bool {
        true
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> VolumeResult<()>;

    fn write_at(&self, buf: &[u8], offset: u64, fua: bool) -> VolumeResult<()>;

    fn flush(&self) -> VolumeResult<()>;

    /// Deallocates a range; afterwards it reads as zeros.
    fn discard(&self, offset: u64, len: u64) -> VolumeResult<()>;

    fn write_zeroes(&self, offset: u64, len: u64, flags: ZeroFlags) -> VolumeResult<()>;

    /// Describes `[offset, offset + len)` as a run of extents covering at least the first
    /// byte; the frontends ask again for the rest.
    fn block_status(&self, offset: u64, len: u64) -> VolumeResult<Vec<BlockExtent>>;
}

/// Checks a request against the volume size, the first thing every implementation does.
pub fn check_bounds(size: u64, offset: u64, len: u64) -> VolumeResult<()> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => Err(VolumeError::OutOfRange { offset, len, size }),
    }
}
