//! `lvconvert --merge` as a resumable background task. From its start the origin reads
//! as the merging snapshot; the task copies each exception back, in runs of adjacent
//! chunks, and records each copy in the snapshot's log. A chunk is copied again after a
//! crash only if its record was not durable, and then no origin write to it can have
//! reached the disk (such writes wait for the record), so the copy is idempotent.

use super::core::{lock, Core, Snap, State, STRIPES};
use super::host::{EngineError, EngineResult};
use super::io::chunks;
use super::origin::Origin;
use super::table::{MergeMark, Target};
use super::volume::{Volume, VolumeResult};
use crate::format::cow::{Entry, FLAG_MERGING};
use crate::format::id::Id;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Weak};
use std::time::{Duration, Instant};

/// Largest run copied with one read and one write: small enough that the data read is
/// still in the CPU cache when it is written (8 MiB runs measured twice as slow).
const RUN_BYTES: u64 = 1 << 20;

/// How far a merge has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeProgress {
    pub snapshot: Id,
    /// Exceptions copied back and recorded.
    pub merged: u64,
    /// Exceptions the merge started with.
    pub total: u64,
    /// The last error the background task met; the merge resumes at the next open.
    pub error: Option<String>,
}

impl Origin {
    /// Starts merging a snapshot into the origin (`lvconvert --merge`): records it through
    /// the host and in the store header, switches origin reads to the snapshot's content
    /// and starts copying in the background. The snapshot's own volume is unusable from now
    /// on; the host removes its LV when the merge finishes.
    pub fn start_merge(&self, id: &Id) -> EngineResult<()> {
        let core = &self.core;
        // A merge that just finished holds the gate until it has left the state: its
        // snapshot may already be gone from the VG, and this merge must not be refused
        // for it. (Only for the check: the host's transaction below must not wait under
        // the gate.)
        drop(core.gate.read().unwrap_or_else(|p| p.into_inner()));
        let st = core.state();
        let m = st
            .snaps
            .iter()
            .find(|s| s.id == *id)
            .cloned()
            .ok_or(EngineError::NoSuchSnapshot(*id))?;
        if let Some(x) = &st.merging {
            return Err(if x.id == *id {
                EngineError::AlreadyMerging(*id)
            } else {
                EngineError::OriginMerging(x.id)
            });
        }
        if !m.is_valid() {
            return Err(EngineError::MergeInvalid(*id));
        }
        core.host.merge_started(id).map_err(EngineError::Host)?;
        {
            let _g = core.gate.write().unwrap_or_else(|p| p.into_inner());
            core.commit()?;
            m.merging.store(true, Ordering::Release);
            let total = m.table.len();
            m.store.update_header(|h| {
                h.flags |= FLAG_MERGING;
                h.merge_total = total;
            });
            core.register(Vec::new(), vec![m.clone()], None);
            core.commit()?;
            core.set_state(State::with_snaps(core.state().snaps.clone()));
        }
        self.spawn_merge(m)
    }

    pub(crate) fn spawn_merge(&self, m: Arc<Snap>) -> EngineResult<()> {
        let weak = Arc::downgrade(&self.core);
        let t = std::thread::Builder::new()
            .name("rvm-merge".into())
            .spawn(move || merge_task(weak, m))
            .map_err(EngineError::io)?;
        lock(&self.core.threads).push(t);
        Ok(())
    }

    /// The running merge's progress, if one runs.
    pub fn merge_progress(&self) -> Option<MergeProgress> {
        let m = self.core.state().merging.clone()?;
        Some(MergeProgress {
            snapshot: m.id,
            merged: m.merged.load(Ordering::Acquire),
            total: m.store.header_state().merge_total,
            error: lock(&self.core.merge_error).clone(),
        })
    }

