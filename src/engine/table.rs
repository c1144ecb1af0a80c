//! The in-memory exception table of one snapshot: origin chunk → where its point-in-time
//! data lives. Sharded so that lookups on the data path never take a table-wide lock.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Where a snapshot's copy of one origin chunk lives, and how far its merge has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target {
    /// The store holding the data: the snapshot's own or one it borrows from.
    pub store: u32,
    /// Chunk index inside that store.
    pub chunk: u64,
    pub merge: MergeMark,
    /// The entry recording this target has been committed. Origin writes to a chunk whose
    /// exception is not durable yet wait for the commit, as if it were a new exception.
    pub durable: bool,
}

/// Merge state of one exception of a merging snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MergeMark {
    /// Not merged: during a merge the origin reads this chunk from the snapshot.
    No,
    /// Copied into a held origin unit, not on disk yet; its merge record is written only
    /// after the unit is, since the record means "the origin holds this data".
    Held,
    /// Copied back to the origin, but the record of it is not durable yet: origin writes
    /// to the chunk wait for that record, or a resumed merge could overwrite them.
    Volatile,
    /// Copied back and recorded durably.
    Durable,
}

impl Target {
    pub fn new(store: u32, chunk: u64) -> Target {
        Target {
            store,
            chunk,
            merge: MergeMark::No,
            durable: false,
        }
    }
}

/// A multiplicative hash for chunk numbers: they are dense integers, so SipHash's
/// flooding protection buys nothing here and costs a lot.
#[derive(Default)]
pub(crate) struct ChunkHasher(u64);

impl Hasher for ChunkHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A HashMap keyed by chunk numbers.
pub(crate) type ChunkMap<V> = HashMap<u64, V, BuildHasherDefault<ChunkHasher>>;

const SHARDS: usize = 64;

/// Most bits in a [`Presence`] summary (128 KiB); larger origins share a bit between
/// neighbouring chunks.
const PRESENCE_BITS: u64 = 1 << 20;

/// A lock-free summary of the chunks that may have an exception: a clear bit means none
/// does, so reads of unchanged chunks (the common case) skip the shard lock and the hash
/// probe, each a cache line other CPUs write to. Bits are only ever set: a table never
/// loses an exception.
struct Presence {
    words: Box<[AtomicU64]>,
    /// Chunks per bit, as a power of two.
    shift: u32,
}

