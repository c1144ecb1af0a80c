//! The copy loop: a reader thread reads the source's data in large runs (skipping what
//! block status calls holes) and finds the zero blocks in it; this thread writes the data
//! and makes sure the destination reads zero everywhere else. Buffers go round between
//! the two, so neither waits for fresh pages.

use crate::engine::{Volume, VolumeError, VolumeResult, ZeroFlags};
use std::sync::mpsc;

/// Bytes per read and write.
const RUN: u64 = 4 << 20;

/// Granularity of zero detection, as `cp --sparse` uses the file system block.
const BLOCK: usize = 4096;

/// Buffers in flight between the reader and the writer.
const DEPTH: usize = 3;

/// One run of the source: data to write, or a range that reads as zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    Data { offset: u64, at: usize, len: usize },
    Zero { offset: u64, len: u64 },
}

/// A buffer and the runs it describes.
struct Batch {
    buf: Vec<u8>,
    runs: Vec<Run>,
}

/// Whether a block is all zeros: 64-byte strips OR-folded (which vectorises), stopping at
/// the first strip that is not.
fn is_zero(b: &[u8]) -> bool {
    b.chunks(64).all(|c| c.iter().fold(0u8, |a, &x| a | x) == 0)
}

/// Appends the data and zero runs of `buf` (read from `offset`) to `runs`, merging with
/// the run before when they are of the same kind and adjacent.
fn classify(buf: &[u8], at: usize, offset: u64, runs: &mut Vec<Run>) {
    let mut i = 0;
    while i < buf.len() {
        let n = BLOCK.min(buf.len() - i);
        let zero = is_zero(&buf[i..i + n]);
        let off = offset + i as u64;
        match (runs.last_mut(), zero) {
            (Some(Run::Zero { offset, len }), true) if *offset + *len == off => *len += n as u64,
            (Some(Run::Data { offset, len, .. }), false) if *offset + *len as u64 == off => {
                *len += n
            }
            (_, true) => runs.push(Run::Zero {
                offset: off,
                len: n as u64,
            }),
            (_, false) => runs.push(Run::Data {
                offset: off,
                at: at + i,
                len: n,
            }),
        }
        i += n;
    }
}

/// Reads `[offset, offset + len)` of the source into `buf` and describes it.
fn read_window(
    src: &dyn Volume,
    offset: u64,
    len: u64,
    buf: &mut Vec<u8>,
) -> VolumeResult<Vec<Run>> {
    buf.resize(len as usize, 0);
    let mut runs = Vec::new();
    let mut pos = offset;
    let end = offset + len;
    while pos < end {
        let extents = src.block_status(pos, end - pos)?;
        if extents.is_empty() {
            return Err(VolumeError::Io(std::io::Error::other(
                "block status described nothing",
            )));
        }
        for e in extents {
            let n = e.len.min(end - pos);
            if n == 0 {
                return Err(VolumeError::Io(std::io::Error::other(
                    "block status described an empty extent",
                )));
            }
            if e.zero {
                match runs.last_mut() {
                    Some(Run::Zero { offset, len }) if *offset + *len == pos => *len += n,
                    _ => runs.push(Run::Zero {
                        offset: pos,
                        len: n,
                    }),
                }
            } else {
                let at = (pos - offset) as usize;
                let part = &mut buf[at..at + n as usize];
                src.read_at(part, pos)?;
                classify(part, at, pos, &mut runs);
            }
            pos += n;
            if pos >= end {
                break;
            }
        }
    }
    Ok(runs)
}

/// Makes `[offset, offset + len)` of the destination read as zeros, writing only where it
/// may hold data: a cheap deallocation where the volume offers one, else the blocks that
/// are not zero already (an origin with snapshots copies every chunk it writes).
fn ensure_zero(dst: &dyn Volume, offset: u64, len: u64, scratch: &mut Vec<u8>) -> VolumeResult<()> {
    let mut pos = offset;
    let end = offset + len;
    while pos < end {
        let extents = dst.block_status(pos, end - pos)?;
        let Some(e) = extents.first() else {
            return Err(VolumeError::Io(std::io::Error::other(
                "block status described nothing",
            )));
        };
        let n = e.len.min(end - pos);
        if n == 0 {
            return Err(VolumeError::Io(std::io::Error::other(
                "block status described an empty extent",
            )));
        }
        if !e.zero {
            let fast = ZeroFlags {
                may_unmap: true,
                fast_only: true,
            };
            match dst.write_zeroes(pos, n, fast) {
                Ok(()) => {}
                Err(VolumeError::NotSupported(_)) => zero_written_blocks(dst, pos, n, scratch)?,
                Err(e) => return Err(e),
            }
        }
        pos += n;
    }
    Ok(())
}

