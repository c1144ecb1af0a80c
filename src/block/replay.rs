//! Crash states rebuilt from a recorded write log, so a harness can examine every crash
//! point of an operation after running it once.
//!
//! A [`FaultDomain`](super::FaultDomain) recording data logs every write, discard and flush
//! in issue order. [`WriteLog::cut`] gives the state a power failure after the first `n`
//! of those mutations can leave: on each device, the writes a later flush of that device
//! covered are durable; the rest sit in the volatile cache, and any subset of them, in any
//! order, possibly torn at 512-byte boundaries, may have reached the disk. A [`Cut`] applies
//! one such outcome onto fresh devices holding the images the log started from.
//!
//! Applying the surviving writes in issue order, each whole or as a subset of its sectors,
//! reaches every state a sector-atomic disk can be left in (each sector holds its durable
//! value or the value of one of the unflushed writes to it); shuffled orders are offered as
//! well, for devices that reorder without regard to overlap.

use super::fault::{OpKind, OpRecord};
use super::BlockDevice;
use std::io;
use std::sync::Arc;

/// The unit a write can be torn at.
pub const SECTOR: usize = 512;

/// A logged write (a discard is logged as zeros, which is what it reads back as).
#[derive(Debug, Clone)]
pub struct LoggedWrite {
    /// Position of this mutation in the log, counting from 1 like crash points do.
    pub seq: usize,
    pub device: usize,
    pub offset: u64,
    pub data: Arc<[u8]>,
}

#[derive(Debug, Clone)]
enum Entry {
    Write(LoggedWrite),
    Flush(usize),
}

/// Why a log cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("write #{0} was logged without its data (call FaultDomain::record_data(true) first)")]
    NoData(u64),
}

/// Mutations in issue order with their flush boundaries.
#[derive(Debug, Clone, Default)]
pub struct WriteLog {
    entries: Vec<Entry>,
}

/// How much of one unflushed write reaches the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tear {
    Whole,
    /// Only the sectors whose flag is set (one flag per 512-byte sector of the write).
    Sectors(Vec<bool>),
}

impl Tear {
    /// The first `k` sectors of a write of `len` bytes.
    pub fn prefix(len: usize, k: usize) -> Tear {
        Tear::Sectors((0..len.div_ceil(SECTOR)).map(|i| i < k).collect())
    }
}

/// One unflushed write that survives a crash: its index in [`Cut::pending`] and how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survivor {
    pub pending: usize,
    pub tear: Tear,
}

/// The state of the devices after the first `n` mutations of a log.
#[derive(Debug, Clone)]
pub struct Cut<'a> {
    /// Mutations issued before the crash.
    pub n: usize,
    /// Writes covered by a flush of their device, in issue order.
    pub durable: Vec<&'a LoggedWrite>,
    /// Writes still in the volatile cache, in issue order.
    pub pending: Vec<&'a LoggedWrite>,
}

/// What may happen to the pending writes of a cut, for [`Cut::random`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chaos {
    /// Probability that a pending write survives at all.
    pub keep: f64,
    /// Probability that a surviving write (of more than one sector) is torn.
    pub tear: f64,
    /// Apply the survivors in a shuffled order rather than issue order.
    pub reorder: bool,
}

/// A small deterministic generator (splitmix64), so that a seed replays a crash state.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

impl WriteLog {
    /// The mutations of `records` (as [`FaultDomain::log`](super::FaultDomain::log) returns
    /// them), renumbered from 1. Reads are skipped.
    pub fn from_records(records: &[OpRecord]) -> Result<WriteLog, ReplayError> {
        let mut entries = Vec::new();
        for r in records {
            let seq = entries.len() + 1;
            match r.kind {
                OpKind::Read => {}
                OpKind::Flush => entries.push(Entry::Flush(r.device)),
                OpKind::Discard => entries.push(Entry::Write(LoggedWrite {
                    seq,
                    device: r.device,
                    offset: r.offset,
                    data: Arc::from(vec![0u8; r.len as usize]),
                })),
                OpKind::Write => {
                    let data = r.data.clone().ok_or(ReplayError::NoData(r.seq))?;
                    entries.push(Entry::Write(LoggedWrite {
                        seq,
                        device: r.device,
                        offset: r.offset,
                        data,
                    }))
                }
            }
        }
        Ok(WriteLog { entries })
    }

