//! What the transport needs from a target's SCSI layer, as one small trait. The real
//! implementation is [`super::scsi::TargetLuns`]; tests may substitute a double.

use super::scsi::{Nexus, ScsiCommand, ScsiStatus};
use crate::engine::Volume;
use std::sync::Arc;

/// The result of one SCSI command as the transport ships it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    pub status: ScsiStatus,
    /// Fixed-format sense data for CHECK CONDITION.
    pub sense: Option<Vec<u8>>,
    /// Bytes of Data-In written at the start of the caller's buffer.
    pub data_in_len: usize,
    /// How many bytes the CDB itself asks to transfer (in either direction), when known; the
    /// transport compares it with the Expected Data Transfer Length for residuals.
    pub transfer_len: Option<u64>,
}

impl Executed {
    /// A status without data or sense.
    pub fn status(status: ScsiStatus) -> Executed {
        Executed {
            status,
            sense: None,
            data_in_len: 0,
            transfer_len: None,
        }
    }

    /// CHECK CONDITION with fixed-format sense (key, ASC, ASCQ).
    pub fn check(key: u8, asc: u8, ascq: u8) -> Executed {
        Executed {
            status: ScsiStatus::CheckCondition,
            sense: Some(fixed_sense(key, asc, ascq)),
            data_in_len: 0,
            transfer_len: None,
        }
    }
}

/// Fixed-format sense data (SPC-4 §4.5.3) for the few conditions the transport raises itself.
pub fn fixed_sense(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    let mut s = vec![0u8; 18];
    s[0] = 0x70;
    s[2] = key & 0x0f;
    s[7] = 10;
    s[12] = asc;
    s[13] = ascq;
    s
}

/// Sense key ILLEGAL REQUEST.
pub const ILLEGAL_REQUEST: u8 = 0x05;

/// Why a LUN change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LunError {
    #[error("LUN {0} is already mapped")]
    InUse(u64),
    #[error("LUN {0} is not mapped")]
    NotMapped(u64),
    #[error("LUN {0} is out of range")]
    OutOfRange(u64),
}

/// A target's logical units as the transport drives them. Every method may be called from
/// many connection threads at once.
pub trait LunSet: Send + Sync {
    /// Runs one command whose Data-Out is complete; Data-In goes to the start of `data_in`,
    /// which is as long as the initiator's Expected Data Transfer Length (bounded).
    fn execute(&self, cmd: &ScsiCommand<'_>, data_in: &mut [u8]) -> Executed;

    /// Whether `lun` is mapped (task management answers "LUN does not exist" otherwise).
    fn has_lun(&self, lun: u64) -> bool;

    /// Maps a volume live; sessions of this target get REPORTED LUNS DATA HAS CHANGED.
    fn add_lun(&self, lun: u64, volume: Arc<dyn Volume>) -> Result<(), LunError>;

    /// Unmaps a LUN live; sessions of this target get REPORTED LUNS DATA HAS CHANGED.
    fn remove_lun(&self, lun: u64) -> Result<(), LunError>;

    /// The volumes mapped, for flushing at shutdown.
    fn volumes(&self) -> Vec<Arc<dyn Volume>>;

    /// LOGICAL UNIT RESET from `nexus`.
    fn lun_reset(&self, lun: u64, nexus: &Nexus);

    /// TARGET WARM/COLD RESET from `nexus`.
    fn target_reset(&self, nexus: &Nexus);

    /// The I_T nexus ended (session closed, dropped or reinstated).
    fn nexus_gone(&self, nexus: &Nexus);
}

/// Builds the LUN set of a new target; the daemon uses the default (the SCSI layer).
pub type LunSetFactory = Arc<dyn Fn(&str) -> Arc<dyn LunSet> + Send + Sync>;