/// Reads a range of the destination and zeroes the blocks in it that are not zero.
fn zero_written_blocks(
    dst: &dyn Volume,
    offset: u64,
    len: u64,
    scratch: &mut Vec<u8>,
) -> VolumeResult<()> {
    let slow = ZeroFlags {
        may_unmap: true,
        fast_only: false,
    };
    let mut pos = offset;
    while pos < offset + len {
        let n = RUN.min(offset + len - pos);
        scratch.resize(n as usize, 0);
        dst.read_at(scratch, pos)?;
        let mut runs = Vec::new();
        classify(scratch, 0, pos, &mut runs);
        for r in runs {
            if let Run::Data { offset, len, .. } = r {
                dst.write_zeroes(offset, len as u64, slow)?;
            }
        }
        pos += n;
    }
    Ok(())
}

/// Copies the first `size` bytes of `src` over `dst`; `fresh` says the destination reads
/// as zeros already (a file just truncated), so zero runs need nothing at all. Flushes the
/// destination at the end.
pub(super) fn copy(
    src: &dyn Volume,
    dst: &dyn Volume,
    size: u64,
    fresh: bool,
    interactive: bool,
) -> VolumeResult<()> {
    let bar = if interactive {
        let b = indicatif::ProgressBar::new(size);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "  {bytes}/{total_bytes} {bar:40} {percent}% {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (full_tx, full_rx) = mpsc::sync_channel::<VolumeResult<Batch>>(DEPTH - 1);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..DEPTH {
        let _ = empty_tx.send(Vec::new());
    }
    let result: VolumeResult<()> = std::thread::scope(|s| {
        s.spawn(move || {
            let mut pos = 0;
            while pos < size {
                let Ok(mut buf) = empty_rx.recv() else { return };
                let n = RUN.min(size - pos);
                let r = read_window(src, pos, n, &mut buf).map(|runs| Batch { buf, runs });
                let failed = r.is_err();
                if full_tx.send(r).is_err() || failed {
                    return;
                }
                pos += n;
            }
        });
        let mut scratch = Vec::new();
        let mut done = 0;
        for batch in full_rx.iter() {
            let batch = batch?;
            for r in &batch.runs {
                match *r {
                    Run::Data { offset, at, len } => {
                        dst.write_at(&batch.buf[at..at + len], offset, false)?;
                        done += len as u64;
                    }
                    Run::Zero { offset, len } => {
                        if !fresh {
                            ensure_zero(dst, offset, len, &mut scratch)?;
                        }
                        done += len;
                    }
                }
            }
            bar.set_position(done);
            let _ = empty_tx.send(batch.buf);
        }
        Ok(())
    });
    bar.finish_and_clear();
    result?;
    dst.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_merges_adjacent_blocks_of_one_kind() {
        let mut buf = vec![0u8; 5 * BLOCK + 100];
        buf[BLOCK + 7] = 1;
        buf[2 * BLOCK] = 9;
        buf[5 * BLOCK + 99] = 3;
        let mut runs = Vec::new();
        classify(&buf, 0, 1 << 20, &mut runs);
        let base = 1 << 20;
        assert_eq!(
            runs,
            vec![
                Run::Zero {
                    offset: base,
                    len: BLOCK as u64
                },
                Run::Data {
                    offset: base + BLOCK as u64,
                    at: BLOCK,
                    len: 2 * BLOCK
                },
                Run::Zero {
                    offset: base + 3 * BLOCK as u64,
                    len: 2 * BLOCK as u64
                },
                Run::Data {
                    offset: base + 5 * BLOCK as u64,
                    at: 5 * BLOCK,
                    len: 100
                },
            ]
        );
    }
}
