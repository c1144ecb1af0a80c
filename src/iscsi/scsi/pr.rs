//! Reservation state: persistent reservations (SPC-4 §5.13) and SPC-2 RESERVE/RELEASE,
//! and the table of which commands conflict with them (SPC-4 table 62).

use super::cdb::Cdb;
use super::dispatch::{flag, Command};
use super::exec::Fail;
use super::Nexus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Persistent reservation types (SPC-4 table 200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrType {
    WriteExclusive = 1,
    ExclusiveAccess = 3,
    WriteExclusiveRegistrantsOnly = 5,
    ExclusiveAccessRegistrantsOnly = 6,
    WriteExclusiveAllRegistrants = 7,
    ExclusiveAccessAllRegistrants = 8,
}

impl PrType {
    pub fn from_code(code: u8) -> Option<PrType> {
        Some(match code {
            1 => PrType::WriteExclusive,
            3 => PrType::ExclusiveAccess,
            5 => PrType::WriteExclusiveRegistrantsOnly,
            6 => PrType::ExclusiveAccessRegistrantsOnly,
            7 => PrType::WriteExclusiveAllRegistrants,
            8 => PrType::ExclusiveAccessAllRegistrants,
            _ => return None,
        })
    }

    /// Every registrant holds an all-registrants reservation.
    pub fn all_registrants(self) -> bool {
        matches!(
            self,
            PrType::WriteExclusiveAllRegistrants | PrType::ExclusiveAccessAllRegistrants
        )
    }

    /// Registrants-only and all-registrants types let every registrant in.
    pub fn registrants_admitted(self) -> bool {
        !matches!(self, PrType::WriteExclusive | PrType::ExclusiveAccess)
    }

    /// Exclusive-access types also keep reads out.
    pub fn excludes_reads(self) -> bool {
        matches!(
            self,
            PrType::ExclusiveAccess
                | PrType::ExclusiveAccessRegistrantsOnly
                | PrType::ExclusiveAccessAllRegistrants
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub nexus: Nexus,
    pub key: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// The nexus that reserved (for all-registrants types, every registrant holds it).
    pub holder: Nexus,
    pub kind: PrType,
}

#[derive(Debug, Default)]
pub struct PrState {
    pub generation: u32,
    pub registrations: Vec<Registration>,
    pub reservation: Option<Reservation>,
    /// The SPC-2 RESERVE holder.
    pub spc2: Option<Nexus>,
}

impl PrState {
    pub fn registration(&self, nexus: &Nexus) -> Option<&Registration> {
        self.registrations.iter().find(|r| r.nexus == *nexus)
    }

    pub fn is_holder(&self, nexus: &Nexus) -> bool {
        match &self.reservation {
            Some(r) if r.kind.all_registrants() => self.registration(nexus).is_some(),
            Some(r) => r.holder == *nexus,
            None => false,
        }
    }

    /// The key READ RESERVATION reports: the holder's, or 0 for all-registrants types.
    pub fn reservation_key(&self) -> u64 {
        match &self.reservation {
            Some(r) if !r.kind.all_registrants() => {
                self.registration(&r.holder).map_or(0, |g| g.key)
            }
            _ => 0,
        }
    }

    /// Drops `nexus`'s registration, and the reservation if that leaves it without a
    /// holder (SPC-4 §5.13.11.2.3). Returns true if a registrants-only reservation was
    /// released that way, which the other registrants must be told of.
    pub fn unregister(&mut self, nexus: &Nexus) -> bool {
        self.registrations.retain(|r| r.nexus != *nexus);
        let released = match &self.reservation {
            Some(r) if r.kind.all_registrants() => self.registrations.is_empty(),
            Some(r) => r.holder == *nexus,
            None => false,
        };
        let notify = released
            && self.reservation.as_ref().is_some_and(|r| {
                matches!(
                    r.kind,
                    PrType::WriteExclusiveRegistrantsOnly | PrType::ExclusiveAccessRegistrantsOnly
                )
            });
        if released {
            self.reservation = None;
        }
        notify
    }
}

/// A LUN's reservation state behind a lock, with a flag so that commands skip the lock
/// entirely while nothing is reserved.
#[derive(Debug, Default)]
pub struct Reservations {
    any: AtomicBool,
    state: Mutex<PrState>,
}

/// The state, locked; dropping it republishes the fast-path flag.
pub struct Locked<'a> {
    guard: MutexGuard<'a, PrState>,
    any: &'a AtomicBool,
}

impl std::ops::Deref for Locked<'_> {
    type Target = PrState;
    fn deref(&self) -> &PrState {
        &self.guard
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut PrState {
        &mut self.guard
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let any = self.guard.spc2.is_some() || self.guard.reservation.is_some();
        self.any.store(any, Ordering::Release);
    }
}

/// PERSISTENT RESERVE OUT service actions a registered non-holder may send.
const PR_OUT_REGISTER: u16 = 0;
const PR_OUT_REGISTER_AND_MOVE: u16 = 7;
const PR_OUT_REGISTER_AND_IGNORE: u16 = 6;

impl Reservations {
    /// True if a reservation (persistent or SPC-2) exists.
    pub fn any(&self) -> bool {
        self.any.load(Ordering::Acquire)
    }

    pub fn lock(&self) -> Locked<'_> {
        Locked {
            guard: self.state.lock().unwrap_or_else(|e| e.into_inner()),
            any: &self.any,
        }
    }

    /// Checks `command` from `nexus` against the reservations held.
    pub fn check(&self, command: &Command, cdb: &Cdb, nexus: &Nexus) -> Result<(), Fail> {
        let s = self.lock();
        if command.flags & flag::SPC2_CMD != 0 {
            return Ok(()); // RESERVE/RELEASE apply SPC-4 §5.13.3 themselves
        }
        if let Some(holder) = &s.spc2 {
            if holder != nexus && command.flags & flag::SPC2_ALLOWED == 0 {
                return Err(Fail::Conflict);
            }
        }
        let Some(r) = &s.reservation else {
            return Ok(());
        };
        if s.is_holder(nexus) || command.flags & flag::PR_ALLOWED != 0 {
            return Ok(());
        }
        let registered = s.registration(nexus).is_some();
        if command.flags & flag::PR_OUT != 0 {
            return match cdb.service_action() {
                PR_OUT_REGISTER | PR_OUT_REGISTER_AND_IGNORE => Ok(()),
                PR_OUT_REGISTER_AND_MOVE => Err(Fail::Conflict),
                _ if registered => Ok(()),
                _ => Err(Fail::Conflict),
            };
        }
        if registered && r.kind.registrants_admitted() {
            return Ok(());
        }
        if command.flags & flag::PR_READ != 0 && !r.kind.excludes_reads() {
            return Ok(());
        }
        Err(Fail::Conflict)
    }

    /// Releases the SPC-2 reservation (held by `holder`, or by anyone).
    pub fn release_spc2(&self, holder: Option<&Nexus>) {
        let mut s = self.lock();
        if holder.is_none() || s.spc2.as_ref() == holder {
            s.spc2 = None;
        }
    }
}
