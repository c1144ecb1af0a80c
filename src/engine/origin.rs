//! Opening an origin with its snapshots, and the management operations that change which
//! snapshots it has: create, remove (with take-over of shared chunks), resize, close.

use super::commit::committer;
use super::core::{lock, Batch, Core, Held, Snap, State, STRIPES};
use super::host::{
    EngineError, EngineResult, EngineSettings, MetadataHost, OriginSpec, SnapshotSpec,
};
use super::linear::{LinearVolume, Piece};
use super::store::ExceptionStore;
use super::table::{MergeMark, Target};
use super::volume::{Volume, VolumeError};
use crate::format::cow::{self, Entry, FLAG_INVALID, FLAG_MERGING};
use crate::format::id::Id;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// An origin LV with its snapshots: the engine's handle for one copy-on-write family.
/// It is the origin's [`Volume`](super::Volume); [`Origin::snapshot`] gives the snapshots'.
#[derive(Clone)]
pub struct Origin {
    pub(crate) core: Arc<Core>,
}

/// Builds live snapshots from their replayed logs: tables, borrowed counts, shared maps,
/// allocation marks. Exceptions that point at a store that no longer exists invalidate
/// their snapshot.
fn load_tables(snaps: &[Arc<Snap>], logs: Vec<Vec<Entry>>) -> Vec<Arc<Snap>> {
    let mut damaged = Vec::new();
    for (s, entries) in snaps.iter().zip(logs) {
        for e in entries {
            match e {
                Entry::Exception {
                    origin_chunk,
                    store_id,
                    store_generation,
                    store_chunk,
                } => {
                    if let Some(owner) = snaps.iter().find(|o| {
                        o.store_id() == store_id && o.store.generation == store_generation
                    }) {
                        owner.store.note_reference(store_chunk);
                    }
                    let mut t = Target::new(store_id, store_chunk);
                    t.durable = true;
                    if let Some(old) = s.table.get(origin_chunk) {
                        // A take-over moves a merged chunk's copy; the merge mark stays.
                        t.merge = old.merge;
                    }
                    s.table.insert(origin_chunk, t);
                }
                Entry::Merged { origin_chunk } => {
                    s.table.mark(origin_chunk, MergeMark::Durable);
                }
            }
        }
    }
    for s in snaps {
        let mut borrowed = 0;
        let mut merged = 0;
        for (c, t) in s.table.sorted() {
            if t.merge == MergeMark::Durable {
                merged += 1;
            }
            if t.store == s.store_id() {
                continue;
            }
            match snaps.iter().find(|o| o.store_id() == t.store) {
                Some(o) => {
                    borrowed += 1;
                    lock(&o.shared).insert(t.chunk, c);
                }
                None => damaged.push(s.clone()),
            }
        }
        s.store.set_borrowed(borrowed);
        s.merged.store(merged, Ordering::Release);
    }
    damaged
}

