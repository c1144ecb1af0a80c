//! An in-memory volume for the state-machine tests, with holes tracked per 4 KiB block.

use crate::engine::{check_bounds, BlockExtent, Volume, VolumeError, VolumeResult, ZeroFlags};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub struct MemVolume {
    pub data: Mutex<Vec<u8>>,
    /// One flag per 4 KiB block: true once written.
    pub mapped: Mutex<Vec<bool>>,
    pub read_only: bool,
    pub flushes: AtomicUsize,
}

const BLOCK: u64 = 4096;

impl MemVolume {
    pub fn new(size: usize, read_only: bool) -> MemVolume {
        MemVolume {
            data: Mutex::new(vec![0; size]),
            mapped: Mutex::new(vec![false; size.div_ceil(BLOCK as usize)]),
            read_only,
            flushes: AtomicUsize::new(0),
        }
    }

    fn mark(&self, offset: u64, len: u64, on: bool) {
        let mut m = self.mapped.lock().unwrap();
        for b in offset / BLOCK..(offset + len).div_ceil(BLOCK) {
            m[b as usize] = on;
        }
    }
}

impl Volume for MemVolume {
    fn size(&self) -> u64 {
        self.data.lock().unwrap().len() as u64
    }
    fn read_only(&self) -> bool {
        self.read_only
    }
    fn identity(&self) -> [u8; 32] {
        [b'm'; 32]
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> VolumeResult<()> {
        check_bounds(self.size(), offset, buf.len() as u64)?;
        let d = self.data.lock().unwrap();
        buf.copy_from_slice(&d[offset as usize..offset as usize + buf.len()]);
        Ok(())
    }
    fn write_at(&self, buf: &[u8], offset: u64, _fua: bool) -> VolumeResult<()> {
        if self.read_only {
            return Err(VolumeError::ReadOnly);
        }
        check_bounds(self.size(), offset, buf.len() as u64)?;
        self.data.lock().unwrap()[offset as usize..offset as usize + buf.len()]
            .copy_from_slice(buf);
        self.mark(offset, buf.len() as u64, true);
        Ok(())
    }
    fn flush(&self) -> VolumeResult<()> {
        self.flushes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn discard(&self, offset: u64, len: u64) -> VolumeResult<()> {
        check_bounds(self.size(), offset, len)?;
        self.data.lock().unwrap()[offset as usize..(offset + len) as usize].fill(0);
        if offset % BLOCK == 0 && len % BLOCK == 0 {
            self.mark(offset, len, false);
        }
        Ok(())
    }
    fn write_zeroes(&self, offset: u64, len: u64, flags: ZeroFlags) -> VolumeResult<()> {
        if !flags.may_unmap && flags.fast_only {
            return Err(VolumeError::NotSupported("fast zero without unmap"));
        }
        self.discard(offset, len)
    }
    fn block_status(&self, offset: u64, len: u64) -> VolumeResult<Vec<BlockExtent>> {
        check_bounds(self.size(), offset, len)?;
        let m = self.mapped.lock().unwrap();
        let mut out: Vec<BlockExtent> = Vec::new();
        let mut at = offset;
        while at < offset + len {
            let b = at / BLOCK;
            let n = ((b + 1) * BLOCK).min(offset + len) - at;
            let hole = !m[b as usize];
            match out.last_mut() {
                Some(l) if l.hole == hole => l.len += n,
                _ => out.push(BlockExtent {
                    len: n,
                    hole,
                    zero: hole,
                }),
            }
            at += n;
        }
        Ok(out)
    }
}
