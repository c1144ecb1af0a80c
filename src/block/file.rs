//! Regular files and block devices through positional reads and writes.

use super::{check_range, Allocation, BlockDevice};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, FileTypeExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

nix::ioctl_read!(blk_get_size64, 0x12, 114, u64);
nix::ioctl_write_ptr_bad!(blk_zero_out, nix::request_code_none!(0x12, 127), [u64; 2]);

/// A PV backed by a regular file (sparse is fine) or a block device node.
pub struct FileDevice {
    file: File,
    path: PathBuf,
    is_block: bool,
    /// Whether the file was found shorter than what rvm wrote or reads (see
    /// [`FileDevice::truncated`]).
    cut: Truncation,
}

/// Truncation of a regular file opened read-write, found by a flush that finds data
/// written through this handle cut off. From then on every operation fails with EIO: a
/// write past the new end silently extends the file again, and the truncated range in
/// between would go on reading back as zeros instead of an error. (Reads past the end
/// already fail; they do not latch, as metadata scans probe past the end of short files.)
#[derive(Default)]
struct Truncation {
    /// Checked at all (read-write regular files).
    watch: bool,
    found: AtomicBool,
    /// End of the furthest write through this handle.
    written_end: AtomicU64,
}

impl FileDevice {
    /// Opens read-write, the way every metadata-changing command needs it.
    pub fn open(path: &Path) -> io::Result<FileDevice> {
        Self::open_with(path, true)
    }

    /// Opens read-only, for reports and scans, which must not need write access.
    pub fn open_read_only(path: &Path) -> io::Result<FileDevice> {
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, write: bool) -> io::Result<FileDevice> {
        let file = OpenOptions::new().read(true).write(write).open(path)?;
        let kind = file.metadata()?.file_type();
        if !kind.is_file() && !kind.is_block_device() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} is neither a regular file nor a block device",
                    path.display()
                ),
            ));
        }
        Ok(FileDevice {
            file,
            path: path.to_path_buf(),
            is_block: kind.is_block_device(),
            cut: Truncation {
                watch: write && kind.is_file(),
                ..Truncation::default()
            },
        })
    }

    /// The file was truncated under this handle: it fails from now on.
    fn truncated(&self, len: Option<u64>) -> io::Error {
        self.cut.found.store(true, Ordering::Release);
        let now = len.map_or_else(String::new, |l| format!(" to {l} bytes"));
        io::Error::other(format!(
            "{} was truncated{now} while in use: its data is gone",
            self.path.display()
        ))
    }

    fn check_usable(&self) -> io::Result<()> {
        match self.cut.found.load(Ordering::Acquire) {
            true => Err(self.truncated(None)),
            false => Ok(()),
        }
    }

    /// The path the device was opened by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this is a block device node rather than a regular file.
    pub fn is_block_device(&self) -> bool {
        self.is_block
    }

    /// Grows or shrinks a regular file; block devices cannot be resized this way.
    pub fn set_len(&self, len: u64) -> io::Result<()> {
        if self.is_block {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a block device cannot be resized by rvm",
            ));
        }
        self.file.set_len(len)?;
        self.cut.written_end.fetch_min(len, Ordering::AcqRel);
        Ok(())
    }

    fn write_zeroes_slowly(&self, mut offset: u64, len: u64) -> io::Result<()> {
        const STEP: u64 = 1 << 20;
        let zeros = vec![0u8; STEP as usize];
        let end = offset + len;
        while offset < end {
            let n = STEP.min(end - offset);
            self.file.write_all_at(&zeros[..n as usize], offset)?;
            offset += n;
        }
        Ok(())
    }
}

impl BlockDevice for FileDevice {
    fn len(&self) -> io::Result<u64> {
        if self.is_block {
            let mut size = 0u64;
            // SAFETY: BLKGETSIZE64 writes one u64 through the pointer, which is valid and
            // exclusively borrowed for the call; the descriptor is open for the call's length.
            unsafe { blk_get_size64(self.file.as_raw_fd(), &mut size) }.map_err(io::Error::from)?;
            Ok(size)
        } else {
            Ok(self.file.metadata()?.len())
        }
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        if self.cut.watch {
            self.check_usable()?;
        }
        self.file.read_exact_at(buf, offset)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        if !self.cut.watch {
            return self.file.write_all_at(buf, offset);
        }
        self.check_usable()?;
        self.file.write_all_at(buf, offset)?;
        let end = offset + buf.len() as u64;
        // Loaded first: writers rarely move the mark, and then share its cache line.
        if end > self.cut.written_end.load(Ordering::Relaxed) {
            self.cut.written_end.fetch_max(end, Ordering::AcqRel);
        }
        Ok(())
    }

    /// A flush cannot vouch for writes that a truncation cut off; the length check costs
    /// nothing next to the sync (a check on every write would cost a syscall each).
    fn flush(&self) -> io::Result<()> {
        if !self.cut.watch {
            return self.file.sync_data();
        }
        self.check_usable()?;
        self.file.sync_data()?;
        let len = self.file.metadata()?.len();
        if len < self.cut.written_end.load(Ordering::Acquire) {
            return Err(self.truncated(Some(len)));
        }
        Ok(())
    }

