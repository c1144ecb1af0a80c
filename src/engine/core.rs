//! The shared state of one origin and its snapshots, and the small structures the data
//! path, the committer and the merge use together.

use super::host::{EngineSettings, MetadataHost};
use super::linear::{LinearVolume, Piece};
use super::store::ExceptionStore;
use super::table::{ChunkMap, ExceptionTable};
use crate::format::cow::{Entry, FLAG_INVALID};
use crate::format::id::Id;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::Instant;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One live snapshot.
pub(crate) struct Snap {
    pub id: Id,
    pub store: ExceptionStore,
    pub table: ExceptionTable,
    pub read_only: AtomicBool,
    pub valid: AtomicBool,
    /// Invalid in memory, but its header on disk still says valid: until a commit writes
    /// that header, no origin write it lacks may reach the disk (see `invalidate`).
    pub invalid_unsaved: AtomicBool,
    pub merging: AtomicBool,
    /// Set when the snapshot left the origin (removed or merged); its handles fail.
    pub removed: AtomicBool,
    /// Own chunks that other snapshots point at too: store chunk → origin chunk.
    pub shared: Mutex<ChunkMap<u64>>,
    /// Own chunks just handed over to the snapshots that borrowed them (store chunk →
    /// origin chunk): this snapshot writes into one only once their new exceptions are
    /// durable, or a crash could leave them pointing at its new data.
    pub handed: Mutex<ChunkMap<u64>>,
    /// Durably merged exceptions.
    pub merged: AtomicU64,
    /// When auto-extend last failed, so that a full VG is not asked on every commit.
    pub extend_failed: Mutex<Option<Instant>>,
}

impl Snap {
    /// A snapshot of an origin of `origin_size` bytes (sizing its presence summary).
    pub fn new(id: Id, store: ExceptionStore, read_only: bool, origin_size: u64) -> Snap {
        let ro = read_only || store.needs_read_only;
        let chunks = origin_size.div_ceil(store.chunk_size);
        Snap {
            id,
            store,
            table: ExceptionTable::new(chunks),
            read_only: AtomicBool::new(ro),
            valid: AtomicBool::new(true),
            invalid_unsaved: AtomicBool::new(false),
            merging: AtomicBool::new(false),
            removed: AtomicBool::new(false),
            shared: Mutex::new(ChunkMap::default()),
            handed: Mutex::new(ChunkMap::default()),
            merged: AtomicU64::new(0),
            extend_failed: Mutex::new(None),
        }
    }

    pub fn chunk_size(&self) -> u64 {
        self.store.chunk_size
    }

    pub fn store_id(&self) -> u32 {
        self.store.store_id
    }

    pub fn is_valid(&self) -> bool {
        self.valid.load(Ordering::Acquire)
    }

    pub fn is_merging(&self) -> bool {
        self.merging.load(Ordering::Acquire)
    }

    /// Receives copy-on-write data from origin writes.
    pub fn is_live(&self) -> bool {
        self.is_valid() && !self.is_merging() && !self.removed.load(Ordering::Acquire)
    }

    /// Marks the snapshot invalid in memory at once and in its header at the next commit;
    /// the caller holds any origin write that needed this snapshot until that commit.
    ///
    /// Until that header is durable the snapshot still opens valid after a crash, so every
    /// origin write waits for that commit too (held, like the write that overflowed it):
    /// once it stops taking copies, a write it lacks that reached the disk first would be
    /// read back as its point in time.
    pub fn invalidate(&self) {
        let mut newly = false;
        self.store.update_header(|h| {
            newly = h.flags & FLAG_INVALID == 0;
            h.flags |= FLAG_INVALID;
        });
        // Set before `valid` drops: a writer that finds it invalid also finds it unsaved.
        if newly {
            self.invalid_unsaved.store(true, Ordering::Release);
        }
        self.valid.store(false, Ordering::Release);
    }

    /// Invalid in memory, not yet on disk: origin writes must wait for the next commit.
    pub fn invalid_unsaved(&self) -> bool {
        self.invalid_unsaved.load(Ordering::Acquire)
    }

