//! Linear volumes: an LV's byte range stitched together from pieces of PVs.

use super::volume::{check_bounds, BlockExtent, Volume, VolumeError, VolumeResult, ZeroFlags};
use crate::block::BlockDevice;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// One contiguous run of the volume on one device.
#[derive(Clone)]
pub struct Piece {
    pub device: Arc<dyn BlockDevice>,
    /// Offset of the run within the volume.
    pub lv_offset: u64,
    /// Offset of the run on the device.
    pub dev_offset: u64,
    pub len: u64,
}

/// A linear LV; pieces are kept sorted so a lookup is a binary search.
pub struct LinearVolume {
    pieces: RwLock<Arc<Vec<Piece>>>,
    size: AtomicU64,
    read_only: AtomicBool,
    identity: [u8; 32],
}

impl LinearVolume {
    /// Builds a volume from pieces that must tile `[0, size)` without gaps.
    pub fn new(
        mut pieces: Vec<Piece>,
        identity: [u8; 32],
        read_only: bool,
    ) -> VolumeResult<LinearVolume> {
        pieces.sort_by_key(|p| p.lv_offset);
        let size = tiled_size(&pieces)?;
        Ok(LinearVolume {
            pieces: RwLock::new(Arc::new(pieces)),
            size: AtomicU64::new(size),
            read_only: AtomicBool::new(read_only),
            identity,
        })
    }

    /// Replaces the mapping after lvextend/lvreduce; in-flight requests finish on the old one.
    pub fn remap(&self, mut pieces: Vec<Piece>) -> VolumeResult<()> {
        pieces.sort_by_key(|p| p.lv_offset);
        let size = tiled_size(&pieces)?;
        let mut guard = self.pieces.write().map_err(|_| VolumeError::Gone)?;
        *guard = Arc::new(pieces);
        self.size.store(size, Ordering::Release);
        Ok(())
    }

    /// Switches between read-write and read-only (lvchange -p).
    pub fn set_read_only(&self, read_only: bool) {
        self.read_only.store(read_only, Ordering::Release);
    }

    fn current(&self) -> VolumeResult<Arc<Vec<Piece>>> {
        Ok(self.pieces.read().map_err(|_| VolumeError::Gone)?.clone())
    }

    /// Calls `f(piece, offset_in_piece, range_start_in_request, len)` for each piece a range
    /// touches, in order.
    fn for_each_piece<F>(&self, offset: u64, len: u64, mut f: F) -> VolumeResult<()>
    where
        F: FnMut(&Piece, u64, usize, u64) -> VolumeResult<()>,
    {
        let pieces = self.current()?;
        check_bounds(self.size(), offset, len)?;
        let mut at = offset;
        let end = offset + len;
        let mut idx = pieces.partition_point(|p| p.lv_offset + p.len <= at);
        while at < end {
            let piece = pieces.get(idx).ok_or(VolumeError::OutOfRange {
                offset,
                len,
                size: self.size(),
            })?;
            let within = at - piece.lv_offset;
            let n = (piece.len - within).min(end - at);
            f(piece, within, (at - offset) as usize, n)?;
            at += n;
            idx += 1;
        }
        Ok(())
    }

    /// Every distinct device, for flushes.
    fn devices(&self) -> VolumeResult<Vec<Arc<dyn BlockDevice>>> {
        let pieces = self.current()?;
        let mut out: Vec<Arc<dyn BlockDevice>> = Vec::new();
        for p in pieces.iter() {
            if !out.iter().any(|d| Arc::ptr_eq(d, &p.device)) {
                out.push(p.device.clone());
            }
        }
        Ok(out)
    }
}

/// After a flush: every piece still lies inside its device. A PV file truncated under a
/// running volume takes data with it, and a write past the new end extends the file
/// again with the cut range reading as zeros; a flush must not vouch for that. One length
/// query per device per flush, which costs nothing next to the sync.
pub(crate) fn check_fit(pieces: &[Piece]) -> VolumeResult<()> {
    for p in pieces {
        let len = p.device.len()?;
        if len < p.dev_offset + p.len {
            return Err(VolumeError::Io(std::io::Error::other(format!(
                "{} is {len} bytes, shorter than the extents mapped on it (to byte {}): \
                 was it truncated?",
                p.device.name(),
                p.dev_offset + p.len
            ))));
        }
    }
    Ok(())
}

fn tiled_size(pieces: &[Piece]) -> VolumeResult<u64> {
    let mut expect = 0u64;
    for p in pieces {
        if p.lv_offset != expect {
            return Err(VolumeError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("volume map has a gap or overlap at byte {expect}"),
            )));
        }
        expect += p.len;
    }
    Ok(expect)
}

