//! Layer 5: the iSCSI target (RFC 7143) and its SCSI block command set.

pub mod scsi;
