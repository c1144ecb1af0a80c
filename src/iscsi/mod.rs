//! Layer 5: the iSCSI target (RFC 7143) and its SCSI block command set.
//!
//! The transport: [`pdu`] (framing, digests), [`text`] and [`params`] (negotiation), [`chap`],
//! [`login`], [`connection`] with `command.rs`, `task.rs` and `tmf.rs` (full feature phase),
//! [`discovery`], [`target`] (registry of targets and sessions), [`config`] (the persisted
//! model) and [`server`] (sockets and threads). The SCSI layer is [`scsi`].

pub mod chap;
mod command;
pub mod config;
pub mod connection;
pub mod discovery;
pub mod login;
pub mod params;
pub mod pdu;
pub mod scsi;
pub mod server;
pub mod target;
pub mod task;
pub mod text;
mod tmf;
pub mod wire;
