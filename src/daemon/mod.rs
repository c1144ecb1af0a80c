//! Layer 6: `rvm serve` — the control socket, the export registry and the lifecycle.
//!
//! - [`exports`]: the export configuration the daemon serves and the CLI edits; it works
//!   whether or not the daemon runs.
//! - [`service`]: the running daemon ([`Daemon`]): long-lived hosts, NBD and iSCSI
//!   servers, live export changes, graceful shutdown.
//! - [`control`]: the socket through which the command line hands the daemon its commands.
//! - [`nbd_exports`], [`volumes`]: exports resolved to the volumes of open VGs.

pub mod control;
pub mod exports;
pub mod nbd_exports;
pub mod service;
pub mod volumes;

pub use service::{Daemon, DaemonError, DaemonOptions};

/// Exit code of a failed command, as LVM2 uses.
pub const EXIT_FAILURE: i32 = 5;