impl Volume for LinearVolume {
    fn size(&self) -> u64 {
        self.size.load(Ordering::Acquire)
    }

    fn read_only(&self) -> bool {
        self.read_only.load(Ordering::Acquire)
    }

    fn identity(&self) -> [u8; 32] {
        self.identity
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> VolumeResult<()> {
        self.for_each_piece(offset, buf.len() as u64, |p, within, at, n| {
            let dst = &mut buf[at..at + n as usize];
            Ok(p.device.read_at(dst, p.dev_offset + within)?)
        })
    }

    fn write_at(&self, buf: &[u8], offset: u64, fua: bool) -> VolumeResult<()> {
        if self.read_only() {
            return Err(VolumeError::ReadOnly);
        }
        self.for_each_piece(offset, buf.len() as u64, |p, within, at, n| {
            let src = &buf[at..at + n as usize];
            p.device.write_at(src, p.dev_offset + within)?;
            if fua {
                p.device.flush()?;
            }
            Ok(())
        })
    }

    fn flush(&self) -> VolumeResult<()> {
        for d in self.devices()? {
            d.flush()?;
        }
        check_fit(&self.current()?)
    }

    fn discard(&self, offset: u64, len: u64) -> VolumeResult<()> {
        if self.read_only() {
            return Err(VolumeError::ReadOnly);
        }
        self.for_each_piece(offset, len, |p, within, _, n| {
            Ok(p.device.discard(p.dev_offset + within, n)?)
        })
    }

    fn write_zeroes(&self, offset: u64, len: u64, _flags: ZeroFlags) -> VolumeResult<()> {
        // Discarding is how every backing device zeroes fastest, and it is always exact
        // (see BlockDevice::discard), so NO_HOLE and FAST_ZERO are both satisfied by it.
        self.discard(offset, len)
    }

    fn block_status(&self, offset: u64, len: u64) -> VolumeResult<Vec<BlockExtent>> {
        let mut out: Vec<BlockExtent> = Vec::new();
        self.for_each_piece(offset, len, |p, within, _, n| {
            for a in p.device.allocation(p.dev_offset + within, n)? {
                let ext = BlockExtent {
                    len: a.len,
                    hole: !a.data,
                    zero: !a.data,
                };
                match out.last_mut() {
                    Some(last) if last.hole == ext.hole && last.zero == ext.zero => {
                        last.len += ext.len
                    }
                    _ => out.push(ext),
                }
            }
            Ok(())
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::MemDevice;

    fn two_device_volume() -> (LinearVolume, Arc<MemDevice>, Arc<MemDevice>) {
        let a = Arc::new(MemDevice::new("a", 1 << 20));
        let b = Arc::new(MemDevice::new("b", 1 << 20));
        let pieces = vec![
            Piece {
                device: b.clone(),
                lv_offset: 8192,
                dev_offset: 0,
                len: 8192,
            },
            Piece {
                device: a.clone(),
                lv_offset: 0,
                dev_offset: 4096,
                len: 8192,
            },
        ];
        (LinearVolume::new(pieces, [b'x'; 32], false).unwrap(), a, b)
    }

    #[test]
    fn io_spans_pieces_on_different_devices() {
        let (vol, a, b) = two_device_volume();
        assert_eq!(vol.size(), 16384);
        let data: Vec<u8> = (0..8192u32).map(|i| i as u8).collect();
        vol.write_at(&data, 4096, false).unwrap();
        let mut back = vec![0u8; 8192];
        vol.read_at(&mut back, 4096).unwrap();
        assert_eq!(back, data);
        assert_eq!(&a.snapshot()[8192..12288], &data[..4096]);
        assert_eq!(&b.snapshot()[..4096], &data[4096..]);
    }

    #[test]
    fn out_of_range_and_read_only_are_refused() {
        let (vol, _, _) = two_device_volume();
        let mut buf = [0u8; 512];
        assert!(matches!(
            vol.read_at(&mut buf, 16384 - 256),
            Err(VolumeError::OutOfRange { .. })
        ));
        vol.set_read_only(true);
        assert!(matches!(
            vol.write_at(&buf, 0, false),
            Err(VolumeError::ReadOnly)
        ));
    }

    #[test]
    fn gaps_in_the_map_are_rejected() {
        let a: Arc<dyn BlockDevice> = Arc::new(MemDevice::new("a", 1 << 20));
        let pieces = vec![Piece {
            device: a,
            lv_offset: 4096,
            dev_offset: 0,
            len: 4096,
        }];
        assert!(LinearVolume::new(pieces, [0; 32], false).is_err());
    }
}