    fn discard(&self, offset: u64, len: u64) -> io::Result<()> {
        if len == 0 {
            return Ok(());
        }
        if self.cut.watch {
            self.check_usable()?;
        }
        check_range(self.len()?, offset, len)?;
        if self.is_block {
            let range = [offset, len];
            // SAFETY: BLKZEROOUT reads two u64s (start, length) from the pointer, which points
            // at a live local array for the duration of the call.
            match unsafe { blk_zero_out(self.file.as_raw_fd(), &range) } {
                Ok(_) => return Ok(()),
                Err(_) => return self.write_zeroes_slowly(offset, len),
            }
        }
        let flags = nix::fcntl::FallocateFlags::FALLOC_FL_PUNCH_HOLE
            | nix::fcntl::FallocateFlags::FALLOC_FL_KEEP_SIZE;
        match nix::fcntl::fallocate(&self.file, flags, offset as i64, len as i64) {
            Ok(()) => Ok(()),
            Err(nix::errno::Errno::EOPNOTSUPP) => self.write_zeroes_slowly(offset, len),
            Err(e) => Err(e.into()),
        }
    }

    fn allocation(&self, offset: u64, len: u64) -> io::Result<Vec<Allocation>> {
        if self.is_block || len == 0 {
            return Ok(vec![Allocation {
                offset,
                len,
                data: true,
            }]);
        }
        let end = offset.saturating_add(len);
        let file_len = self.len()?;
        let mut out = Vec::new();
        let mut pos = offset;
        while pos < end {
            if pos >= file_len {
                out.push(Allocation {
                    offset: pos,
                    len: end - pos,
                    data: false,
                });
                break;
            }
            let data_at = seek(&self.file, pos, nix::unistd::Whence::SeekData)?.unwrap_or(file_len);
            if data_at > pos {
                let hole_end = data_at.min(end);
                out.push(Allocation {
                    offset: pos,
                    len: hole_end - pos,
                    data: false,
                });
                pos = hole_end;
                continue;
            }
            let hole_at = seek(&self.file, pos, nix::unistd::Whence::SeekHole)?.unwrap_or(file_len);
            let data_end = hole_at.max(pos + 1).min(end);
            out.push(Allocation {
                offset: pos,
                len: data_end - pos,
                data: true,
            });
            pos = data_end;
        }
        Ok(out)
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// lseek for SEEK_DATA/SEEK_HOLE; `None` means "no more data" (ENXIO).
fn seek(file: &File, pos: u64, whence: nix::unistd::Whence) -> io::Result<Option<u64>> {
    match nix::unistd::lseek(file, pos as i64, whence) {
        Ok(at) => Ok(Some(at as u64)),
        Err(nix::errno::Errno::ENXIO) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_file_reports_holes_and_punches_back_to_zero() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pv.img");
        File::create(&path).unwrap().set_len(8 << 20).unwrap();
        let dev = FileDevice::open(&path).unwrap();
        assert_eq!(dev.len().unwrap(), 8 << 20);
        dev.write_at(&[7u8; 4096], 1 << 20).unwrap();
        let map = dev.allocation(0, 8 << 20).unwrap();
        assert!(map.iter().any(|a| a.data && a.offset <= 1 << 20));
        assert!(map.iter().any(|a| !a.data));
        assert_eq!(map.iter().map(|a| a.len).sum::<u64>(), 8 << 20);

        dev.discard(1 << 20, 4096).unwrap();
        let mut buf = [1u8; 4096];
        dev.read_at(&mut buf, 1 << 20).unwrap();
        assert!(buf.iter().all(|&b| b == 0));
    }

    /// A file cut under an open handle: a write extends it again, but the flush finds the
    /// data written before cut off, and fails, and so does everything after it.
    #[test]
    fn a_truncated_file_fails_the_flush_and_the_handle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pv.img");
        File::create(&path).unwrap().set_len(8 << 20).unwrap();
        let dev = FileDevice::open(&path).unwrap();
        dev.write_at(&[7u8; 4096], 1 << 20).unwrap();
        dev.flush().unwrap();
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        let mut buf = [0u8; 4096];
        assert!(dev.read_at(&mut buf, 1 << 20).is_err());
        dev.write_at(&[8u8; 4096], 4096).unwrap();
        let e = dev.flush().unwrap_err();
        assert!(e.to_string().contains("was truncated"), "{e}");
        assert!(dev.read_at(&mut buf, 0).is_err(), "the hole reads as zeros");
        assert!(dev.write_at(&[8u8; 4096], 4 << 20).is_err());
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            8192,
            "extended again"
        );
        assert!(dev.flush().is_err());
    }

    /// A shrink that cuts nothing this handle wrote (pvresize, then a smaller file) is no
    /// truncation; reads past the end fail without failing the handle.
    #[test]
    fn a_shrink_below_nothing_written_is_not_a_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pv.img");
        File::create(&path).unwrap().set_len(8 << 20).unwrap();
        let dev = FileDevice::open(&path).unwrap();
        dev.write_at(&[7u8; 4096], 1 << 20).unwrap();
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(2 << 20)
            .unwrap();
        dev.flush().unwrap();
        let mut buf = [0u8; 4096];
        let e = dev.read_at(&mut buf, 4 << 20).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        dev.read_at(&mut buf, 1 << 20).unwrap();
        assert_eq!(buf, [7u8; 4096]);
        dev.write_at(&[9u8; 4096], 0).unwrap();
        dev.flush().unwrap();
    }

    #[test]
    fn read_past_end_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pv.img");
        File::create(&path).unwrap().set_len(4096).unwrap();
        let dev = FileDevice::open(&path).unwrap();
        let mut buf = [0u8; 512];
        assert!(dev.read_at(&mut buf, 4096).is_err());
        assert!(dev.discard(4000, 512).is_err());
    }
}