    /// Number of mutations (writes, discards, flushes).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every write, in issue order.
    pub fn writes(&self) -> impl Iterator<Item = &LoggedWrite> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Write(w) => Some(w),
            Entry::Flush(_) => None,
        })
    }

    /// The cut points right after each flush: replaying up to them loses nothing.
    pub fn flush_points(&self) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, Entry::Flush(_)))
            .map(|(i, _)| i + 1)
            .collect()
    }

    /// The state after the first `n` mutations (`n` is clamped to the log's length).
    pub fn cut(&self, n: usize) -> Cut<'_> {
        let n = n.min(self.entries.len());
        let mut durable = Vec::new();
        // Per device, writes issued since that device's last flush.
        let mut open: Vec<Vec<&LoggedWrite>> = Vec::new();
        for e in &self.entries[..n] {
            match e {
                Entry::Write(w) => {
                    if open.len() <= w.device {
                        open.resize_with(w.device + 1, Vec::new);
                    }
                    open[w.device].push(w);
                }
                Entry::Flush(d) => {
                    if let Some(ws) = open.get_mut(*d) {
                        durable.append(ws);
                    }
                }
            }
        }
        durable.sort_by_key(|w| w.seq);
        let mut pending: Vec<&LoggedWrite> = open.into_iter().flatten().collect();
        pending.sort_by_key(|w| w.seq);
        Cut {
            n,
            durable,
            pending,
        }
    }
}

impl Cut<'_> {
    /// Nothing unflushed reaches the disk.
    pub fn drop_all(&self) -> Vec<Survivor> {
        Vec::new()
    }

    /// Every unflushed write reaches the disk, in order (as if the crash came right after).
    pub fn keep_all(&self) -> Vec<Survivor> {
        self.keep_prefix(self.pending.len())
    }

    /// The first `k` unflushed writes reach the disk, in order.
    pub fn keep_prefix(&self, k: usize) -> Vec<Survivor> {
        (0..k.min(self.pending.len()))
            .map(|i| Survivor {
                pending: i,
                tear: Tear::Whole,
            })
            .collect()
    }

    /// Every subset of the unflushed writes, in issue order, when there are at most
    /// `max_pending` of them (2^k outcomes); `None` when there are more.
    pub fn all_subsets(&self, max_pending: usize) -> Option<Vec<Vec<Survivor>>> {
        let k = self.pending.len();
        if k > max_pending || k >= 63 {
            return None;
        }
        Some(
            (0..1u64 << k)
                .map(|mask| {
                    (0..k)
                        .filter(|i| mask & (1 << i) != 0)
                        .map(|i| Survivor {
                            pending: i,
                            tear: Tear::Whole,
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// For each unflushed write of more than one sector: everything before it kept, it
    /// torn after each of its sector boundaries (at most `max_per_write` of them, spread
    /// evenly), nothing after it.
    pub fn torn_prefixes(&self, max_per_write: usize) -> Vec<Vec<Survivor>> {
        let mut out = Vec::new();
        for (i, w) in self.pending.iter().enumerate() {
            let sectors = w.data.len().div_ceil(SECTOR);
            if sectors < 2 {
                continue;
            }
            let cuts = (sectors - 1).min(max_per_write.max(1));
            for c in 0..cuts {
                let k = 1 + c * (sectors - 1) / cuts;
                let mut s = self.keep_prefix(i);
                s.push(Survivor {
                    pending: i,
                    tear: Tear::prefix(w.data.len(), k),
                });
                out.push(s);
            }
        }
        out
    }

    /// A random outcome under `chaos`, drawn from `rng`.
    pub fn random(&self, rng: &mut SplitMix, chaos: Chaos) -> Vec<Survivor> {
        let mut out = Vec::new();
        for (i, w) in self.pending.iter().enumerate() {
            if !rng.chance(chaos.keep) {
                continue;
            }
            let sectors = w.data.len().div_ceil(SECTOR);
            let tear = if sectors > 1 && rng.chance(chaos.tear) {
                // Half the time a prefix (a sequential transfer cut short), otherwise any
                // subset of sectors (a device with internal parallelism).
                if rng.chance(0.5) {
                    Tear::prefix(w.data.len(), rng.below(sectors as u64) as usize)
                } else {
                    Tear::Sectors((0..sectors).map(|_| rng.chance(0.5)).collect())
                }
            } else {
                Tear::Whole
            };
            out.push(Survivor { pending: i, tear });
        }
        if chaos.reorder {
            for i in (1..out.len()).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                out.swap(i, j);
            }
        }
        out
    }

    /// Writes the durable writes, then `survivors`, onto `devices` (indexed like the log's
    /// devices), which must hold the images the log started from.
    pub fn apply(
        &self,
        devices: &[Arc<dyn BlockDevice>],
        survivors: &[Survivor],
    ) -> io::Result<()> {
        let dev = |i: usize| {
            devices.get(i).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "the log names device {i}, but only {} were given",
                        devices.len()
                    ),
                )
            })
        };
        for w in &self.durable {
            dev(w.device)?.write_at(&w.data, w.offset)?;
        }
        for s in survivors {
            let Some(w) = self.pending.get(s.pending) else {
                continue;
            };
            let d = dev(w.device)?;
            match &s.tear {
                Tear::Whole => d.write_at(&w.data, w.offset)?,
                Tear::Sectors(keep) => {
                    for (k, chunk) in w.data.chunks(SECTOR).enumerate() {
                        if keep.get(k).copied().unwrap_or(false) {
                            d.write_at(chunk, w.offset + (k * SECTOR) as u64)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "replay_tests.rs"]
mod tests;
