//! Group commit: one round makes every pending exception durable with two flushes
//! (copied data, then the log and headers), then releases the origin writes that waited
//! for it. Flushes from clients, a full batch, a timer and back-pressure all trigger it.

use super::core::{lock, Batch, Core, Doorbell, Snap};
use super::store::{distinct_devices, same_device, PlannedLog};
use super::table::MergeMark;
use super::volume::{Volume, VolumeError, VolumeResult};
use crate::block::BlockDevice;
use crate::format::cow::{Entry, FLAG_INVALID};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

fn flush_all(devices: &[Arc<dyn BlockDevice>]) -> std::io::Result<()> {
    for d in devices {
        d.flush()?;
    }
    Ok(())
}

impl Core {
    /// Commits everything pending now and releases the origin writes it protects.
    pub fn commit(&self) -> VolumeResult<()> {
        let mut committed = lock(&self.commit_lock);
        let batch = {
            let mut p = lock(&self.pending);
            let next = Batch {
                id: p.id + 1,
                ..Batch::default()
            };
            std::mem::replace(&mut *p, next)
        };
        if batch.is_empty() {
            *committed = batch.id;
            return Ok(());
        }
        if let Err(e) = self.write_batch(&batch) {
            self.requeue(batch);
            return Err(e);
        }
        *committed = batch.id;
        let mut failed = Vec::new();
        let mut first_err = None;
        for &u in &batch.units {
            if let Err(e) = self.release(u, batch.id) {
                failed.push(u);
                first_err.get_or_insert(e);
            }
        }
        drop(committed);
        if let Some(e) = first_err {
            // Still held: reads keep seeing the data, and the next commit retries.
            let mut p = lock(&self.pending);
            p.units.extend(failed);
            p.since.get_or_insert_with(Instant::now);
            return Err(e);
        }
        Ok(())
    }

    /// Puts a batch whose commit failed back in front of the pending one.
    fn requeue(&self, mut batch: Batch) {
        let mut p = lock(&self.pending);
        batch.entries.append(&mut p.entries);
        batch.headers.append(&mut p.headers);
        batch.units.append(&mut p.units);
        p.entries = batch.entries;
        p.headers = batch.headers;
        p.units = batch.units;
        p.exceptions += batch.exceptions;
        p.merges += batch.merges;
        p.since = batch.since.or(p.since);
    }

