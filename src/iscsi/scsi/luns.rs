//! The LUNs of one target, the I_T nexuses logged in to it, and the state they share.

use super::exec;
use super::lun::Lun;
use super::sense::{asc, Asc};
use super::{ItNexus, Nexus, Outcome, ScsiCommand, TaskManagement, TmfResponse};
use crate::engine::Volume;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

/// The highest LUN rvm maps: flat space addressing (SAM-5 §4.7.7) reaches 16383.
pub const MAX_LUN: u64 = 0x3fff;

/// Per-LUN settings the daemon chooses when it maps a volume.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LunSettings {
    /// Refuse writes even if the volume accepts them (WRITE PROTECTED, and the WP bit in
    /// the mode parameter header).
    pub read_only: bool,
    /// The identity serials and designators derive from; `None` uses
    /// [`Volume::identity`]. Keeping it stable keeps initiators' multipath maps stable.
    pub identity: Option<[u8; 32]>,
}

/// Why a LUN map change was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LunError {
    #[error("LUN {0} is already mapped")]
    InUse(u64),
    #[error("LUN {0} is not mapped")]
    NotMapped(u64),
    #[error("LUN {0} is above the highest supported LUN {MAX_LUN}")]
    OutOfRange(u64),
}

/// The LUNs of one target and the state they share (reservations, unit attentions).
///
/// Every method takes `&self`; the transport shares one `TargetLuns` between all sessions
/// of the target and calls it from any thread.
pub struct TargetLuns {
    name: String,
    /// Replaced whole on each map change, so a command holds the lock only to clone an Arc.
    luns: RwLock<Arc<BTreeMap<u64, Arc<Lun>>>>,
    /// Serializes map changes and nexus registration so that no nexus misses a UA.
    admin: Mutex<Vec<Weak<ItNexus>>>,
    next_nexus: AtomicU64,
}

impl TargetLuns {
    /// An empty target; `name` is its iSCSI name, used in target port designators.
    pub fn new(name: &str) -> TargetLuns {
        TargetLuns {
            name: name.to_string(),
            luns: RwLock::new(Arc::new(BTreeMap::new())),
            admin: Mutex::new(Vec::new()),
            next_nexus: AtomicU64::new(1),
        }
    }

    /// The target's iSCSI name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Maps `volume` as LUN `lun`; every logged-in nexus gets REPORTED LUNS DATA HAS
    /// CHANGED.
    pub fn add_lun(
        &self,
        lun: u64,
        volume: Arc<dyn Volume>,
        settings: LunSettings,
    ) -> Result<(), LunError> {
        if lun > MAX_LUN {
            return Err(LunError::OutOfRange(lun));
        }
        let mut nexuses = self.lock_admin();
        let mut map = (*self.map()).clone();
        if map.contains_key(&lun) {
            return Err(LunError::InUse(lun));
        }
        map.insert(lun, Arc::new(Lun::new(lun, volume, settings)));
        self.publish(map);
        self.raise_all(&mut nexuses, None, asc::REPORTED_LUNS_DATA_HAS_CHANGED);
        Ok(())
    }

    /// Unmaps LUN `lun`, returning its volume; commands already running on it finish.
    pub fn remove_lun(&self, lun: u64) -> Result<Arc<dyn Volume>, LunError> {
        let mut nexuses = self.lock_admin();
        let mut map = (*self.map()).clone();
        let gone = map.remove(&lun).ok_or(LunError::NotMapped(lun))?;
        self.publish(map);
        for n in live(&mut nexuses) {
            n.ua.forget_lun(lun);
        }
        self.raise_all(&mut nexuses, None, asc::REPORTED_LUNS_DATA_HAS_CHANGED);
        Ok(gone.volume.clone())
    }

    /// The mapped LUN numbers and their settings, in order.
    pub fn luns(&self) -> Vec<(u64, LunSettings)> {
        self.map()
            .values()
            .map(|l| (l.number, l.settings.clone()))
            .collect()
    }

    /// Tells every nexus that LUN `lun` changed size (after lvextend): CAPACITY DATA HAS
    /// CHANGED. A size change is also noticed on the next command without this call.
    pub fn capacity_changed(&self, lun: u64) -> Result<(), LunError> {
        let l = self.lun(lun).ok_or(LunError::NotMapped(lun))?;
        l.note_size();
        let mut nexuses = self.lock_admin();
        self.raise_all(&mut nexuses, Some(lun), asc::CAPACITY_DATA_HAS_CHANGED);
        Ok(())
    }

    /// Registers a session's I_T nexus at full feature phase. A new nexus starts with a
    /// POWER ON, RESET OR BUS DEVICE RESET OCCURRED unit attention on every LUN.
    pub fn login(&self, nexus: Nexus) -> Arc<ItNexus> {
        let handle = Arc::new(ItNexus {
            id: nexus,
            serial: self.next_nexus.fetch_add(1, Ordering::Relaxed),
            ua: Default::default(),
        });
        let mut nexuses = self.lock_admin();
        for lun in self.map().keys() {
            handle.ua.raise(*lun, asc::POWER_ON_RESET);
        }
        nexuses.push(Arc::downgrade(&handle));
        handle
    }

