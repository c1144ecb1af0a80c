//! Unit attention conditions, queued per I_T nexus and per LUN (SAM-5 §5.14, SPC-4 §5.14).
//!
//! The hot path reads one atomic flag; the queue itself is locked only when something is
//! pending or being raised.

use super::sense::Asc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Unit attentions waiting for one I_T nexus, across the LUNs of its target.
#[derive(Default)]
pub struct UaQueues {
    /// True whenever `queue` may be non-empty; set before an entry is pushed.
    pending: AtomicBool,
    queue: Mutex<Vec<(u64, Asc)>>,
}

/// A power-on or reset condition outranks and replaces the others (SAM-5 §5.14).
fn is_reset(asc: Asc) -> bool {
    asc.0 == 0x29
}

impl UaQueues {
    /// Queues `asc` for `lun` unless the same condition is already waiting.
    pub fn raise(&self, lun: u64, asc: Asc) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if is_reset(asc) {
            q.retain(|(l, _)| *l != lun);
        } else if q.iter().any(|(l, a)| *l == lun && is_reset(*a)) {
            return;
        }
        if !q.contains(&(lun, asc)) {
            self.pending.store(true, Ordering::Release);
            q.push((lun, asc));
        }
    }

    /// Takes the highest-priority condition for `lun`: resets first, then oldest first.
    pub fn take(&self, lun: u64) -> Option<Asc> {
        if !self.pending.load(Ordering::Acquire) {
            return None;
        }
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let idx = q
            .iter()
            .position(|(l, a)| *l == lun && is_reset(*a))
            .or_else(|| q.iter().position(|(l, _)| *l == lun))?;
        let (_, asc) = q.remove(idx);
        if q.is_empty() {
            self.pending.store(false, Ordering::Release);
        }
        Some(asc)
    }

    /// Drops one specific condition (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED).
    pub fn clear(&self, lun: u64, asc: Asc) {
        if !self.pending.load(Ordering::Acquire) {
            return;
        }
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.retain(|e| *e != (lun, asc));
        if q.is_empty() {
            self.pending.store(false, Ordering::Release);
        }
    }

    /// Forgets every condition for a LUN that was unmapped.
    pub fn forget_lun(&self, lun: u64) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.retain(|(l, _)| *l != lun);
        if q.is_empty() {
            self.pending.store(false, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::sense::asc;
    use super::*;

    #[test]
    fn reset_outranks_and_replaces_other_conditions() {
        let q = UaQueues::default();
        q.raise(0, asc::CAPACITY_DATA_HAS_CHANGED);
        q.raise(0, asc::MODE_PARAMETERS_CHANGED);
        q.raise(1, asc::MODE_PARAMETERS_CHANGED);
        q.raise(0, asc::BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        q.raise(0, asc::REPORTED_LUNS_DATA_HAS_CHANGED);
        assert_eq!(q.take(0), Some(asc::BUS_DEVICE_RESET_FUNCTION_OCCURRED));
        assert_eq!(q.take(0), None);
        assert_eq!(q.take(1), Some(asc::MODE_PARAMETERS_CHANGED));
        assert_eq!(q.take(1), None);
    }

    #[test]
    fn conditions_come_out_oldest_first_without_duplicates() {
        let q = UaQueues::default();
        q.raise(3, asc::RESERVATIONS_PREEMPTED);
        q.raise(3, asc::CAPACITY_DATA_HAS_CHANGED);
        q.raise(3, asc::RESERVATIONS_PREEMPTED);
        assert_eq!(q.take(3), Some(asc::RESERVATIONS_PREEMPTED));
        assert_eq!(q.take(3), Some(asc::CAPACITY_DATA_HAS_CHANGED));
        assert_eq!(q.take(3), None);
        q.raise(3, asc::REPORTED_LUNS_DATA_HAS_CHANGED);
        q.clear(3, asc::REPORTED_LUNS_DATA_HAS_CHANGED);
        assert_eq!(q.take(3), None);
    }
}