impl Presence {
    fn new(chunks: u64) -> Presence {
        let mut shift = 0;
        while chunks >> shift > PRESENCE_BITS {
            shift += 1;
        }
        let bits = (chunks >> shift) + u64::from(chunks & ((1 << shift) - 1) != 0);
        Presence {
            words: (0..bits.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
            shift,
        }
    }

    /// The word and bit of `chunk`, or None past the summary (an origin grown since).
    fn slot(&self, chunk: u64) -> Option<(&AtomicU64, u64)> {
        let bit = chunk >> self.shift;
        let word = self.words.get((bit / 64) as usize)?;
        Some((word, 1 << (bit % 64)))
    }

    fn set(&self, chunk: u64) {
        if let Some((word, mask)) = self.slot(chunk) {
            word.fetch_or(mask, Ordering::Release);
        }
    }

    fn may_have(&self, chunk: u64) -> bool {
        self.slot(chunk)
            .is_none_or(|(word, mask)| word.load(Ordering::Acquire) & mask != 0)
    }
}

/// Chunks per page of a [`Settled`] bitmap (32 KiB of bits).
const SETTLED_PAGE: u64 = 1 << 18;

/// A lock-free bit per chunk that is set only while the map holds a durable exception for
/// it: an origin write over chunks every snapshot has settled goes straight to disk after
/// one bit test each, instead of a shard lock and a hash probe that misses the cache (a
/// 1 MiB overwrite with 4 KiB chunks makes 256 of them per snapshot). Pages are allocated
/// on first use, so a snapshot costs this memory only for chunks it holds.
struct Settled {
    pages: Box<[SettledPage]>,
}

/// One page of [`Settled`] bits, allocated on the first set.
type SettledPage = OnceLock<Box<[AtomicU64]>>;

impl Settled {
    fn new(chunks: u64) -> Settled {
        Settled {
            pages: (0..chunks.div_ceil(SETTLED_PAGE))
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    fn page(&self, chunk: u64) -> Option<(&SettledPage, usize, u64)> {
        let page = self.pages.get((chunk / SETTLED_PAGE) as usize)?;
        let bit = chunk % SETTLED_PAGE;
        Some((page, (bit / 64) as usize, 1 << (bit % 64)))
    }

    fn set(&self, chunk: u64) {
        if let Some((page, word, mask)) = self.page(chunk) {
            let words =
                page.get_or_init(|| (0..SETTLED_PAGE / 64).map(|_| AtomicU64::new(0)).collect());
            words[word].fetch_or(mask, Ordering::Release);
        }
    }

    fn clear(&self, chunk: u64) {
        if let Some((page, word, mask)) = self.page(chunk) {
            if let Some(words) = page.get() {
                words[word].fetch_and(!mask, Ordering::Release);
            }
        }
    }

    /// False past the bitmap (an origin grown since): the caller then asks the map.
    fn get(&self, chunk: u64) -> bool {
        self.page(chunk)
            .and_then(|(page, word, mask)| Some(page.get()?[word].load(Ordering::Acquire) & mask))
            .is_some_and(|bits| bits != 0)
    }
}

/// Sharded map from origin chunk to [`Target`].
pub(crate) struct ExceptionTable {
    shards: Box<[RwLock<ChunkMap<Target>>]>,
    presence: Presence,
    /// Changed under the chunk's shard lock: cleared before the map loses a durable
    /// target and set after it gains one, so a set bit always tells the truth.
    settled: Settled,
    len: AtomicU64,
}

impl Default for ExceptionTable {
    /// A table with no presence summary: every lookup probes the map.
    fn default() -> Self {
        ExceptionTable::new(0)
    }
}

fn shard_of(chunk: u64) -> usize {
    ((chunk ^ (chunk >> 6)) as usize) % SHARDS
}

impl ExceptionTable {
    /// A table for an origin of `chunks` chunks; chunks past them (after the origin
    /// grows) are looked up in the map alone.
    pub fn new(chunks: u64) -> ExceptionTable {
        ExceptionTable {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            presence: Presence::new(chunks),
            settled: Settled::new(chunks),
            len: AtomicU64::new(0),
        }
    }

    fn read(&self, chunk: u64) -> RwLockReadGuard<'_, ChunkMap<Target>> {
        self.shards[shard_of(chunk)]
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self, chunk: u64) -> RwLockWriteGuard<'_, ChunkMap<Target>> {
        self.shards[shard_of(chunk)]
            .write()
            .unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, chunk: u64) -> Option<Target> {
        if !self.presence.may_have(chunk) {
            return None;
        }
        self.read(chunk).get(&chunk).copied()
    }

    /// Whether `chunk` has a durable exception: the data path's question, answered
    /// without a lock when the chunk is settled.
    pub fn durable(&self, chunk: u64) -> bool {
        self.settled(chunk) || self.get(chunk).is_some_and(|t| t.durable)
    }

    /// True only if `chunk` has a durable exception; false may still have one (past the
    /// bitmap, or set a moment ago), so false means "ask [`ExceptionTable::get`]".
    pub fn settled(&self, chunk: u64) -> bool {
        self.settled.get(chunk)
    }

    /// Sets the target of `chunk`, returning the one it replaces. The presence bit is set
    /// first, so a lookup that follows the insert always reaches the map.
    pub fn insert(&self, chunk: u64, target: Target) -> Option<Target> {
        self.presence.set(chunk);
        let mut shard = self.write(chunk);
        if !target.durable {
            self.settled.clear(chunk);
        }
        let old = shard.insert(chunk, target);
        if target.durable {
            self.settled.set(chunk);
        }
        drop(shard);
        if old.is_none() {
            self.len.fetch_add(1, Ordering::Relaxed);
        }
        old
    }