    /// The exception record for `chunk` pointing at `owner`'s `at`.
    pub fn exception(chunk: u64, owner: &Snap, at: u64) -> Entry {
        Entry::Exception {
            origin_chunk: chunk,
            store_id: owner.store_id(),
            store_generation: owner.store.generation,
            store_chunk: at,
        }
    }
}

/// What the I/O paths see: the snapshots and the lock granularity, swapped whole when a
/// snapshot is created, removed or starts merging (with I/O quiesced).
pub(crate) struct State {
    /// Oldest first; the newest snapshot lacking a chunk stores the shared copy, since
    /// users usually remove the oldest first.
    pub snaps: Vec<Arc<Snap>>,
    /// Bytes per lock/hold unit: the largest chunk size, so every chunk lies in one unit.
    pub unit: u64,
    pub merging: Option<Arc<Snap>>,
}

impl State {
    pub fn store(&self, id: u32) -> Option<&Arc<Snap>> {
        self.snaps.iter().find(|s| s.store_id() == id)
    }

    pub fn with_snaps(snaps: Vec<Arc<Snap>>) -> State {
        let unit = snaps
            .iter()
            .map(|s| s.chunk_size())
            .max()
            .unwrap_or(crate::format::cow::MIN_CHUNK);
        let merging = snaps.iter().find(|s| s.is_merging()).cloned();
        State {
            snaps,
            unit,
            merging,
        }
    }
}

/// An origin unit whose new data waits in memory for the commit that makes the
/// exceptions protecting its old data durable (exception durable before origin write).
pub(crate) struct HeldUnit {
    pub image: Vec<u8>,
    /// Dirty byte range within the image.
    pub lo: usize,
    pub hi: usize,
    /// Batch whose commit releases it.
    pub batch: u64,
    /// Chunks of the merging snapshot copied into the image; their merge records are
    /// queued once the image is on the origin.
    pub merged: Vec<u64>,
}

const HELD_SHARDS: usize = 64;

/// Held units, sharded by unit number.
pub(crate) struct Held {
    shards: Box<[Mutex<ChunkMap<HeldUnit>>]>,
    pub count: AtomicUsize,
    pub bytes: AtomicU64,
}

impl Default for Held {
    fn default() -> Self {
        Held {
            shards: (0..HELD_SHARDS).map(|_| Mutex::default()).collect(),
            count: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
        }
    }
}

impl Held {
    pub fn shard(&self, unit: u64) -> MutexGuard<'_, ChunkMap<HeldUnit>> {
        lock(&self.shards[(unit as usize) % HELD_SHARDS])
    }

    pub fn any(&self) -> bool {
        self.count.load(Ordering::Acquire) > 0
    }

    pub fn take(&self, unit: u64) -> Option<HeldUnit> {
        let h = self.shard(unit).remove(&unit);
        if let Some(h) = &h {
            self.count.fetch_sub(1, Ordering::AcqRel);
            self.bytes.fetch_sub(h.image.len() as u64, Ordering::AcqRel);
        }
        h
    }

    pub fn put(&self, unit: u64, h: HeldUnit) {
        self.count.fetch_add(1, Ordering::AcqRel);
        self.bytes.fetch_add(h.image.len() as u64, Ordering::AcqRel);
        if let Some(old) = self.shard(unit).insert(unit, h) {
            self.count.fetch_sub(1, Ordering::AcqRel);
            self.bytes
                .fetch_sub(old.image.len() as u64, Ordering::AcqRel);
        }
    }
}

/// Work waiting for the next group commit.
#[derive(Default)]
pub(crate) struct Batch {
    pub id: u64,
    pub entries: Vec<(Arc<Snap>, Entry)>,
    /// Snapshots whose header changed without new entries (invalidated, merge state).
    pub headers: Vec<Arc<Snap>>,
    /// Held origin units this commit releases.
    pub units: Vec<u64>,
    pub exceptions: usize,
    pub merges: usize,
    pub since: Option<Instant>,
    /// A caller asked for a commit (flush, back-pressure).
    pub force: bool,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.headers.is_empty() && self.units.is_empty()
    }
}