    /// The session of `nexus` ended (logout, connection loss, reinstatement): SPC-2
    /// reservations it held are released; persistent reservations stay (SPC-4 §5.13).
    pub fn logout(&self, nexus: &ItNexus) {
        let mut nexuses = self.lock_admin();
        nexuses.retain(|w| w.upgrade().is_some_and(|n| n.serial != nexus.serial));
        for lun in self.map().values() {
            lun.nexus_lost(nexus);
        }
    }

    /// Runs one command; Data-In goes into `data_in`, which is resized (not cleared first,
    /// so a buffer reused across READs is not re-zeroed).
    pub fn execute(&self, cmd: &ScsiCommand, data_in: &mut Vec<u8>) -> Outcome {
        exec::execute(self, cmd, data_in)
    }

    /// Applies a task management function's effects on reservations and unit attentions.
    /// `lun` is the PDU's LUN field as received, like [`ScsiCommand::lun`].
    pub fn task_management(&self, nexus: &ItNexus, lun: u64, tmf: TaskManagement) -> TmfResponse {
        let target = decode_lun(lun).and_then(|n| self.lun(n));
        match tmf {
            TaskManagement::AbortTask | TaskManagement::AbortTaskSet => match target {
                Some(_) => TmfResponse::Complete,
                None => TmfResponse::LunDoesNotExist,
            },
            TaskManagement::ClearTaskSet => match target {
                Some(l) => {
                    let mut nexuses = self.lock_admin();
                    for n in live(&mut nexuses) {
                        if n.serial != nexus.serial {
                            n.ua.raise(l.number, asc::COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
                        }
                    }
                    TmfResponse::Complete
                }
                None => TmfResponse::LunDoesNotExist,
            },
            TaskManagement::ClearAca => TmfResponse::NotSupported,
            // Every nexus hears of a reset through a unit attention, the requester's
            // included (SAM-5 §7.6: "every I_T nexus"; libiscsi's MultipathIO.Reset
            // expects it on each path).
            TaskManagement::LogicalUnitReset => match target {
                Some(l) => {
                    l.reset();
                    self.raise_others(l.number, asc::BUS_DEVICE_RESET_FUNCTION_OCCURRED, None);
                    TmfResponse::Complete
                }
                None => TmfResponse::LunDoesNotExist,
            },
            TaskManagement::TargetWarmReset | TaskManagement::TargetColdReset => {
                let code = if tmf == TaskManagement::TargetColdReset {
                    asc::POWER_ON_OCCURRED
                } else {
                    asc::BUS_DEVICE_RESET_FUNCTION_OCCURRED
                };
                for l in self.map().values() {
                    l.reset();
                    self.raise_others(l.number, code, None);
                }
                TmfResponse::Complete
            }
        }
    }

    pub(crate) fn map(&self) -> Arc<BTreeMap<u64, Arc<Lun>>> {
        self.luns.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn lun(&self, lun: u64) -> Option<Arc<Lun>> {
        self.luns
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&lun)
            .cloned()
    }

    /// Raises `code` on every live nexus for one LUN (or all), except `except`.
    pub(crate) fn raise_others(&self, lun: u64, code: Asc, except: Option<&ItNexus>) {
        let mut nexuses = self.lock_admin();
        for n in live(&mut nexuses) {
            if except.is_none_or(|e| e.serial != n.serial) {
                n.ua.raise(lun, code);
            }
        }
    }

    /// Raises `code` for the nexuses whose identity `pick` selects.
    pub(crate) fn raise_where(&self, lun: u64, code: Asc, pick: impl Fn(&Nexus) -> bool) {
        let mut nexuses = self.lock_admin();
        for n in live(&mut nexuses) {
            if pick(&n.id) {
                n.ua.raise(lun, code);
            }
        }
    }

    fn lock_admin(&self) -> std::sync::MutexGuard<'_, Vec<Weak<ItNexus>>> {
        self.admin.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, map: BTreeMap<u64, Arc<Lun>>) {
        *self.luns.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(map);
    }

    fn raise_all(&self, nexuses: &mut Vec<Weak<ItNexus>>, only: Option<u64>, code: Asc) {
        let luns: Vec<u64> = match only {
            Some(l) => vec![l],
            None => self.map().keys().copied().collect(),
        };
        for n in live(nexuses) {
            for l in &luns {
                n.ua.raise(*l, code);
            }
        }
    }
}

/// The live nexuses, pruning those whose sessions dropped their handle.
fn live(nexuses: &mut Vec<Weak<ItNexus>>) -> Vec<Arc<ItNexus>> {
    nexuses.retain(|w| w.strong_count() > 0);
    nexuses.iter().filter_map(Weak::upgrade).collect()
}

/// Decodes a LUN field in peripheral or flat space addressing (SAM-5 §4.7); any other
/// method, or a second level, is a LUN rvm cannot have.
pub fn decode_lun(raw: u64) -> Option<u64> {
    let b = raw.to_be_bytes();
    if b[2..].iter().any(|&x| x != 0) {
        return None;
    }
    match b[0] >> 6 {
        0b00 if b[0] == 0 => Some(u64::from(b[1])),
        0b01 => Some(u64::from(u16::from_be_bytes([b[0] & 0x3f, b[1]]))),
        _ => None,
    }
}

/// Encodes a LUN the way REPORT LUNS lists it: peripheral addressing below 256, flat space
/// addressing above.
pub fn encode_lun(lun: u64) -> u64 {
    if lun < 256 {
        lun << 48
    } else {
        (0x4000 | (lun & 0x3fff)) << 48
    }
}
