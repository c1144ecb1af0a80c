//! The data path: origin reads and writes with copy-on-write, snapshot reads through the
//! exception table, writable snapshots, and the merge's view of the origin.

use super::core::{Core, HeldUnit, Snap, State};
use super::table::{MergeMark, Target};
use super::volume::{check_bounds, Volume, VolumeError, VolumeResult};
use crate::format::cow::Entry;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Chunks of `size` bytes overlapping `[start, end)`.
pub(crate) fn chunks(start: u64, end: u64, size: u64) -> std::ops::Range<u64> {
    start / size..end.div_ceil(size)
}

fn extend(h: &mut HeldUnit, lo: usize, hi: usize) {
    h.lo = h.lo.min(lo);
    h.hi = h.hi.max(hi);
}

/// How a unit write was dealt with.
enum UnitWrite {
    /// Written, or held until its exceptions commit.
    Done,
    /// May go straight to the origin; the caller writes it.
    Direct,
}

/// Contiguous unit writes that go straight to the origin, with the locks of their units
/// held until the one write that makes them all.
#[derive(Default)]
struct DirectRun<'a> {
    /// The run's bytes in the caller's buffer.
    lo: usize,
    hi: usize,
    guards: Vec<std::sync::RwLockWriteGuard<'a, ()>>,
}

impl<'a> DirectRun<'a> {
    fn add(&mut self, lo: usize, hi: usize, guard: std::sync::RwLockWriteGuard<'a, ()>) {
        if self.guards.is_empty() {
            self.lo = lo;
        }
        self.hi = hi;
        self.guards.push(guard);
    }

    /// Makes the run's write (`buf` is written at `off`) and releases its locks.
    fn write(&mut self, core: &Core, buf: &[u8], off: u64) -> VolumeResult<()> {
        if self.guards.is_empty() {
            return Ok(());
        }
        let r = core
            .origin
            .write_at(&buf[self.lo..self.hi], off + self.lo as u64, false);
        self.guards.clear();
        r
    }
}

/// A copy of origin chunk `c` that `lacking` (oldest first) all need.
struct Cow {
    chunk: u64,
    chunk_size: u64,
    lacking: Vec<Arc<Snap>>,
}

