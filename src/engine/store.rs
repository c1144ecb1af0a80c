//! One snapshot's exception store on disk: creating it, replaying its log, allocating its
//! chunks and planning the blocks each commit appends. The byte layout is in
//! `format::cow` and docs/format-snapshot.md; this module decides where blocks go.

use super::host::{EngineError, EngineResult};
use super::linear::{LinearVolume, Piece};
use super::volume::Volume;
use crate::block::BlockDevice;
use crate::format::cow::{self, Entry, LogSector, StoreHeader, FLAG_INVALID, SECTOR};
use crate::format::id::Id;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// Physical and accounted use of a store, in chunks.
#[derive(Debug, Clone)]
struct Space {
    /// Next chunk never handed out: everything below is header, areas or data.
    next: u64,
    /// Exceptions that point into other snapshots' stores; each may have to be taken over
    /// into this store one day, so each is accounted as used here.
    borrowed: u64,
    total: u64,
    /// Chunks handed out whose copy failed (ENOSPC, EIO) and that no entry references;
    /// still counted in `next`, handed out again before `next` grows.
    returned: Vec<u64>,
}

/// Where the next commit's first sector goes, and the numbering it continues.
#[derive(Debug, Clone)]
struct LogCursor {
    area: u64,
    sector: u32,
    seqno: u64,
    /// An area allocated for a commit that failed, reused by the retry.
    spare_area: Option<u64>,
    nonce_state: u64,
}

/// Header fields that change while the snapshot lives.
#[derive(Debug, Clone)]
pub(crate) struct HeaderState {
    pub seqno: u64,
    pub flags: u32,
    pub merge_total: u64,
    pub merged: u64,
    compat: (u32, u32, u32),
}

/// What replaying a store's log produced.
pub(crate) struct Replay {
    pub header: StoreHeader,
    /// Entries of every complete commit, in commit order.
    pub entries: Vec<Entry>,
}

/// The blocks a commit writes to one store, planned before any is written.
pub(crate) struct PlannedLog {
    /// Contiguous runs: (store byte offset, bytes).
    pub writes: Vec<(u64, Vec<u8>)>,
    cursor: LogCursor,
}

/// The store ran out of room for its log: the snapshot overflows.
#[derive(Debug)]
pub(crate) struct StoreFull;

/// One snapshot's exception store.
pub(crate) struct ExceptionStore {
    pub snapshot: Id,
    pub origin: Id,
    pub store_id: u32,
    pub chunk_size: u64,
    pub generation: u64,
    area_sectors: u32,
    area_chunks: u64,
    vol: LinearVolume,
    pieces: RwLock<Vec<Piece>>,
    space: Mutex<Space>,
    log: Mutex<LogCursor>,
    header: Mutex<HeaderState>,
    /// The header names read-only-compatible features this rvm does not know.
    pub needs_read_only: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn random_u64() -> u64 {
    let b = uuid::Uuid::new_v4().into_bytes();
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

fn next_nonce(state: &mut u64) -> u32 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) as u32
}

/// Smallest store for a chunk size: header, the first area, one spare area, one chunk.
pub fn min_store_bytes(chunk_size: u64) -> u64 {
    let area = area_chunks(chunk_size);
    (2 + 2 * area) * chunk_size
}

/// A store that can hold an exception for every chunk of an origin of `origin_bytes`, and
/// log two for each (a borrowed copy, then its own: see `Core::hand_over`), in the worst
/// case of one exception per commit (each commit starts a new log sector): header, data,
/// log areas and the spare area. What `-l 100%ORIGIN` asks for.
pub fn max_store_bytes(origin_bytes: u64, chunk_size: u64) -> u64 {
    let data = origin_bytes.div_ceil(chunk_size);
    let area = area_chunks(chunk_size);
    let sectors_per_area = cow::area_sectors(chunk_size) as u64;
    let areas = (2 * data).div_ceil(sectors_per_area).max(1);
    (2 + data + (areas + 1) * area) * chunk_size
}

fn area_chunks(chunk_size: u64) -> u64 {
    cow::area_sectors(chunk_size) as u64 * SECTOR as u64 / chunk_size
}

/// Every distinct device of a map, so that one flush per device serves it.
pub(crate) fn distinct_devices(pieces: &[Piece], out: &mut Vec<Arc<dyn BlockDevice>>) {
    for p in pieces {
        if !out.iter().any(|d| same_device(d, &p.device)) {
            out.push(p.device.clone());
        }
    }
}

