//! SCSI target semantics (SPC-4, SBC-3) over an [`crate::engine::Volume`], independent of the
//! iSCSI transport: the transport collects a command's CDB and Data-Out, calls
//! [`TargetLuns::execute`], and ships the Data-In, status and sense back.
//!
//! The transport's side of the seam:
//! - one [`TargetLuns`] per target; the daemon adds and removes LUNs on it live;
//! - [`TargetLuns::login`] when a session reaches full feature phase, giving an [`ItNexus`]
//!   that every command of that session carries; [`TargetLuns::logout`] when it ends;
//! - [`TargetLuns::execute`] per command, [`TargetLuns::task_management`] per TMF.

mod caw;
mod cdb;
mod dispatch;
mod exec;
mod inquiry;
mod lun;
mod luns;
mod mode;
mod pr;
mod pr_in;
mod pr_out;
mod provision;
mod report;
mod reserve;
mod rw;
mod sense;
mod ua;
mod unit;
mod verify;
mod vpd;
mod wire;

#[cfg(test)]
mod tests;

pub use luns::{decode_lun, encode_lun, LunError, LunSettings, TargetLuns, MAX_LUN};
pub use sense::{Sense, SenseKey};

/// The name of the command a CDB holds ("READ(10)", ...), for the transport's logs; `None`
/// if rvm does not implement it.
pub fn command_name(cdb: &[u8]) -> Option<&'static str> {
    match dispatch::lookup(&cdb::Cdb(cdb)) {
        dispatch::Lookup::Found(c) => Some(c.name),
        _ => None,
    }
}

/// The I_T nexus a command arrived on; reservations and unit attentions are per nexus.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nexus {
    /// The initiator's iSCSI name (iqn. or eui. form).
    pub initiator: String,
    /// The session's ISID (48 bits).
    pub isid: u64,
    /// Target portal group tag.
    pub tpgt: u16,
}

impl Nexus {
    /// The iSCSI initiator port name (RFC 7143 §4.2.7.1), which PR TransportIDs carry.
    pub fn initiator_port_name(&self) -> String {
        format!(
            "{},i,0x{:012x}",
            self.initiator,
            self.isid & 0xffff_ffff_ffff
        )
    }
}

/// An established I_T nexus: the handle a session passes with each of its commands.
///
/// It carries the per-nexus state (pending unit attentions, the sense kept for REQUEST
/// SENSE) so that the hot path never looks a nexus up by name.
pub struct ItNexus {
    pub(crate) id: Nexus,
    pub(crate) serial: u64,
    pub(crate) ua: ua::UaQueues,
}

impl ItNexus {
    /// The nexus identity this handle was created for.
    pub fn nexus(&self) -> &Nexus {
        &self.id
    }
}

impl std::fmt::Debug for ItNexus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItNexus")
            .field("id", &self.id)
            .field("serial", &self.serial)
            .finish()
    }
}

/// SAM task attribute from the SCSI Command PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskAttr {
    Untagged,
    #[default]
    Simple,
    Ordered,
    HeadOfQueue,
    Aca,
}

/// One SCSI command, with all of its Data-Out already collected by the transport.
#[derive(Debug)]
pub struct ScsiCommand<'a> {
    /// The PDU's 8-byte LUN field exactly as received (SAM-5 §4.7, big-endian); the SCSI
    /// layer decodes the addressing method so REPORT LUNS and decoding stay in one place.
    pub lun: u64,
    pub cdb: &'a [u8],
    /// The Data-Out the initiator sent (at most its Expected Data Transfer Length). A
    /// command that wants more uses only whole blocks of what arrived; the transport sets
    /// the write residual from [`Outcome::transfer_len`].
    pub data_out: &'a [u8],
    /// The initiator's Expected Data Transfer Length for Data-In; Data-In is never longer.
    pub expected_data_in: u32,
    pub nexus: &'a ItNexus,
    pub attr: TaskAttr,
}

/// SAM status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ScsiStatus {
    Good = 0x00,
    CheckCondition = 0x02,
    ConditionMet = 0x04,
    Busy = 0x08,
    ReservationConflict = 0x18,
    TaskSetFull = 0x28,
    AcaActive = 0x30,
    TaskAborted = 0x40,
}

/// What a command produced; Data-In is written into the caller's buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: ScsiStatus,
    /// Sense data for CHECK CONDITION (fixed or descriptor format, per the control mode
    /// page's D_SENSE), ready to send after the 2-byte SenseLength of RFC 7143 §11.4.7.
    pub sense: Option<Sense>,
    /// Bytes the command asked to move in its direction (Data-In produced, or Data-Out its
    /// CDB called for). The transport compares it with the Expected Data Transfer Length
    /// for the residual (RFC 7143 §11.4.5); the Data-In buffer holds
    /// `min(transfer_len, expected_data_in)` bytes.
    pub transfer_len: u32,
}

/// A task management function (RFC 7143 §11.5.1), seen from the SCSI layer.
///
/// The transport aborts its own in-flight tasks; this applies the state effects
/// (reservations released, unit attentions raised).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskManagement {
    AbortTask,
    AbortTaskSet,
    ClearTaskSet,
    ClearAca,
    LogicalUnitReset,
    TargetWarmReset,
    TargetColdReset,
}

/// The response to a task management function (RFC 7143 §11.6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TmfResponse {
    Complete,
    LunDoesNotExist,
    NotSupported,
}