    /// Sets the merge mark of an existing exception; true if it had another mark.
    pub fn mark(&self, chunk: u64, mark: MergeMark) -> bool {
        match self.write(chunk).get_mut(&chunk) {
            Some(t) => std::mem::replace(&mut t.merge, mark) != mark,
            None => false,
        }
    }

    /// Marks the exception of `chunk` durable if it still points at `store`/`at`.
    pub fn mark_durable(&self, chunk: u64, store: u32, at: u64) {
        let mut shard = self.write(chunk);
        if let Some(t) = shard.get_mut(&chunk) {
            if t.store == store && t.chunk == at {
                t.durable = true;
                self.settled.set(chunk);
            }
        }
    }

    /// Distinct origin chunks with an exception.
    pub fn len(&self) -> u64 {
        self.len.load(Ordering::Relaxed)
    }

    /// Every exception, sorted by origin chunk.
    pub fn sorted(&self) -> Vec<(u64, Target)> {
        let mut out = Vec::with_capacity(self.len() as usize);
        for shard in self.shards.iter() {
            let map = shard.read().unwrap_or_else(|p| p.into_inner());
            out.extend(map.iter().map(|(&k, &v)| (k, v)));
        }
        out.sort_unstable_by_key(|&(k, _)| k);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn presence_shares_bits_only_past_its_size() {
        let p = Presence::new(3 * PRESENCE_BITS + 1);
        assert_eq!(p.shift, 2);
        p.set(8);
        assert!(p.may_have(8) && p.may_have(11) && !p.may_have(12) && !p.may_have(7));
        assert!(
            p.may_have(4 * PRESENCE_BITS),
            "past the summary: look it up"
        );
        let small = Presence::new(10);
        assert_eq!((small.shift, small.words.len()), (0, 1));
    }

    proptest! {
        /// The sharded table behaves as a plain ordered map under any sequence of inserts
        /// and merge marks.
        #[test]
        fn table_matches_a_btreemap(chunks in 0u64..700, ops in proptest::collection::vec(
            (0u64..500, 0u32..4, 0u64..8, 0u8..4), 0..400)) {
            let table = ExceptionTable::new(chunks);
            let mut model: BTreeMap<u64, Target> = BTreeMap::new();
            for (chunk, store, at, op) in ops {
                match op {
                    0 => {
                        let changed = table.mark(chunk, MergeMark::Durable);
                        let want =
                            model.get(&chunk).is_some_and(|t| t.merge != MergeMark::Durable);
                        prop_assert_eq!(changed, want);
                        if let Some(t) = model.get_mut(&chunk) {
                            t.merge = MergeMark::Durable;
                        }
                    }
                    1 => {
                        table.mark_durable(chunk, store, at);
                        if let Some(t) = model.get_mut(&chunk) {
                            t.durable |= t.store == store && t.chunk == at;
                        }
                    }
                    _ => {
                        let mut t = Target::new(store, at);
                        t.durable = op == 3;
                        prop_assert_eq!(table.insert(chunk, t), model.insert(chunk, t));
                    }
                }
                prop_assert_eq!(table.len(), model.len() as u64);
            }
            for c in 0..600 {
                prop_assert_eq!(table.get(c), model.get(&c).copied());
                let durable = model.get(&c).is_some_and(|t| t.durable);
                prop_assert_eq!(table.durable(c), durable, "chunk {}", c);
                if c < chunks {
                    prop_assert_eq!(table.settled(c), durable, "bit of chunk {}", c);
                }
            }
            let want: Vec<(u64, Target)> = model.into_iter().collect();
            prop_assert_eq!(table.sorted(), want);
        }
    }
}