    /// Waits until no merge runs (true) or the timeout passes (false).
    pub fn wait_merge(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while self.core.state().merging.is_some() {
            if Instant::now() >= until || lock(&self.core.merge_error).is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

/// Splits unmerged exceptions into runs that are adjacent both in the origin and in one
/// store, so each run is one read and one write.
fn runs(todo: &[(u64, Target)], chunk: u64) -> Vec<&[(u64, Target)]> {
    let max = (RUN_BYTES / chunk).clamp(1, STRIPES as u64 / 2) as usize;
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=todo.len() {
        let split = i == todo.len() || i - start >= max || {
            let (pc, pt) = todo[i - 1];
            let (c, t) = todo[i];
            c != pc + 1 || t.store != pt.store || t.chunk != pt.chunk + 1
        };
        if split {
            out.push(&todo[start..i]);
            start = i;
        }
    }
    out
}

fn merge_task(core: Weak<Core>, m: Arc<Snap>) {
    loop {
        let Some(c) = core.upgrade() else { return };
        if c.stop.load(Ordering::Acquire) || m.removed.load(Ordering::Acquire) {
            return;
        }
        let todo: Vec<(u64, Target)> = m
            .table
            .sorted()
            .into_iter()
            .filter(|(_, t)| t.merge == MergeMark::No)
            .collect();
        let result = if todo.is_empty() {
            c.finish_merge(&m)
        } else {
            c.merge_pass(&m, &todo)
                .map(|_| false)
                .map_err(EngineError::Volume)
        };
        match result {
            Ok(true) => return,
            Ok(false) => {}
            Err(e) => {
                *lock(&c.merge_error) = Some(e.to_string());
                return;
            }
        }
    }
}

/// The origin byte range a run covers.
fn span(run: &[(u64, Target)], chunk: u64, size: u64) -> (u64, u64) {
    let first = run[0].0 * chunk;
    (first, ((run[run.len() - 1].0 + 1) * chunk).min(size))
}

impl Core {
    /// One pass over the unmerged exceptions. A reader thread fetches the next run's
    /// data from the store while this one writes the current run to the origin; the
    /// snapshot is frozen, so data read ahead stays valid as long as the run's targets are
    /// unchanged when its locks are taken. Buffers go round between the two, so no run
    /// pays for fresh pages.
    fn merge_pass(&self, m: &Arc<Snap>, todo: &[(u64, Target)]) -> VolumeResult<()> {
        let cs = m.chunk_size();
        let size = self.origin.size();
        let all = runs(todo, cs);
        let st = self.state();
        let (data_tx, data_rx) = mpsc::sync_channel::<(usize, VolumeResult<Vec<u8>>)>(1);
        let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
        std::thread::scope(|s| {
            // Owned here, so an early return drops it and the reader stops sending.
            let data_rx = data_rx;
            let (all, st) = (&all, &st);
            s.spawn(move || {
                for (i, run) in all.iter().enumerate() {
                    let mut buf = spare_rx.try_recv().unwrap_or_default();
                    let (first, end) = span(run, cs, size);
                    buf.resize((end - first) as usize, 0);
                    let r = self.read_target(st, run[0].1, 0, &mut buf).map(|_| buf);
                    if data_tx.send((i, r)).is_err() {
                        return;
                    }
                }
            });
            for (i, data) in data_rx.iter() {
                if self.stop.load(Ordering::Acquire) {
                    return Ok(());
                }
                let data = data?;
                self.merge_run(m, all[i], &data)?;
                let _ = spare_tx.send(data);
            }
            Ok(())
        })
    }

    /// Copies one run back: with one write of the data read ahead when nothing else needs
    /// the chunks, else unit by unit through the copy-on-write path.
    fn merge_run(&self, m: &Arc<Snap>, run: &[(u64, Target)], data: &[u8]) -> VolumeResult<()> {
        let _g = self.gate.read().unwrap_or_else(|p| p.into_inner());
        let st = self.state();
        if !st.merging.as_ref().is_some_and(|x| Arc::ptr_eq(x, m)) {
            return Ok(());
        }
        let (first, end) = span(run, m.chunk_size(), self.origin.size());
        let units = chunks(first, end, st.unit);
        let guards: Vec<_> = units
            .clone()
            .map(|u| self.unit_lock(u).write().unwrap_or_else(|p| p.into_inner()))
            .collect();
        let unchanged = |c: u64, t: Target| {
            m.table.get(c).is_some_and(|x| {
                x.merge == MergeMark::No && x.store == t.store && x.chunk == t.chunk
            })
        };
        let direct = (!self.held.any()
            || units.clone().all(|u| !self.held.shard(u).contains_key(&u)))
            && run.iter().all(|&(c, t)| unchanged(c, t))
            && others_durable(&st, first, end);
        if direct {
            // Other snapshots hold durable copies of these chunks, so the origin may take
            // the merged data at once; the merge record follows in the next commit.
            self.origin.write_at(data, first, false)?;
            let mut entries = Vec::with_capacity(run.len());
            for &(c, _) in run {
                m.table.mark(c, MergeMark::Volatile);
                entries.push((m.clone(), Entry::Merged { origin_chunk: c }));
            }
            // Registered before the unit locks drop: an origin write that sees a chunk
            // Volatile joins this batch or a later one.
            self.register(entries, Vec::new(), None);
            drop(guards);
            return Ok(());
        }
        drop(guards);
        for u in units {
            self.write_unit(&st, u, 0, &[])?;
        }
        Ok(())
    }

    /// Ends a merge whose every chunk is durably merged: takes over chunks other snapshots
    /// borrow from it, then lets the host remove its LV. False if chunks remain.
    fn finish_merge(&self, m: &Arc<Snap>) -> EngineResult<bool> {
        self.commit()?;
        let _g = self.gate.write().unwrap_or_else(|p| p.into_inner());
        self.commit()?;
        let st = self.state();
        if m.merged.load(Ordering::Acquire) < m.table.len() {
            return Ok(false);
        }
        self.take_over(&st, m)?;
        self.commit()?;
        self.host.merge_finished(&m.id).map_err(EngineError::Host)?;
        self.detach(m);
        Ok(true)
    }
}

/// Whether every live snapshot has a durable exception for every chunk of `[first, end)`,
/// and no snapshot is invalid in memory only (merged data must then wait for its header).
fn others_durable(st: &State, first: u64, end: u64) -> bool {
    !st.snaps.iter().any(|s| s.invalid_unsaved())
        && st
            .snaps
            .iter()
            .filter(|s| s.is_live())
            .all(|s| chunks(first, end, s.chunk_size()).all(|c| s.table.durable(c)))
}