impl Origin {
    /// Opens an origin with its snapshots (oldest first, as `Vg::snapshots_of` lists
    /// them), replaying each store's log, and resumes a merge that was in progress.
    ///
    /// A snapshot whose store has no valid header (its creation was interrupted) is
    /// opened as invalid, durably.
    pub fn open(
        origin: OriginSpec,
        snapshots: Vec<SnapshotSpec>,
        settings: EngineSettings,
        host: Arc<dyn MetadataHost>,
    ) -> EngineResult<Origin> {
        let vol = LinearVolume::new(origin.pieces.clone(), *origin.id.as_bytes(), false)?;
        let mut snaps = Vec::new();
        let mut logs = Vec::new();
        let mut invalid = Vec::new();
        // Header flags and merge total as the stores hold them: only headers that opening
        // changes are written, so opening (a report, a refused command) writes nothing.
        let mut on_disk = Vec::new();
        for spec in snapshots {
            check_spec(&origin.id, &spec, &snaps)?;
            let i = &spec.info;
            let (store, entries, flags, merge_total) = match ExceptionStore::open(
                spec.id,
                origin.id,
                i.store_id,
                i.chunk_size,
                spec.pieces.clone(),
            ) {
                Ok((store, replay)) => (
                    store,
                    replay.entries,
                    replay.header.flags,
                    replay.header.merge_total,
                ),
                Err(EngineError::NoHeader(_)) => {
                    let store = ExceptionStore::create_invalid(
                        spec.id,
                        origin.id,
                        i.store_id,
                        i.chunk_size,
                        spec.pieces.clone(),
                    )?;
                    (store, Vec::new(), FLAG_INVALID, 0)
                }
                Err(e) => return Err(e),
            };
            let snap = Arc::new(Snap::new(spec.id, store, spec.read_only, vol.size()));
            let h = snap.store.header_state();
            on_disk.push((h.flags, h.merge_total));
            if flags & FLAG_INVALID != 0 {
                invalid.push(snap.clone());
            }
            if i.merging || flags & FLAG_MERGING != 0 {
                snap.merging.store(true, Ordering::Release);
                snap.store.update_header(|h| {
                    h.flags |= FLAG_MERGING;
                    h.merge_total = merge_total;
                });
            }
            snaps.push(snap);
            logs.push(entries);
        }
        invalid.extend(load_tables(&snaps, logs));
        for s in &snaps {
            if s.is_merging() && s.store.header_state().merge_total == 0 {
                let total = s.table.len();
                s.store.update_header(|h| h.merge_total = total);
            }
        }
        for s in &invalid {
            s.invalidate();
        }
        let state = State::with_snaps(snaps);
        let core = Arc::new(Core {
            id: origin.id,
            origin: vol,
            read_only: AtomicBool::new(origin.read_only),
            origin_pieces: RwLock::new(origin.pieces),
            settings,
            host,
            gate: RwLock::new(()),
            unit: AtomicU64::new(state.unit),
            state: RwLock::new(Arc::new(state)),
            locks: (0..STRIPES).map(|_| RwLock::new(())).collect(),
            held: Held::default(),
            pending: Mutex::new(Batch {
                id: 1,
                ..Batch::default()
            }),
            wake: Arc::default(),
            commit_lock: Mutex::new(0),
            stop: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
            merge_error: Mutex::new(None),
        });
        let st = core.state();
        let headers: Vec<Arc<Snap>> = st
            .snaps
            .iter()
            .zip(&on_disk)
            .filter(|(s, &(flags, total))| {
                let h = s.store.header_state();
                h.flags != flags || h.merge_total != total
            })
            .map(|(s, _)| s.clone())
            .collect();
        if !headers.is_empty() {
            core.register(Vec::new(), headers, None);
            core.commit()?;
        }
        let weak = Arc::downgrade(&core);
        let bell = core.wake.clone();
        let t = std::thread::Builder::new()
            .name("rvm-commit".into())
            .spawn(move || committer(weak, bell))
            .map_err(EngineError::io)?;
        lock(&core.threads).push(t);
        let origin = Origin { core };
        if let Some(m) = origin.core.state().merging.clone() {
            origin.spawn_merge(m)?;
        }
        Ok(origin)
    }

    /// The origin LV's id.
    pub fn id(&self) -> Id {
        self.core.id
    }

    /// The ids of its snapshots, oldest first.
    pub fn snapshot_ids(&self) -> Vec<Id> {
        self.core.state().snaps.iter().map(|s| s.id).collect()
    }

    /// A snapshot as a volume.
    pub fn snapshot(&self, id: &Id) -> Option<super::SnapshotVolume> {
        let st = self.core.state();
        let s = st.snaps.iter().find(|s| s.id == *id)?;
        Some(super::SnapshotVolume {
            core: self.core.clone(),
            snap: s.clone(),
        })
    }

    /// Creates a snapshot of the origin as it is now, including every write acknowledged
    /// before this call. The caller has committed the LV (its store's extents) to the VG
    /// first; this initialises the store durably in O(1) of the origin's size.
    pub fn create_snapshot(&self, spec: SnapshotSpec) -> EngineResult<super::SnapshotVolume> {
        cow::validate_chunk_size(spec.info.chunk_size).map_err(EngineError::ChunkSize)?;
        let core = &self.core;
        let _g = core.gate.write().unwrap_or_else(|p| p.into_inner());
        let st = core.state();
        if let Some(m) = &st.merging {
            return Err(EngineError::OriginMerging(m.id));
        }
        check_spec(&core.id, &spec, &st.snaps)?;
        // The point in time is durable before the snapshot exists: its unchanged chunks
        // are read from the origin.
        core.flush()?;
        let store = ExceptionStore::create(
            spec.id,
            core.id,
            spec.info.store_id,
            spec.info.chunk_size,
            spec.pieces,
        )?;
        let snap = Arc::new(Snap::new(
            spec.id,
            store,
            spec.read_only,
            core.origin.size(),
        ));
        let mut snaps = st.snaps.clone();
        snaps.push(snap.clone());
        core.set_state(State::with_snaps(snaps));
        Ok(super::SnapshotVolume {
            core: core.clone(),
            snap,
        })
    }

