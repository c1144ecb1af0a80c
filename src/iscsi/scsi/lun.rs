//! One mapped logical unit: its volume, settings, and the state commands share.

use super::caw::RangeLocks;
use super::luns::{LunSettings, TargetLuns};
use super::mode::ModeState;
use super::pr::Reservations;
use super::sense::asc;
use super::ItNexus;
use crate::engine::Volume;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub struct Lun {
    pub number: u64,
    pub volume: Arc<dyn Volume>,
    pub settings: LunSettings,
    /// Where serials and designators come from.
    pub identity: [u8; 32],
    pub mode: ModeState,
    pub res: Reservations,
    /// Stripes that make COMPARE AND WRITE atomic against other writes.
    pub locks: RangeLocks,
    /// The size the initiators were last told of, to notice a resize.
    reported_size: AtomicU64,
}

impl Lun {
    pub fn new(number: u64, volume: Arc<dyn Volume>, settings: LunSettings) -> Lun {
        let identity = settings.identity.unwrap_or_else(|| volume.identity());
        let size = volume.size();
        Lun {
            number,
            volume,
            settings,
            identity,
            mode: ModeState::default(),
            res: Reservations::default(),
            locks: RangeLocks::default(),
            reported_size: AtomicU64::new(size),
        }
    }

    /// Records the current size as known to the initiators; true if it changed.
    pub fn note_size(&self) -> bool {
        let now = self.volume.size();
        self.reported_size.swap(now, Ordering::AcqRel) != now
    }

    /// Raises CAPACITY DATA HAS CHANGED if the volume was resized behind our back.
    pub fn check_size(&self, target: &TargetLuns, number: u64) {
        if self.reported_size.load(Ordering::Acquire) != self.volume.size() && self.note_size() {
            target.raise_others(number, asc::CAPACITY_DATA_HAS_CHANGED, None);
        }
    }

    /// A logical unit reset: SPC-2 reservations go, mode pages return to their defaults;
    /// persistent reservations stay (SPC-4 §5.13.1).
    pub fn reset(&self) {
        self.res.release_spc2(None);
        self.mode.reset();
    }

    /// The session of `nexus` ended.
    pub fn nexus_lost(&self, nexus: &ItNexus) {
        self.res.release_spc2(Some(&nexus.id));
    }

    /// Whether writes must be refused.
    pub fn write_protected(&self) -> bool {
        self.settings.read_only || self.volume.read_only()
    }
}
