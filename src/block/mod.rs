//! Layer 3: the block device seam.
//!
//! The engine and the metadata code see storage only through [`BlockDevice`], so a file, a
//! block device, an in-memory double and a fault-injecting double are interchangeable.
//! Errors stay `std::io::Error`: callers need the errno (EIO, ENOSPC) to report it faithfully.

mod fault;
mod file;
mod mem;
pub mod replay;

pub use fault::{CrashPlan, FaultDevice, FaultDomain, FaultRule, InjectedError, OpKind, OpRecord};
pub use file::FileDevice;
pub use mem::MemDevice;
pub use replay::{Chaos, Cut, SplitMix, Survivor, Tear, WriteLog};

use std::io;
use std::path::Path;
use std::sync::Arc;

/// One run of a device's address space that is either backed by data or a hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    pub offset: u64,
    pub len: u64,
    /// False for a hole: the range reads as zeros and occupies no space.
    pub data: bool,
}

/// A byte-addressed device that rvm stores PVs on.
///
/// All methods take `&self` so that many threads can issue I/O at once; implementations
/// must be safe for concurrent positional reads and writes.
#[allow(clippy::len_without_is_empty)] // a device of length 0 is not a state worth naming
pub trait BlockDevice: Send + Sync {
    /// Current size in bytes.
    fn len(&self) -> io::Result<u64>;

    /// Fills `buf` from `offset`; a short device is an `UnexpectedEof` error.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;

    /// Writes all of `buf` at `offset`; the data is durable only after [`BlockDevice::flush`].
    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;

    /// Makes every completed write durable.
    fn flush(&self) -> io::Result<()>;

    /// Releases a range so that it reads back as zeros.
    ///
    /// Unlike a SCSI UNMAP hint, rvm relies on this to keep stale data out of new LVs, so
    /// implementations that cannot guarantee zeros must write them.
    fn discard(&self, offset: u64, len: u64) -> io::Result<()>;

    /// Reports data and holes in a range, for sparse copies and NBD block status.
    ///
    /// The default says everything is data, which is always correct, merely not sparse.
    fn allocation(&self, offset: u64, len: u64) -> io::Result<Vec<Allocation>> {
        Ok(vec![Allocation {
            offset,
            len,
            data: true,
        }])
    }

    /// A name for messages, usually the path.
    fn name(&self) -> String;
}

impl<T: BlockDevice + ?Sized> BlockDevice for std::sync::Arc<T> {
    fn len(&self) -> io::Result<u64> {
        (**self).len()
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        (**self).read_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        (**self).write_at(buf, offset)
    }
    fn flush(&self) -> io::Result<()> {
        (**self).flush()
    }
    fn discard(&self, offset: u64, len: u64) -> io::Result<()> {
        (**self).discard(offset, len)
    }
    fn allocation(&self, offset: u64, len: u64) -> io::Result<Vec<Allocation>> {
        (**self).allocation(offset, len)
    }
    fn name(&self) -> String {
        (**self).name()
    }
}

/// Checks that `[offset, offset + len)` lies inside a device of `size` bytes.
pub fn check_range(size: u64, offset: u64, len: u64) -> io::Result<()> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("range {offset}+{len} is beyond the device end {size}"),
        )),
    }
}

/// Opens PVs by path. Everything that opens a PV goes through one, so that the crash harness
/// can put fault-injecting devices under the real metadata and engine code.
pub trait DeviceOpener: Send + Sync {
    /// Opens `path`, read-write when `writable`.
    fn open(&self, path: &Path, writable: bool) -> io::Result<Arc<dyn BlockDevice>>;
}

/// The opener of real files and block devices.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileOpener;

impl DeviceOpener for FileOpener {
    fn open(&self, path: &Path, writable: bool) -> io::Result<Arc<dyn BlockDevice>> {
        let dev = if writable {
            FileDevice::open(path)?
        } else {
            FileDevice::open_read_only(path)?
        };
        Ok(Arc::new(dev))
    }
}