pub(crate) fn same_device(a: &Arc<dyn BlockDevice>, b: &Arc<dyn BlockDevice>) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

impl ExceptionStore {
    fn build(
        h: &StoreHeader,
        snapshot: Id,
        origin: Id,
        pieces: Vec<Piece>,
        identity: [u8; 32],
    ) -> EngineResult<ExceptionStore> {
        let vol = LinearVolume::new(pieces.clone(), identity, false)?;
        let chunk_size = h.chunk_size as u64;
        let total = vol.size() / chunk_size;
        let areas = area_chunks(chunk_size);
        Ok(ExceptionStore {
            snapshot,
            origin,
            store_id: h.store_id,
            chunk_size,
            generation: h.generation,
            area_sectors: h.area_sectors,
            area_chunks: areas,
            vol,
            pieces: RwLock::new(pieces),
            space: Mutex::new(Space {
                next: 1 + areas,
                borrowed: 0,
                total,
                returned: Vec::new(),
            }),
            log: Mutex::new(LogCursor {
                area: 1,
                sector: 0,
                seqno: 0,
                spare_area: None,
                nonce_state: random_u64(),
            }),
            header: Mutex::new(HeaderState {
                seqno: h.seqno,
                flags: h.flags,
                merge_total: h.merge_total,
                merged: h.merged,
                compat: (h.incompat, h.ro_compat, h.compat),
            }),
            needs_read_only: h.needs_read_only(),
        })
    }

    /// Initialises a new store durably: a fresh generation, a header, an empty second
    /// header slot and a zeroed first area, so nothing left on reused extents can be read
    /// as part of it. O(1) in the origin's size.
    pub fn create(
        snapshot: Id,
        origin: Id,
        store_id: u32,
        chunk_size: u64,
        pieces: Vec<Piece>,
    ) -> EngineResult<ExceptionStore> {
        Self::init(snapshot, origin, store_id, chunk_size, pieces, 0)
    }

    /// Initialises, invalid from its first header on, the store of a snapshot whose
    /// creation was cut short: a crash before a later commit must not leave it valid, a
    /// point in time it never had.
    pub fn create_invalid(
        snapshot: Id,
        origin: Id,
        store_id: u32,
        chunk_size: u64,
        pieces: Vec<Piece>,
    ) -> EngineResult<ExceptionStore> {
        Self::init(snapshot, origin, store_id, chunk_size, pieces, FLAG_INVALID)
    }

    fn init(
        snapshot: Id,
        origin: Id,
        store_id: u32,
        chunk_size: u64,
        pieces: Vec<Piece>,
        flags: u32,
    ) -> EngineResult<ExceptionStore> {
        cow::validate_chunk_size(chunk_size).map_err(EngineError::ChunkSize)?;
        let have: u64 = pieces.iter().map(|p| p.len).sum();
        let need = min_store_bytes(chunk_size);
        if have < need {
            return Err(EngineError::StoreTooSmall {
                have,
                need,
                chunk: chunk_size,
            });
        }
        let header = StoreHeader {
            generation: random_u64(),
            seqno: 2,
            snapshot: *snapshot.as_bytes(),
            origin: *origin.as_bytes(),
            chunk_size: chunk_size as u32,
            store_id,
            area_sectors: cow::area_sectors(chunk_size),
            flags,
            incompat: 0,
            ro_compat: 0,
            compat: 0,
            store_chunks: have / chunk_size,
            used_chunks: 1 + area_chunks(chunk_size),
            exceptions: 0,
            merge_total: 0,
            merged: 0,
            log_seqno: 0,
        };
        let store = Self::build(&header, snapshot, origin, pieces, *snapshot.as_bytes())?;
        let zeros = vec![0u8; (store.area_chunks * chunk_size) as usize];
        store.vol.write_at(&zeros, chunk_size, false)?;
        store
            .vol
            .write_at(&[0u8; SECTOR], cow::HEADER_SLOTS[1], false)?;
        store
            .vol
            .write_at(&cow::encode_header(&header, 0), cow::HEADER_SLOTS[0], false)?;
        store.vol.flush()?;
        Ok(store)
    }

