//! MODE SENSE / MODE SELECT (SPC-4 §6.11, §6.13) and the mode pages rvm keeps.

use std::sync::atomic::{AtomicBool, Ordering};

/// The changeable mode parameters of one LUN.
#[derive(Debug)]
pub struct ModeState {
    d_sense: AtomicBool,
}

impl Default for ModeState {
    fn default() -> ModeState {
        ModeState {
            d_sense: AtomicBool::new(false),
        }
    }
}

impl ModeState {
    /// Whether sense data is reported in descriptor format (control page D_SENSE).
    pub fn d_sense(&self) -> bool {
        self.d_sense.load(Ordering::Relaxed)
    }

    /// Back to the defaults (there are no saved pages).
    pub fn reset(&self) {
        self.d_sense.store(false, Ordering::Relaxed);
    }
}