    /// Data flush, log and header writes, metadata flush.
    fn write_batch(&self, batch: &Batch) -> VolumeResult<()> {
        let mut per_snap: Vec<(Arc<Snap>, Vec<Entry>)> = Vec::new();
        for (s, e) in &batch.entries {
            match per_snap.iter_mut().find(|(t, _)| Arc::ptr_eq(t, s)) {
                Some((_, v)) => v.push(*e),
                None => per_snap.push((s.clone(), vec![*e])),
            }
        }
        for s in &batch.headers {
            if !per_snap.iter().any(|(t, _)| Arc::ptr_eq(t, s)) {
                per_snap.push((s.clone(), Vec::new()));
            }
        }
        let mut devices = Vec::new();
        for (s, _) in &per_snap {
            s.store.devices(&mut devices);
        }
        if batch.merges > 0 {
            // A merge record says the origin holds the merged data: that data first.
            let origin = self.origin_pieces.read().unwrap_or_else(|p| p.into_inner());
            let mut more = Vec::new();
            distinct_devices(&origin, &mut more);
            for d in more {
                if !devices.iter().any(|o| same_device(o, &d)) {
                    devices.push(d);
                }
            }
        }
        // Copied chunks durable before any exception that points at them.
        flush_all(&devices)?;
        // (snapshot, its log writes, header seqno, the header written says invalid)
        let mut plans: Vec<(Arc<Snap>, Option<PlannedLog>, u64, bool)> = Vec::new();
        for (s, entries) in per_snap {
            let plan = if entries.is_empty() || !s.is_valid() {
                None
            } else {
                match s.store.plan(&entries) {
                    Ok(p) => Some(p),
                    Err(_) => {
                        s.invalidate();
                        None
                    }
                }
            };
            if let Some(p) = &plan {
                s.store.write_planned(p)?;
            }
            // Read before encoding: the flag is only ever added, so the header has it too.
            let invalid = s.store.header_state().flags & FLAG_INVALID != 0;
            let (slot, block, mut seqno) = s.store.next_header(s.table.len(), plan.as_ref());
            s.store.write_header(slot, &block)?;
            if s.store.header_state().flags & FLAG_INVALID != 0 {
                // An invalid snapshot must never look valid again: both slots say so, so
                // that damage to the newer one cannot bring back an older, valid header.
                // (Losing both to a crash before the flush is harmless: no origin write
                // the snapshot lacks has been released yet, and a store with no header
                // opens invalid.)
                seqno += 1;
                let (slot, block) = s.store.header_block(seqno, s.table.len(), plan.as_ref());
                s.store.write_header(slot, &block)?;
            }
            plans.push((s, plan, seqno, invalid));
        }
        // Exceptions durable before the origin writes they protect are released.
        flush_all(&devices)?;
        let mut plans_merging = Vec::new();
        for (s, plan, seqno, invalid) in plans {
            if invalid {
                // Durably invalid: origin writes it lacks may reach the disk again.
                s.invalid_unsaved.store(false, Ordering::Release);
            }
            if s.is_merging() {
                plans_merging.push(s.clone());
            }
            if let Some(p) = plan {
                s.store.commit_done(p);
            }
            s.store.header_done(seqno);
        }
        for (s, e) in &batch.entries {
            match *e {
                Entry::Exception {
                    origin_chunk,
                    store_id,
                    store_chunk,
                    ..
                } => s.table.mark_durable(origin_chunk, store_id, store_chunk),
                Entry::Merged { origin_chunk } => {
                    if s.table.mark(origin_chunk, MergeMark::Durable) {
                        s.merged.fetch_add(1, Ordering::AcqRel);
                    }
                }
            }
        }
        for s in plans_merging {
            let n = s.merged.load(Ordering::Acquire);
            s.store.update_header(|h| h.merged = n);
        }
        Ok(())
    }

    /// Writes a held unit's data to the origin once the batch it waited for is durable.
    fn release(&self, unit: u64, committed: u64) -> VolumeResult<()> {
        let _l = self
            .unit_lock(unit)
            .write()
            .unwrap_or_else(|p| p.into_inner());
        let st = self.state();
        let waiting = {
            let shard = self.held.shard(unit);
            match shard.get(&unit) {
                Some(h) if h.batch <= committed => Some((h.lo, h.hi)),
                _ => None,
            }
        };
        let Some((lo, hi)) = waiting else {
            return Ok(());
        };
        let data = {
            let shard = self.held.shard(unit);
            match shard.get(&unit) {
                Some(h) => h.image[lo..hi].to_vec(),
                None => return Ok(()),
            }
        };
        // Written before it leaves the held map, so a reader that misses it in the map
        // finds it on disk.
        self.origin
            .write_at(&data, unit * st.unit + lo as u64, false)?;
        let merged = self.held.take(unit).map(|h| h.merged).unwrap_or_default();
        if let (Some(m), false) = (&st.merging, merged.is_empty()) {
            let mut entries = Vec::with_capacity(merged.len());
            for c in merged {
                m.table.mark(c, MergeMark::Volatile);
                entries.push((m.clone(), Entry::Merged { origin_chunk: c }));
            }
            // Queued while the unit is still locked: a write that sees Volatile waits for
            // this batch or a later one.
            self.register(entries, Vec::new(), None);
        }
        Ok(())
    }

    /// Every device of the origin and its snapshots, once each.
    pub fn all_devices(&self) -> Vec<Arc<dyn BlockDevice>> {
        let mut out = Vec::new();
        distinct_devices(
            &self.origin_pieces.read().unwrap_or_else(|p| p.into_inner()),
            &mut out,
        );
        for s in &self.state().snaps {
            let mut more = Vec::new();
            s.store.devices(&mut more);
            for d in more {
                if !out.iter().any(|o| same_device(o, &d)) {
                    out.push(d);
                }
            }
        }
        out
    }