    /// Opens an existing store and replays its log.
    pub fn open(
        snapshot: Id,
        origin: Id,
        store_id: u32,
        chunk_size: u64,
        pieces: Vec<Piece>,
    ) -> EngineResult<(ExceptionStore, Replay)> {
        let header = read_header(&pieces, &snapshot)?;
        if header.origin != *origin.as_bytes()
            || header.store_id != store_id
            || header.chunk_size as u64 != chunk_size
        {
            return Err(EngineError::ForeignStore {
                snapshot,
                found: format!(
                    "origin {}, store id {}, chunk size {}",
                    String::from_utf8_lossy(&header.origin),
                    header.store_id,
                    header.chunk_size
                ),
            });
        }
        let store = Self::build(&header, snapshot, origin, pieces, *snapshot.as_bytes())?;
        let entries = store.replay()?;
        Ok((store, Replay { header, entries }))
    }

    /// Reads the log from the first area, following area links, and keeps the entries of
    /// every complete commit up to the first sector that is not the next one expected.
    fn replay(&self) -> EngineResult<Vec<Entry>> {
        let cs = self.chunk_size;
        let total = lock(&self.space).total;
        let area_bytes = (self.area_chunks * cs) as usize;
        let mut area_buf = vec![0u8; area_bytes];
        let mut entries = Vec::new();
        let mut pending: Vec<LogSector> = Vec::new();
        let (mut area, mut sector) = (1u64, 0u32);
        let mut last_seqno = 0u64;
        let mut end = (1u64, 0u32);
        let mut high = 1 + self.area_chunks;
        let mut loaded = u64::MAX;
        loop {
            if area != loaded {
                if area < 1 || area + self.area_chunks > total {
                    break;
                }
                self.vol.read_at(&mut area_buf, area * cs)?;
                loaded = area;
            }
            let at = sector as usize * SECTOR;
            let location = area * cs + at as u64;
            let Ok(s) =
                cow::decode_log_sector(&area_buf[at..at + SECTOR], location, self.generation)
            else {
                break;
            };
            let fits = match pending.first() {
                None => s.index == 0 && s.seqno > last_seqno,
                Some(f) => {
                    s.seqno == f.seqno
                        && s.nonce == f.nonce
                        && s.count == f.count
                        && s.index as usize == pending.len()
                }
            };
            let last_in_area = sector + 1 == self.area_sectors;
            if !fits || (last_in_area && s.next_area == 0) || (!last_in_area && s.next_area != 0) {
                break;
            }
            if last_in_area {
                area = s.next_area;
                sector = 0;
            } else {
                sector += 1;
            }
            let complete = s.index + 1 == s.count;
            pending.push(s);
            if complete {
                last_seqno = pending[0].seqno;
                for p in pending.drain(..) {
                    entries.extend(p.entries);
                }
                end = (area, sector);
                high = high.max(area + self.area_chunks);
            }
        }
        let mut space = lock(&self.space);
        space.next = space.next.max(high);
        let mut log = lock(&self.log);
        log.area = end.0;
        log.sector = end.1;
        log.seqno = last_seqno;
        Ok(entries)
    }

    /// Raises the allocation mark past a chunk that a durable entry (of any snapshot)
    /// references, so it is never handed out again.
    pub fn note_reference(&self, chunk: u64) {
        let mut s = lock(&self.space);
        s.next = s.next.max(chunk + 1);
    }

    /// Takes a data chunk, keeping one area's worth free so the log can always grow.
    pub fn alloc(&self) -> Option<u64> {
        let mut s = lock(&self.space);
        if let Some(z) = s.returned.pop() {
            return Some(z);
        }
        if s.next + s.borrowed + 1 + self.area_chunks > s.total {
            return None;
        }
        s.next += 1;
        Some(s.next - 1)
    }

    /// Gives back a chunk from [`ExceptionStore::alloc`] that no entry will reference
    /// because writing it failed. Without this, a client retrying writes on a full or
    /// failing PV would use the store up one chunk per attempt, and the snapshot would
    /// overflow (durably invalid) without ever holding more data.
    pub fn release(&self, chunk: u64) {
        let mut s = lock(&self.space);
        if s.next == chunk + 1 {
            s.next -= 1;
        } else {
            s.returned.push(chunk);
        }
    }

