//! Layer 5: the iSCSI target (RFC 7143) and its SCSI block command set.

pub mod chap;
pub mod config;
pub mod login;
pub mod lun;
pub mod params;
pub mod pdu;
pub mod scsi;
pub mod target;
pub mod text;
