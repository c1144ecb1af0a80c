//! SCSI target semantics (SPC-4, SBC-3) over an [`crate::engine::Volume`], independent of the
//! iSCSI transport: the transport collects a command's CDB and Data-Out, calls
//! [`TargetLuns::execute`], and ships the Data-In, status and sense back.
//!
//! INTERFACE PLACEHOLDER: these types are the seam between the iSCSI transport (`iscsi::*`)
//! and the SCSI layer (`iscsi::scsi::*`), which is being built on the `scsi` branch.

use crate::engine::Volume;
use std::sync::Arc;

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
    pub lun: u64,
    pub cdb: &'a [u8],
    pub data_out: &'a [u8],
    /// The initiator's Expected Data Transfer Length for a read; the transport computes
    /// residuals from it.
    pub expected_data_in: u32,
    pub nexus: &'a Nexus,
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
    /// Fixed-format sense data (SPC-4 4.5.3) for CHECK CONDITION.
    pub sense: Option<Vec<u8>>,
}

/// The LUNs of one target and the state they share (reservations, unit attentions).
pub struct TargetLuns {
    _luns: Vec<(u64, Arc<dyn Volume>)>,
}