    /// Accounts one more exception that points into another store.
    pub fn borrow(&self) -> bool {
        let mut s = lock(&self.space);
        if s.next + s.borrowed + 1 + self.area_chunks > s.total {
            return false;
        }
        s.borrowed += 1;
        true
    }

    /// Drops the accounting of a borrowed exception (it was taken over or replaced).
    pub fn unborrow(&self) {
        let mut s = lock(&self.space);
        s.borrowed = s.borrowed.saturating_sub(1);
    }

    /// Undoes [`ExceptionStore::unborrow`] when the replacement did not happen.
    pub fn reborrow(&self) {
        lock(&self.space).borrowed += 1;
    }

    /// Counts borrowed exceptions found while loading.
    pub fn set_borrowed(&self, n: u64) {
        lock(&self.space).borrowed = n;
    }

    /// (used, total) in chunks, as Data% reports them.
    pub fn usage(&self) -> (u64, u64) {
        let s = lock(&self.space);
        ((s.next + s.borrowed).min(s.total), s.total)
    }

    pub fn read(&self, chunk: u64, within: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.vol
            .read_at(buf, chunk * self.chunk_size + within)
            .map_err(volume_to_io)
    }

    pub fn write(&self, chunk: u64, within: u64, buf: &[u8]) -> std::io::Result<()> {
        self.vol
            .write_at(buf, chunk * self.chunk_size + within, false)
            .map_err(volume_to_io)
    }

