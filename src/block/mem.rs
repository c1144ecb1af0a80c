//! An in-memory device for unit tests and for layering fault injection on top.

use super::{check_range, BlockDevice};
use std::io;
use std::sync::RwLock;

/// A fixed-size device held in memory; flush is a no-op because nothing is ever lost.
pub struct MemDevice {
    name: String,
    bytes: RwLock<Vec<u8>>,
}

impl MemDevice {
    /// A zero-filled device of `size` bytes.
    pub fn new(name: &str, size: u64) -> MemDevice {
        MemDevice {
            name: name.to_string(),
            bytes: RwLock::new(vec![0; size as usize]),
        }
    }

    /// A device holding `bytes`, e.g. a crash image rebuilt from a write log.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> MemDevice {
        MemDevice {
            name: name.to_string(),
            bytes: RwLock::new(bytes),
        }
    }

    /// A copy of the whole contents, for comparisons in tests.
    pub fn snapshot(&self) -> Vec<u8> {
        self.bytes.read().map(|b| b.clone()).unwrap_or_default()
    }

    /// Changes the size, zero-filling growth, as `truncate` does to a file.
    pub fn resize(&self, size: u64) {
        if let Ok(mut b) = self.bytes.write() {
            b.resize(size as usize, 0);
        }
    }
}

fn poisoned() -> io::Error {
    io::Error::other("memory device lock poisoned")
}

impl BlockDevice for MemDevice {
    fn len(&self) -> io::Result<u64> {
        Ok(self.bytes.read().map_err(|_| poisoned())?.len() as u64)
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let bytes = self.bytes.read().map_err(|_| poisoned())?;
        check_range(bytes.len() as u64, offset, buf.len() as u64)
            .map_err(|e| io::Error::new(io::ErrorKind::UnexpectedEof, e.to_string()))?;
        let at = offset as usize;
        buf.copy_from_slice(&bytes[at..at + buf.len()]);
        Ok(())
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        let mut bytes = self.bytes.write().map_err(|_| poisoned())?;
        check_range(bytes.len() as u64, offset, buf.len() as u64)?;
        let at = offset as usize;
        bytes[at..at + buf.len()].copy_from_slice(buf);
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        Ok(())
    }

    fn discard(&self, offset: u64, len: u64) -> io::Result<()> {
        let mut bytes = self.bytes.write().map_err(|_| poisoned())?;
        check_range(bytes.len() as u64, offset, len)?;
        bytes[offset as usize..(offset + len) as usize].fill(0);
        Ok(())
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let dev = MemDevice::new("m", 8192);
        dev.write_at(b"hello", 4000).unwrap();
        let mut buf = [0u8; 5];
        dev.read_at(&mut buf, 4000).unwrap();
        assert_eq!(&buf, b"hello");
        assert!(dev.write_at(b"x", 8192).is_err());
        assert!(dev.read_at(&mut buf, 8190).is_err());
        dev.discard(4000, 5).unwrap();
        dev.read_at(&mut buf, 4000).unwrap();
        assert_eq!(buf, [0; 5]);
    }
}
