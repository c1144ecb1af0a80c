//! Reservations: persistent (SPC-4 §5.13) and SPC-2 RESERVE/RELEASE, and the conflict
//! rules every command is checked against.

use super::cdb::Cdb;
use super::dispatch::Command;
use super::exec::Fail;
use super::Nexus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct PrState {
    spc2: Option<Nexus>,
}

/// A LUN's reservation state behind a lock, with a flag so that commands skip the lock
/// entirely while nothing is reserved or registered.
#[derive(Debug, Default)]
pub struct Reservations {
    any: AtomicBool,
    state: Mutex<PrState>,
}

impl Reservations {
    /// True if any reservation or registration exists.
    pub fn any(&self) -> bool {
        self.any.load(Ordering::Acquire)
    }

    /// Checks `command` from `nexus` against the reservations held.
    pub fn check(&self, _command: &Command, _cdb: &Cdb, _nexus: &Nexus) -> Result<(), Fail> {
        Ok(())
    }

    /// Releases the SPC-2 reservation (held by `holder`, or by anyone).
    pub fn release_spc2(&self, holder: Option<&Nexus>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if holder.is_none() || s.spc2.as_ref() == holder {
            s.spc2 = None;
        }
    }
}