    /// Detaches a snapshot before its LV is removed: chunks other snapshots borrow from its
    /// store are first copied into theirs and recorded durably. The caller then commits the
    /// LV's removal to the VG.
    pub fn remove_snapshot(&self, id: &Id) -> EngineResult<()> {
        let core = &self.core;
        let _g = core.gate.write().unwrap_or_else(|p| p.into_inner());
        let st = core.state();
        let r = st
            .snaps
            .iter()
            .find(|s| s.id == *id)
            .cloned()
            .ok_or(EngineError::NoSuchSnapshot(*id))?;
        if st.merging.as_ref().is_some_and(|m| Arc::ptr_eq(m, &r)) {
            return Err(EngineError::AlreadyMerging(*id));
        }
        core.commit()?;
        core.take_over(&st, &r)?;
        core.commit()?;
        core.detach(&r);
        Ok(())
    }

    /// Accepts a snapshot store's bigger map after `lvextend` committed it.
    pub fn resize_snapshot(&self, id: &Id, pieces: Vec<Piece>) -> EngineResult<()> {
        let st = self.core.state();
        let s = st
            .snaps
            .iter()
            .find(|s| s.id == *id)
            .ok_or(EngineError::NoSuchSnapshot(*id))?;
        s.store.resize(pieces)?;
        *lock(&s.extend_failed) = None;
        Ok(())
    }

    /// Accepts the origin's new map after lvextend/lvreduce. With snapshots it may only
    /// grow, keeping its old map as a prefix: the snapshots then read the new tail as the
    /// origin holds it, and since new extents are discarded before they join an LV and the
    /// first origin write to a tail chunk copies its zeros into every snapshot, they always
    /// read it as zeros. Growth takes no lock the data path holds (so a metadata host may
    /// call it while origin writes wait for that host): it needs the old size to be a
    /// whole number of lock units, so that no held image covers a partial unit.
    pub fn resize_origin(&self, pieces: Vec<Piece>) -> EngineResult<()> {
        let core = &self.core;
        let old = core.origin.size();
        let new: u64 = pieces.iter().map(|p| p.len).sum();
        let st = core.state();
        if new >= old && !st.snaps.is_empty() {
            if old % st.unit != 0 {
                return Err(EngineError::OriginUnaligned {
                    size: old,
                    unit: st.unit,
                });
            }
            return self.remap_origin(pieces);
        }
        let _g = core.gate.write().unwrap_or_else(|p| p.into_inner());
        if !core.state().snaps.is_empty() {
            return Err(EngineError::OriginHasSnapshots);
        }
        self.remap_origin(pieces)
    }

    fn remap_origin(&self, pieces: Vec<Piece>) -> EngineResult<()> {
        let core = &self.core;
        core.origin.remap(pieces.clone())?;
        *core
            .origin_pieces
            .write()
            .unwrap_or_else(|p| p.into_inner()) = pieces;
        Ok(())
    }

    /// Sets the origin's or a snapshot's permission (lvchange -p).
    pub fn set_read_only(&self, id: &Id, read_only: bool) -> EngineResult<()> {
        if *id == self.core.id {
            self.core.read_only.store(read_only, Ordering::Release);
            return Ok(());
        }
        let st = self.core.state();
        let s = st
            .snaps
            .iter()
            .find(|s| s.id == *id)
            .ok_or(EngineError::NoSuchSnapshot(*id))?;
        s.read_only
            .store(read_only || s.store.needs_read_only, Ordering::Release);
        Ok(())
    }

    /// Commits and flushes everything, stops the background threads (a running merge
    /// resumes at the next open) and waits for them.
    pub fn close(&self) -> Result<(), VolumeError> {
        self.core.stop.store(true, Ordering::Release);
        self.core.wake.ring();
        let threads: Vec<_> = lock(&self.core.threads).drain(..).collect();
        for t in threads {
            let _ = t.join();
        }
        self.core.flush()
    }
}