impl Core {
    fn gate(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads where a snapshot's exception points.
    pub(crate) fn read_target(
        &self,
        st: &State,
        t: Target,
        within: u64,
        buf: &mut [u8],
    ) -> VolumeResult<()> {
        let owner = st.store(t.store).ok_or(VolumeError::Invalid)?;
        Ok(owner.store.read(t.chunk, within, buf)?)
    }

    pub fn origin_read(&self, buf: &mut [u8], off: u64) -> VolumeResult<()> {
        let _g = self.gate();
        let len = buf.len() as u64;
        check_bounds(self.origin.size(), off, len)?;
        let st = self.state();
        if st.snaps.is_empty() {
            return self.origin.read_at(buf, off);
        }
        let end = off + len;
        // During a merge, chunks not merged yet read as the merging snapshot. Marks are
        // read before held units: a chunk leaves "not merged" only after its merged data
        // is held or on disk.
        let mut from_snap: Vec<(u64, u64, Target)> = Vec::new();
        if let Some(m) = &st.merging {
            let cs = m.chunk_size();
            for c in chunks(off, end, cs) {
                if let Some(t) = m.table.get(c) {
                    if t.merge == MergeMark::No {
                        let s = off.max(c * cs);
                        let e = end.min((c + 1) * cs);
                        from_snap.push((s, e, t));
                    }
                }
            }
        }
        // Held data is captured before the disk is read: a unit released in between is on
        // disk by the time it leaves the held map.
        let mut overlays: Vec<(usize, Vec<u8>)> = Vec::new();
        if self.held.any() {
            for u in chunks(off, end, st.unit) {
                let shard = self.held.shard(u);
                if let Some(h) = shard.get(&u) {
                    let base = u * st.unit;
                    let s = off.max(base);
                    let e = end.min(base + h.image.len() as u64);
                    if s < e {
                        let img = &h.image[(s - base) as usize..(e - base) as usize];
                        overlays.push(((s - off) as usize, img.to_vec()));
                    }
                }
            }
        }
        self.origin.read_at(buf, off)?;
        if let Some(m) = &st.merging {
            for (s, e, t) in from_snap {
                let within = s - (s / m.chunk_size()) * m.chunk_size();
                let dst = &mut buf[(s - off) as usize..(e - off) as usize];
                self.read_target(&st, t, within, dst)?;
            }
        }
        for (at, data) in overlays {
            buf[at..at + data.len()].copy_from_slice(&data);
        }
        Ok(())
    }

    pub fn origin_write(&self, buf: &[u8], off: u64, fua: bool) -> VolumeResult<()> {
        {
            let _g = self.gate();
            if self.read_only.load(Ordering::Acquire) {
                return Err(VolumeError::ReadOnly);
            }
            check_bounds(self.origin.size(), off, buf.len() as u64)?;
            let st = self.state();
            if st.snaps.is_empty() {
                self.origin.write_at(buf, off, false)?;
            } else {
                self.write_units(&st, buf, off)?;
            }
        }
        self.after_write()?;
        if fua {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes `buf` at `off` unit by unit. Units whose chunks every snapshot already holds
    /// durably go straight to disk, and a run of them goes in one write, made while their
    /// locks are held. A lock that is not free ends the run first: this never waits for a
    /// lock while holding another, so it cannot deadlock with the merge or with itself.
    fn write_units(&self, st: &State, buf: &[u8], off: u64) -> VolumeResult<()> {
        /// Most bytes in one run, bounding how long its locks are held.
        const MAX_RUN: usize = 8 << 20;
        let end = off + buf.len() as u64;
        let mut run = DirectRun::default();
        for u in chunks(off, end, st.unit) {
            let base = u * st.unit;
            let (s, e) = (off.max(base), end.min(base + st.unit));
            let (lo, hi) = ((s - off) as usize, (e - off) as usize);
            let lock = self.unit_lock(u);
            let guard = match lock.try_write() {
                Ok(g) => g,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    run.write(self, buf, off)?;
                    lock.write().unwrap_or_else(|p| p.into_inner())
                }
            };
            match self.write_unit_locked(st, u, (s - base) as usize, &buf[lo..hi], true) {
                Ok(UnitWrite::Direct) => {
                    run.add(lo, hi, guard);
                    if run.hi - run.lo >= MAX_RUN {
                        run.write(self, buf, off)?;
                    }
                }
                Ok(UnitWrite::Done) => {
                    // The run must not cover this unit's bytes: they went elsewhere.
                    drop(guard);
                    run.write(self, buf, off)?;
                }
                Err(e) => {
                    drop(guard);
                    run.write(self, buf, off)?;
                    return Err(e);
                }
            }
        }
        run.write(self, buf, off)
    }

    /// Writes `data` at byte `a` of unit `u`: straight to disk when every snapshot already
    /// has a durable exception, else into a held image after copying what they lack.
    pub(crate) fn write_unit(&self, st: &State, u: u64, a: usize, data: &[u8]) -> VolumeResult<()> {
        let _l = self.unit_lock(u).write().unwrap_or_else(|p| p.into_inner());
        self.write_unit_locked(st, u, a, data, false).map(|_| ())
    }

    /// [`Core::write_unit`] with the unit's lock held by the caller. With `defer`, a write
    /// that may go straight to disk is not made but answered [`UnitWrite::Direct`], for the
    /// caller to make together with its neighbours' while it still holds the lock.
    fn write_unit_locked(
        &self,
        st: &State,
        u: u64,
        a: usize,
        data: &[u8],
        defer: bool,
    ) -> VolumeResult<UnitWrite> {
        let g = st.unit;
        let base = u * g;
        let ulen = g.min(self.origin.size() - base) as usize;
        let b = a + data.len();
        let held_now = self.held.any() && self.held.shard(u).contains_key(&u);
        let mut merge_now: Vec<(u64, Target)> = Vec::new();
        let mut wait_merge = false;
        if let Some(m) = &st.merging {
            let cs = m.chunk_size();
            for c in chunks(base, base + ulen as u64, cs) {
                match m.table.get(c) {
                    Some(t) if t.merge == MergeMark::No => merge_now.push((c, t)),
                    Some(t) if t.merge == MergeMark::Volatile => {
                        let (cs0, ce) = (c * cs - base, (c + 1) * cs - base);
                        wait_merge |= cs0 < b as u64 && ce > a as u64;
                    }
                    _ => {}
                }
            }
        }
        // A merge-first unit copies all of its unmerged chunks, so a held unit never
        // hides one from origin reads.
        let (ca, cb) = if merge_now.is_empty() {
            (base + a as u64, base + b as u64)
        } else {
            (base, base + ulen as u64)
        };
        let mut cows: Vec<Cow> = Vec::new();
        let mut undurable = false;
        for s in st.snaps.iter().filter(|s| s.is_live()) {
            let cs = s.chunk_size();
            for c in chunks(ca, cb, cs) {
                if s.table.settled(c) {
                    continue;
                }
                match s.table.get(c) {
                    None => match cows.iter_mut().find(|w| w.chunk == c && w.chunk_size == cs) {
                        Some(w) => w.lacking.push(s.clone()),
                        None => cows.push(Cow {
                            chunk: c,
                            chunk_size: cs,
                            lacking: vec![s.clone()],
                        }),
                    },
                    Some(t) => undurable |= !t.durable,
                }
            }
        }
        // Snapshots invalidated since the last commit: this write is held until their
        // header says so, and joins that commit with their header (see `Snap::invalidate`).
        let unsaved: Vec<Arc<Snap>> = st
            .snaps
            .iter()
            .filter(|s| s.invalid_unsaved())
            .cloned()
            .collect();
        undurable |= !unsaved.is_empty();
        if cows.is_empty() && merge_now.is_empty() && !wait_merge && !undurable {
            if held_now {
                let mut shard = self.held.shard(u);
                if let Some(h) = shard.get_mut(&u) {
                    h.image[a..b].copy_from_slice(data);
                    extend(h, a, b);
                    return Ok(UnitWrite::Done);
                }
            }
            if defer {
                return Ok(UnitWrite::Direct);
            }
            self.origin.write_at(data, base + a as u64, false)?;
            return Ok(UnitWrite::Done);
        }
        let mut held = match self.held.take(u) {
            Some(h) => h,
            None => {
                let mut image = vec![0u8; ulen];
                self.origin.read_at(&mut image, base)?;
                HeldUnit {
                    image,
                    lo: usize::MAX,
                    hi: 0,
                    batch: 0,
                    merged: Vec::new(),
                }
            }
        };
        let mut entries = Vec::new();
        let mut headers = unsaved;
        let mut marks = Vec::new();
        let mut res = Ok(());
        for w in &cows {
            let lo = (w.chunk * w.chunk_size - base) as usize;
            let hi = (lo + w.chunk_size as usize).min(ulen);
            res = self.cow_chunk(w, &held.image[lo..hi], &mut entries, &mut headers);
            if res.is_err() {
                break;
            }
        }
        if res.is_ok() {
            if let Some(m) = &st.merging {
                let cs = m.chunk_size();
                for &(c, t) in &merge_now {
                    let lo = (c * cs - base) as usize;
                    let hi = (lo + cs as usize).min(ulen);
                    res = self.read_target(st, t, 0, &mut held.image[lo..hi]);
                    if res.is_err() {
                        break;
                    }
                    marks.push(c);
                    held.merged.push(c);
                    extend(&mut held, lo, hi);
                }
            }
        }
        if res.is_ok() {
            held.image[a..b].copy_from_slice(data);
            extend(&mut held, a, b);
        }
        if held.lo < held.hi {
            held.batch = self.register(entries, headers, Some(u));
            self.held.put(u, held);
        } else {
            self.register(entries, headers, None);
        }
        // Merged chunks leave "not merged" only once their data is held, so origin reads
        // (which check marks first, then held units) never fall between the two.
        if let Some(m) = &st.merging {
            for c in marks {
                m.table.mark(c, MergeMark::Held);
            }
        }
        res.map(|_| UnitWrite::Done)
    }

    /// A data chunk for `s`, auto-extending its store if that is what it takes.
    fn alloc_for(&self, s: &Snap) -> Option<u64> {
        s.store
            .alloc()
            .or_else(|| self.try_extend(s).then(|| s.store.alloc()).flatten())
    }

    fn borrow_for(&self, s: &Snap) -> bool {
        s.store.borrow() || (self.try_extend(s) && s.store.borrow())
    }

    /// Copies one origin chunk once: into the newest snapshot lacking it that has room;
    /// the others borrow that copy. Snapshots with no room become invalid.
    ///
    /// Writable snapshots share like read-only ones: one that writes into a copy others
    /// borrow first hands it over to them ([`Core::hand_over`]), one that writes into a
    /// borrowed copy takes a chunk of its own, which borrowing reserved.
    fn cow_chunk(
        &self,
        w: &Cow,
        old: &[u8],
        entries: &mut Vec<(Arc<Snap>, Entry)>,
        headers: &mut Vec<Arc<Snap>>,
    ) -> VolumeResult<()> {
        let mut owner = None;
        for s in w.lacking.iter().rev() {
            if let Some(z) = self.alloc_for(s) {
                owner = Some((s.clone(), z));
                break;
            }
        }
        // The shared copy is written before anyone points at it; a chunk whose copy
        // failed goes back to the store.
        if let Some((o, z)) = &owner {
            if let Err(e) = o.store.write(*z, 0, old) {
                o.store.release(*z);
                return Err(e.into());
            }
            o.table.insert(w.chunk, Target::new(o.store_id(), *z));
            entries.push((o.clone(), Snap::exception(w.chunk, o, *z)));
        }
        let mut shared = false;
        for s in &w.lacking {
            if owner.as_ref().is_some_and(|(o, _)| Arc::ptr_eq(o, s)) {
                continue;
            }
            // Borrows the owner's copy (with no owner, it had no room for one either).
            match &owner {
                Some((o, z)) if self.borrow_for(s) => {
                    s.table.insert(w.chunk, Target::new(o.store_id(), *z));
                    entries.push((s.clone(), Snap::exception(w.chunk, o, *z)));
                    shared = true;
                }
                _ => {
                    s.invalidate();
                    headers.push(s.clone());
                }
            }
        }
        if let (Some((o, z)), true) = (&owner, shared) {
            super::core::lock(&o.shared).insert(*z, w.chunk);
        }
        Ok(())
    }

    fn snap_usable(s: &Snap) -> VolumeResult<()> {
        if s.removed.load(Ordering::Acquire) || s.is_merging() {
            return Err(VolumeError::Gone);
        }
        if !s.is_valid() {
            return Err(VolumeError::Invalid);
        }
        Ok(())
    }

    /// Reads a snapshot: chunks with an exception from where it points, the others from
    /// the origin, a run of them in one read while their units' locks are held (an origin
    /// write copies a chunk before changing it, under that lock). As on the write path,
    /// a lock that is not free ends the run before waiting.
    pub fn snap_read(&self, s: &Arc<Snap>, buf: &mut [u8], off: u64) -> VolumeResult<()> {
        /// Most units locked at once: far fewer than the stripes, so no stripe is taken
        /// twice.
        const MAX_UNITS: usize = 256;
        let _g = self.gate();
        Self::snap_usable(s)?;
        let end = off + buf.len() as u64;
        check_bounds(self.origin.size(), off, buf.len() as u64)?;
        let cs = s.chunk_size();
        if buf.is_empty() {
            return Self::snap_usable(s);
        }
        if off / cs == (end - 1) / cs {
            // One chunk, the common case: one lock and one lookup, nothing allocated,
            // and the state only for a chunk with an exception.
            let c = off / cs;
            let lock = self.unit_lock(c * cs / self.unit.load(Ordering::Acquire));
            let g = lock.read().unwrap_or_else(|p| p.into_inner());
            match s.table.get(c) {
                Some(t) => self.read_target(&self.state(), t, off - c * cs, buf)?,
                None => self.origin.read_at(buf, off)?,
            }
            drop(g);
            return Self::snap_usable(s);
        }
        let st = self.state();
        let mut guards = Vec::new();
        let mut locked = None;
        // Origin bytes [from, to) still to read, all under `guards`.
        let (mut from, mut to) = (off, off);
        let mut pos = off;
        while pos < end {
            let c = pos / cs;
            let within = pos - c * cs;
            let n = (cs - within).min(end - pos);
            let unit = c * cs / st.unit;
            if locked != Some(unit) {
                if guards.len() == MAX_UNITS {
                    self.origin_part(buf, off, from, to)?;
                    (from, to) = (pos, pos);
                    guards.clear();
                }
                let lock = self.unit_lock(unit);
                let g = match lock.try_read() {
                    Ok(g) => g,
                    Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(std::sync::TryLockError::WouldBlock) => {
                        self.origin_part(buf, off, from, to)?;
                        (from, to) = (pos, pos);
                        guards.clear();
                        lock.read().unwrap_or_else(|p| p.into_inner())
                    }
                };
                guards.push(g);
                locked = Some(unit);
            }
            match s.table.get(c) {
                Some(t) => {
                    self.origin_part(buf, off, from, to)?;
                    let part = &mut buf[(pos - off) as usize..(pos - off + n) as usize];
                    self.read_target(&st, t, within, part)?;
                    (from, to) = (pos + n, pos + n);
                }
                None => to = pos + n,
            }
            pos += n;
        }
        self.origin_part(buf, off, from, to)?;
        drop(guards);
        Self::snap_usable(s)
    }

    /// Reads origin bytes `[from, to)` into their place in `buf`, which starts at `off`.
    fn origin_part(&self, buf: &mut [u8], off: u64, from: u64, to: u64) -> VolumeResult<()> {
        if from == to {
            return Ok(());
        }
        let part = &mut buf[(from - off) as usize..(to - off) as usize];
        self.origin.read_at(part, from)
    }

    pub fn snap_write(&self, s: &Arc<Snap>, buf: &[u8], off: u64, fua: bool) -> VolumeResult<()> {
        {
            let _g = self.gate();
            Self::snap_usable(s)?;
            if s.read_only.load(Ordering::Acquire) {
                return Err(VolumeError::ReadOnly);
            }
            let end = off + buf.len() as u64;
            check_bounds(self.origin.size(), off, buf.len() as u64)?;
            let st = self.state();
            let cs = s.chunk_size();
            self.hand_over_range(&st, s, off, end)?;
            let mut pos = off;
            while pos < end {
                let c = pos / cs;
                let within = pos - c * cs;
                let n = (cs - within).min(end - pos);
                let data = &buf[(pos - off) as usize..(pos - off + n) as usize];
                let written = {
                    let _l = self
                        .unit_lock(c * cs / st.unit)
                        .write()
                        .unwrap_or_else(|p| p.into_inner());
                    self.snap_write_chunk(&st, s, c, within, data)?
                };
                if !written {
                    // The chunk was handed over to the snapshots borrowing it; it is
                    // written once their new exceptions are durable. (Committing takes
                    // unit locks, so not under this one.)
                    self.commit()?;
                    continue;
                }
                pos += n;
            }
        }
        self.after_write()?;
        if fua {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes into the snapshot's private copy of chunk `c`, making one first if the chunk
    /// has none or borrows another snapshot's. False if the write must wait: its own copy
    /// is lent, and has been handed over (or was already) to borrowers whose new exceptions
    /// are not durable yet.
    fn snap_write_chunk(
        &self,
        st: &State,
        s: &Arc<Snap>,
        c: u64,
        within: u64,
        data: &[u8],
    ) -> VolumeResult<bool> {
        let t = s.table.get(c);
        if let Some(t) = t.filter(|t| t.store == s.store_id()) {
            if !self.own_chunk_free(st, s, c, t.chunk)? {
                return Ok(false);
            }
            s.store.write(t.chunk, within, data)?;
            return Ok(true);
        }
        let borrowed = t.is_some_and(|t| t.store != s.store_id());
        if borrowed {
            s.store.unborrow();
        }
        let Some(z) = self.alloc_for(s) else {
            s.invalidate();
            self.register(Vec::new(), vec![s.clone()], None);
            return Err(VolumeError::Invalid);
        };
        let cs = s.chunk_size();
        let clen = cs.min(self.origin.size() - c * cs) as usize;
        let copied = if within == 0 && data.len() == clen {
            s.store.write(z, 0, data).map_err(VolumeError::from)
        } else {
            let mut chunk = vec![0u8; clen];
            match t {
                Some(t) => self.read_target(st, t, 0, &mut chunk),
                None => self.origin.read_at(&mut chunk, c * cs),
            }
            .and_then(|_| {
                chunk[within as usize..within as usize + data.len()].copy_from_slice(data);
                Ok(s.store.write(z, 0, &chunk)?)
            })
        };
        if let Err(e) = copied {
            // The table still points where it did: the chunk goes back, and a borrowed
            // target is accounted as borrowed again.
            s.store.release(z);
            if borrowed {
                s.store.reborrow();
            }
            return Err(e);
        }
        let mut nt = Target::new(s.store_id(), z);
        if let Some(t) = t {
            nt.merge = t.merge;
        }
        s.table.insert(c, nt);
        self.register(
            vec![(s.clone(), Snap::exception(c, s, z))],
            Vec::new(),
            None,
        );
        Ok(true)
    }

    /// Hands over every lent chunk of `s` in `[off, end)` and commits once, so that a large
    /// write into lent chunks costs one commit, not one per chunk.
    fn hand_over_range(&self, st: &State, s: &Arc<Snap>, off: u64, end: u64) -> VolumeResult<()> {
        if super::core::lock(&s.shared).is_empty() {
            return Ok(());
        }
        let cs = s.chunk_size();
        let mut waiting = false;
        for c in chunks(off, end, cs) {
            let _l = self
                .unit_lock(c * cs / st.unit)
                .write()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(t) = s.table.get(c).filter(|t| t.store == s.store_id()) {
                waiting |= !self.own_chunk_free(st, s, c, t.chunk)?;
            }
        }
        if waiting {
            self.commit()?;
        }
        Ok(())
    }

    /// Whether snapshot `s` may write into its own chunk `z` (its copy of origin chunk
    /// `c`) in place: no other snapshot points at it, and those that did (it was handed
    /// to them, or they took a copy of their own to write into) hold their new exceptions
    /// durably; until then a crash could bring back their old exception pointing at `z`.
    /// A lent chunk is handed over here.
    fn own_chunk_free(&self, st: &State, s: &Arc<Snap>, c: u64, z: u64) -> VolumeResult<bool> {
        use super::core::lock;
        if lock(&s.shared).contains_key(&z) {
            let mut entries = Vec::new();
            let mut headers = Vec::new();
            let mut buf = vec![0u8; s.chunk_size() as usize];
            let handed = self.hand_over(st, s, z, c, &mut buf, &mut entries, &mut headers);
            // Copies made before a failure are recorded too: their snapshots read them.
            self.register(entries, headers, None);
            handed?;
            lock(&s.handed).insert(z, c);
        }
        if !lock(&s.handed).contains_key(&z) {
            return Ok(true);
        }
        // A snapshot invalid only in memory counts too: a crash before its header says so
        // brings it back valid, still pointing where it did.
        let pending = st.snaps.iter().filter(|o| !Arc::ptr_eq(o, s)).any(|o| {
            o.invalid_unsaved() || (o.is_valid() && o.table.get(c).is_some_and(|t| !t.durable))
        });
        if pending {
            return Ok(false);
        }
        lock(&s.handed).remove(&z);
        Ok(true)
    }

    /// Zeroes a range through the write path, so snapshots keep their copies.
    pub fn zero_range(&self, snap: Option<&Arc<Snap>>, off: u64, len: u64) -> VolumeResult<()> {
        const STEP: u64 = 1 << 20;
        let zeros = vec![0u8; STEP.min(len) as usize];
        let mut pos = off;
        while pos < off + len {
            let n = STEP.min(off + len - pos) as usize;
            match snap {
                Some(s) => self.snap_write(s, &zeros[..n], pos, false)?,
                None => self.origin_write(&zeros[..n], pos, false)?,
            }
            pos += n as u64;
        }
        Ok(())
    }
}