    /// Every piece of the store still lies inside its device (see `linear::check_fit`).
    pub fn check_fit(&self) -> super::volume::VolumeResult<()> {
        super::linear::check_fit(&self.pieces.read().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn devices(&self, out: &mut Vec<Arc<dyn BlockDevice>>) {
        let pieces = self.pieces.read().unwrap_or_else(|p| p.into_inner());
        distinct_devices(&pieces, out);
    }

    /// Accepts a bigger map (lvextend, auto-extend) while I/O goes on.
    pub fn resize(&self, pieces: Vec<Piece>) -> EngineResult<()> {
        let have = self.vol.size();
        let want: u64 = pieces.iter().map(|p| p.len).sum();
        if want < have {
            return Err(EngineError::StoreShrink { have, want });
        }
        self.vol.remap(pieces.clone())?;
        *self.pieces.write().unwrap_or_else(|p| p.into_inner()) = pieces;
        lock(&self.space).total = want / self.chunk_size;
        Ok(())
    }

    pub fn size_bytes(&self) -> u64 {
        self.vol.size()
    }

    /// Plans the sectors of one commit of `entries`, allocating a new area whenever a
    /// sector is the last of its area. Nothing is written and nothing is final until
    /// [`ExceptionStore::commit_done`].
    pub fn plan(&self, entries: &[Entry]) -> Result<PlannedLog, StoreFull> {
        let mut log = lock(&self.log);
        let mut cur = log.clone();
        let mut writes: Vec<(u64, Vec<u8>)> = Vec::new();
        let per_commit = u16::MAX as usize * cow::ENTRIES_PER_SECTOR;
        for group in entries.chunks(per_commit) {
            let count = group.len().div_ceil(cow::ENTRIES_PER_SECTOR);
            cur.seqno += 1;
            let nonce = next_nonce(&mut cur.nonce_state);
            for (index, part) in group.chunks(cow::ENTRIES_PER_SECTOR).enumerate() {
                let location = cur.area * self.chunk_size + cur.sector as u64 * SECTOR as u64;
                let last_in_area = cur.sector + 1 == self.area_sectors;
                let next_area = if last_in_area {
                    match cur.spare_area {
                        Some(a) => a,
                        None => {
                            let a = self.alloc_area().ok_or(StoreFull)?;
                            cur.spare_area = Some(a);
                            log.spare_area = Some(a);
                            a
                        }
                    }
                } else {
                    0
                };
                let block = cow::encode_log_sector(&LogSector {
                    location,
                    generation: self.generation,
                    seqno: cur.seqno,
                    nonce,
                    index: index as u16,
                    count: count as u16,
                    next_area,
                    entries: part.to_vec(),
                })
                .map_err(|_| StoreFull)?;
                match writes.last_mut() {
                    Some((off, bytes)) if *off + bytes.len() as u64 == location => {
                        bytes.extend_from_slice(&block)
                    }
                    _ => writes.push((location, block.to_vec())),
                }
                if last_in_area {
                    cur.area = next_area;
                    cur.sector = 0;
                    cur.spare_area = None;
                } else {
                    cur.sector += 1;
                }
            }
        }
        log.nonce_state = cur.nonce_state;
        Ok(PlannedLog {
            writes,
            cursor: cur,
        })
    }

    fn alloc_area(&self) -> Option<u64> {
        let mut s = lock(&self.space);
        if s.next + s.borrowed + self.area_chunks > s.total {
            return None;
        }
        s.next += self.area_chunks;
        Some(s.next - self.area_chunks)
    }

    /// Writes a planned commit's sectors (the caller flushes).
    pub fn write_planned(&self, plan: &PlannedLog) -> std::io::Result<()> {
        for (off, bytes) in &plan.writes {
            self.vol
                .write_at(bytes, *off, false)
                .map_err(volume_to_io)?;
        }
        Ok(())
    }

    /// The planned commit is durable: later commits go after it.
    pub fn commit_done(&self, plan: PlannedLog) {
        let mut log = lock(&self.log);
        let nonce_state = log.nonce_state;
        *log = plan.cursor;
        log.nonce_state = nonce_state;
    }

    pub fn log_seqno(&self) -> u64 {
        lock(&self.log).seqno
    }

    /// Current header state.
    pub fn header_state(&self) -> HeaderState {
        lock(&self.header).clone()
    }

    /// Changes header state in memory; the next commit writes it.
    pub fn update_header(&self, f: impl FnOnce(&mut HeaderState)) {
        f(&mut lock(&self.header));
    }

    /// Encodes the next header (into the slot not holding the current one) with the given
    /// counts; returns its slot offset, bytes and sequence number.
    pub fn next_header(
        &self,
        exceptions: u64,
        plan: Option<&PlannedLog>,
    ) -> (u64, [u8; SECTOR], u64) {
        let seqno = lock(&self.header).seqno + 1;
        let (slot, block) = self.header_block(seqno, exceptions, plan);
        (slot, block, seqno)
    }

    /// Encodes the header with sequence number `seqno` for its slot (`seqno` mod 2).
    pub fn header_block(
        &self,
        seqno: u64,
        exceptions: u64,
        plan: Option<&PlannedLog>,
    ) -> (u64, [u8; SECTOR]) {
        let st = lock(&self.header).clone();
        let (used, total) = self.usage();
        let h = StoreHeader {
            generation: self.generation,
            seqno,
            snapshot: *self.snapshot.as_bytes(),
            origin: *self.origin.as_bytes(),
            chunk_size: self.chunk_size as u32,
            store_id: self.store_id,
            area_sectors: self.area_sectors,
            flags: st.flags,
            incompat: st.compat.0,
            ro_compat: st.compat.1,
            compat: st.compat.2,
            store_chunks: total,
            used_chunks: used,
            exceptions,
            merge_total: st.merge_total,
            merged: st.merged.min(st.merge_total),
            log_seqno: plan.map_or_else(|| self.log_seqno(), |p| p.cursor.seqno),
        };
        let slot = cow::HEADER_SLOTS[(seqno % 2) as usize];
        (slot, cow::encode_header(&h, slot))
    }

    /// Writes a header block produced by [`ExceptionStore::next_header`] (no flush).
    pub fn write_header(&self, slot: u64, block: &[u8; SECTOR]) -> std::io::Result<()> {
        self.vol.write_at(block, slot, false).map_err(volume_to_io)
    }

    /// A header write with this sequence number is durable.
    pub fn header_done(&self, seqno: u64) {
        let mut h = lock(&self.header);
        h.seqno = h.seqno.max(seqno);
    }
}

pub(crate) fn volume_to_io(e: super::volume::VolumeError) -> std::io::Error {
    match e {
        super::volume::VolumeError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    }
}

/// Reads the newer valid header slot of the store mapped by `pieces`; only its first
/// kilobyte is read, so reports stay cheap.
pub(crate) fn read_header(pieces: &[Piece], snapshot: &Id) -> EngineResult<StoreHeader> {
    let first = pieces
        .iter()
        .find(|p| p.lv_offset == 0 && p.len >= 2 * SECTOR as u64)
        .ok_or(EngineError::NoHeader(*snapshot))?;
    let mut buf = [0u8; 2 * SECTOR];
    first
        .device
        .read_at(&mut buf, first.dev_offset)
        .map_err(EngineError::io)?;
    let mut best: Option<StoreHeader> = None;
    let mut refusal = None;
    for (i, &slot) in cow::HEADER_SLOTS.iter().enumerate() {
        let bytes = &buf[i * SECTOR..(i + 1) * SECTOR];
        match cow::decode_header(bytes, slot) {
            Ok(h) if h.snapshot == *snapshot.as_bytes() => {
                if best.as_ref().is_none_or(|b| h.seqno > b.seqno) {
                    best = Some(h);
                }
            }
            Ok(_) => {}
            Err(e @ cow::CowError::UnknownFeatures { .. }) => refusal = Some(e),
            Err(_) => {}
        }
    }
    // A slot a newer rvm wrote with features this one lacks wins over an older slot it
    // could read: using the older one would silently roll the store back.
    match (best, refusal) {
        (_, Some(e)) => Err(EngineError::Store {
            snapshot: *snapshot,
            source: e,
        }),
        (Some(h), None) => Ok(h),
        (None, None) => Err(EngineError::NoHeader(*snapshot)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::MemDevice;
    use proptest::prelude::*;

    fn store(pieces: &[Piece], create: bool) -> (ExceptionStore, Vec<Entry>) {
        let (snap, origin) = (
            Id::from_bytes(&[b'S'; 32]).unwrap(),
            Id::from_bytes(&[b'O'; 32]).unwrap(),
        );
        if create {
            let s = ExceptionStore::create(snap, origin, 1, 4096, pieces.to_vec()).unwrap();
            (s, Vec::new())
        } else {
            let (s, r) = ExceptionStore::open(snap, origin, 1, 4096, pieces.to_vec()).unwrap();
            (s, r.entries)
        }
    }

    fn commit(s: &ExceptionStore, entries: &[Entry]) {
        let plan = s.plan(entries).unwrap();
        s.write_planned(&plan).unwrap();
        s.commit_done(plan);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        /// Commits of any sizes, across area links and reopens, replay to exactly the
        /// entries committed, in order; a commit planned but never written is not there.
        #[test]
        fn the_log_replays_what_was_committed(
            sizes in proptest::collection::vec(1usize..400, 1..12),
            reopen_every in 1usize..5,
        ) {
            let dev: Arc<dyn BlockDevice> = Arc::new(MemDevice::new("pv", 8 << 20));
            let pieces = vec![Piece { device: dev, lv_offset: 0, dev_offset: 0, len: 8 << 20 }];
            let (mut s, _) = store(&pieces, true);
            let mut all = Vec::new();
            let mut n = 0u64;
            for (i, size) in sizes.iter().enumerate() {
                let entries: Vec<Entry> = (0..*size)
                    .map(|_| {
                        n += 1;
                        Entry::Exception { origin_chunk: n, store_id: 1, store_generation: s.generation, store_chunk: n + 40 }
                    })
                    .collect();
                commit(&s, &entries);
                all.extend(entries);
                if i % reopen_every == 0 {
                    let (again, replayed) = store(&pieces, false);
                    prop_assert_eq!(&replayed, &all);
                    s = again;
                }
            }
            // Planned but never written: invisible.
            let _ = s.plan(&[Entry::Merged { origin_chunk: 1 }]).unwrap();
            let (_, replayed) = store(&pieces, false);
            prop_assert_eq!(replayed, all);
        }
    }

    /// A chunk whose copy failed goes back: failures, however many, use no space.
    #[test]
    fn released_chunks_are_handed_out_again() {
        let dev: Arc<dyn BlockDevice> = Arc::new(MemDevice::new("pv", 1 << 20));
        let pieces = vec![Piece {
            device: dev,
            lv_offset: 0,
            dev_offset: 0,
            len: 1 << 20,
        }];
        let (s, _) = store(&pieces, true);
        let before = s.usage();
        for _ in 0..1000 {
            let z = s.alloc().unwrap();
            s.release(z);
        }
        assert_eq!(s.usage(), before);
        // Out of order: the earlier chunk is reused before the mark moves on.
        let (a, b) = (s.alloc().unwrap(), s.alloc().unwrap());
        s.release(a);
        assert_eq!(s.alloc(), Some(a));
        assert_eq!(s.alloc(), Some(b + 1));
    }
}