    /// A client flush: every acknowledged write of the origin and its snapshots durable.
    pub fn flush(&self) -> VolumeResult<()> {
        self.commit()?;
        // Releasing held merge data queued its merge records; they are part of this flush.
        self.commit()?;
        flush_all(&self.all_devices()).map_err(VolumeError::Io)?;
        super::linear::check_fit(&self.origin_pieces.read().unwrap_or_else(|p| p.into_inner()))?;
        for s in &self.state().snaps {
            s.store.check_fit()?;
        }
        Ok(())
    }

    /// After a write: commit now if held data exceeds its bound (back-pressure).
    pub fn after_write(&self) -> VolumeResult<()> {
        if self.held.bytes.load(Ordering::Acquire) > self.settings.max_held_bytes {
            self.commit()?;
        }
        Ok(())
    }

    /// Grows a snapshot's store through the host if auto-extend is on; true if it grew.
    pub fn try_extend(&self, s: &Snap) -> bool {
        let t = &self.settings;
        if t.autoextend_threshold >= 100 || t.autoextend_percent == 0 {
            return false;
        }
        {
            let failed = lock(&s.extend_failed);
            if failed.is_some_and(|at| at.elapsed() < Duration::from_secs(5)) {
                return false;
            }
        }
        let size = s.store.size_bytes();
        let extra = (size / 100 * t.autoextend_percent as u64).max(s.chunk_size());
        let grown = self
            .host
            .extend_snapshot(&s.id, extra)
            .ok()
            .and_then(|pieces| s.store.resize(pieces).ok());
        if grown.is_none() {
            *lock(&s.extend_failed) = Some(Instant::now());
        }
        grown.is_some()
    }

    /// Extends every live snapshot past its threshold, as LVM2's monitoring does.
    fn autoextend(&self) {
        let t = self.settings.autoextend_threshold as u64;
        if t >= 100 {
            return;
        }
        for s in &self.state().snaps {
            let (used, total) = s.store.usage();
            if s.is_live() && total > 0 && used * 100 >= t * total {
                self.try_extend(s);
            }
        }
    }

    /// When the committer should commit next.
    fn commit_due(&self) -> Due {
        let p = lock(&self.pending);
        if p.is_empty() {
            return Due::Idle;
        }
        let age = p.since.map_or(Duration::ZERO, |s| s.elapsed());
        if p.force
            || p.exceptions >= self.settings.commit_batch
            || p.merges >= self.settings.merge_commit_chunks
            || age >= self.settings.commit_interval
        {
            Due::Now
        } else {
            Due::After(self.settings.commit_interval.saturating_sub(age))
        }
    }
}

/// The committer's next step.
enum Due {
    Now,
    /// Work is pending; commit when it has waited this much longer.
    After(Duration),
    /// Nothing is pending: sleep until a batch rings.
    Idle,
}

/// The committer thread: commits on the batch and time bounds, and auto-extends. It holds
/// the core only while working, so it never keeps a dropped engine alive.
pub(crate) fn committer(core: Weak<Core>, bell: Arc<Doorbell>) {
    loop {
        let seen = bell.rings();
        let Some(c) = core.upgrade() else { return };
        if c.stop.load(Ordering::Acquire) {
            return;
        }
        match c.commit_due() {
            Due::Now => {
                // An error stays pending and is retried, after a pause so that a failing
                // device is not hammered; the client's flush reports it.
                let failed = c.commit().is_err();
                c.autoextend();
                if failed {
                    let pause = c.settings.commit_interval;
                    drop(c);
                    bell.wait(bell.rings(), Some(pause));
                }
            }
            Due::After(wait) => {
                drop(c);
                bell.wait(seen, Some(wait));
            }
            Due::Idle => {
                drop(c);
                bell.wait(seen, None);
            }
        }
    }
}