fn check_spec(origin: &Id, spec: &SnapshotSpec, others: &[Arc<Snap>]) -> EngineResult<()> {
    if spec.info.origin != *origin {
        return Err(EngineError::NoSuchSnapshot(spec.id));
    }
    if others.iter().any(|s| s.id == spec.id) {
        return Err(EngineError::SnapshotExists(spec.id));
    }
    if others.iter().any(|s| s.store_id() == spec.info.store_id) {
        return Err(EngineError::StoreIdInUse(spec.info.store_id));
    }
    Ok(())
}

impl Core {
    /// Copies every chunk of `r`'s store that other snapshots still point at into each of
    /// them. Run with I/O quiesced; the caller commits.
    pub(crate) fn take_over(&self, st: &State, r: &Arc<Snap>) -> EngineResult<()> {
        let shared: Vec<(u64, u64)> = lock(&r.shared).iter().map(|(&z, &c)| (z, c)).collect();
        let mut entries = Vec::new();
        let mut headers = Vec::new();
        let mut buf = vec![0u8; r.chunk_size() as usize];
        let mut res = Ok(false);
        for (z, c) in shared {
            res = self.hand_over(st, r, z, c, &mut buf, &mut entries, &mut headers);
            if res.is_err() {
                break;
            }
        }
        // Copies made before a failure are recorded too: `r` is only removed after a
        // take-over that succeeded, but those borrowers already read their copies.
        self.register(entries, headers, None);
        res.map(|_| ()).map_err(EngineError::io)
    }

    /// Hands chunk `z` of `from`'s store (its copy of origin chunk `c`) to the snapshots
    /// that borrow it: each takes a copy into its own store, which borrowing reserved.
    /// Each copy is its last word on `c` (it is private from then on), so a snapshot logs
    /// at most two exceptions per origin chunk: the borrowed one and its own. The new
    /// exceptions go into `entries`; `from` may change `z` only once they are durable.
    /// True if there were borrowers.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn hand_over(
        &self,
        st: &State,
        from: &Arc<Snap>,
        z: u64,
        c: u64,
        buf: &mut [u8],
        entries: &mut Vec<(Arc<Snap>, Entry)>,
        headers: &mut Vec<Arc<Snap>>,
    ) -> std::io::Result<bool> {
        let borrowers: Vec<&Arc<Snap>> = st
            .snaps
            .iter()
            .filter(|s| !Arc::ptr_eq(s, from) && s.is_valid())
            .filter(|s| {
                s.table
                    .get(c)
                    .is_some_and(|t| t.store == from.store_id() && t.chunk == z)
            })
            .collect();
        if borrowers.is_empty() {
            lock(&from.shared).remove(&z);
            return Ok(false);
        }
        from.store.read(z, 0, buf)?;
        for s in borrowers {
            s.store.unborrow();
            let Some(nz) = s.store.alloc() else {
                s.invalidate();
                headers.push(s.clone());
                continue;
            };
            if let Err(e) = s.store.write(nz, 0, buf) {
                // Still borrowing: the chunk stays lent, and the caller fails.
                s.store.release(nz);
                s.store.reborrow();
                return Err(e);
            }
            let Some(old) = s.table.get(c) else { continue };
            let mut t = Target::new(s.store_id(), nz);
            t.merge = old.merge;
            s.table.insert(c, t);
            entries.push((s.clone(), Snap::exception(c, s, nz)));
        }
        lock(&from.shared).remove(&z);
        Ok(true)
    }

    /// Removes a snapshot from the state; its handles fail from now on.
    pub(crate) fn detach(&self, r: &Arc<Snap>) {
        r.removed.store(true, Ordering::Release);
        let st = self.state();
        let snaps: Vec<Arc<Snap>> = st
            .snaps
            .iter()
            .filter(|s| !Arc::ptr_eq(s, r))
            .cloned()
            .collect();
        self.set_state(State::with_snaps(snaps));
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // Best effort for a caller that never closed: acknowledged writes reach the disk.
        // `close` has flushed already.
        if !self.stop.load(Ordering::Acquire) {
            let _ = self.flush();
        }
    }
}