/// The origin, its snapshots and everything their I/O shares.
pub(crate) struct Core {
    pub id: Id,
    /// The origin's own map, always writable: merges and held releases must reach it even
    /// when clients may not write (`read_only`).
    pub origin: LinearVolume,
    pub read_only: AtomicBool,
    pub origin_pieces: RwLock<Vec<Piece>>,
    pub settings: EngineSettings,
    pub host: Arc<dyn MetadataHost>,
    /// Held shared by every I/O, exclusively by snapshot creation, removal and merge
    /// start, so those see no request half done.
    pub gate: RwLock<()>,
    pub state: RwLock<Arc<State>>,
    /// `State::unit` of the current state, for snapshot reads that need nothing else from
    /// it: cloning the state's `Arc` is a write to one cache line every CPU shares. The
    /// state changes only under the gate's write lock, so it is stable under a read lock.
    pub unit: AtomicU64,
    /// Striped per-unit locks: copy-on-write, held-unit release and snapshot reads that
    /// fall back to the origin serialise on them, nothing else does.
    pub locks: Box<[RwLock<()>]>,
    pub held: Held,
    pub pending: Mutex<Batch>,
    /// Wakes the committer; rung by every batch that needs it and when the core drops.
    pub wake: Arc<Doorbell>,
    /// Serialises commits; holds the id of the last committed batch.
    pub commit_lock: Mutex<u64>,
    pub stop: AtomicBool,
    pub threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// The last error of the background merge, for status.
    pub merge_error: Mutex<Option<String>>,
}

/// What wakes the committer. It lives outside [`Core`] so that an idle committer can wait
/// without a timer and without keeping the core alive: an idle daemon with many open
/// origins then costs no CPU, and a dropped core still ends its committer.
#[derive(Default)]
pub(crate) struct Doorbell {
    rings: Mutex<u64>,
    rung: Condvar,
}

impl Doorbell {
    pub fn ring(&self) {
        *lock(&self.rings) += 1;
        self.rung.notify_all();
    }

    /// How often it has rung; read before deciding to wait, so no ring is missed.
    pub fn rings(&self) -> u64 {
        *lock(&self.rings)
    }

    /// Waits until it rings after `seen` rings, or `timeout` passes (`None`: no bound).
    pub fn wait(&self, seen: u64, timeout: Option<std::time::Duration>) {
        let g = lock(&self.rings);
        match timeout {
            Some(t) => drop(self.rung.wait_timeout_while(g, t, |n| *n == seen)),
            None => drop(self.rung.wait_while(g, |n| *n == seen)),
        }
    }
}

/// Number of lock stripes; a merge run never spans more units than this.
pub(crate) const STRIPES: usize = 4096;

impl Core {
    pub fn state(&self) -> Arc<State> {
        self.state.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_state(&self, st: State) {
        self.unit.store(st.unit, Ordering::Release);
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(st);
    }

    pub fn unit_lock(&self, unit: u64) -> &RwLock<()> {
        &self.locks[(unit as usize) % STRIPES]
    }

    /// Queues entries, header writes and a held unit for the next commit; returns the id
    /// of the batch they joined.
    pub fn register(
        &self,
        entries: Vec<(Arc<Snap>, Entry)>,
        headers: Vec<Arc<Snap>>,
        unit: Option<u64>,
    ) -> u64 {
        let mut p = lock(&self.pending);
        let first = p.is_empty();
        for (s, e) in &entries {
            match e {
                // The batch bound counts copies, not the snapshots sharing each one.
                Entry::Exception { store_id, .. } if *store_id == s.store_id() => p.exceptions += 1,
                Entry::Exception { .. } => {}
                Entry::Merged { .. } => p.merges += 1,
            }
        }
        p.entries.extend(entries);
        p.headers.extend(headers);
        if let Some(u) = unit {
            p.units.push(u);
        }
        if p.since.is_none() {
            p.since = Some(Instant::now());
        }
        let id = p.id;
        let kick = first
            || p.exceptions >= self.settings.commit_batch
            || p.merges >= self.settings.merge_commit_chunks;
        drop(p);
        if kick {
            self.wake.ring();
        }
        id
    }
}
