//! The control socket, `$RVM_RUN_DIR/daemon.socket`: while `rvm serve` runs, the command
//! line hands each command to the daemon, which runs it in-process against the VGs and
//! volumes it has open, so snapshots, resizes, merges and removals of served LVs are
//! coherent with their I/O. Owner-only (mode 0600, peer uid checked).
//!
//! - [`wire`]: the frames, pure.
//! - [`server`]: the daemon's end; one thread per command.
//! - [`client`]: the command line's end.

pub mod client;
pub mod server;
pub mod wire;

use std::path::{Path, PathBuf};

/// Where the daemon of `run_dir` listens.
pub fn socket_path(run_dir: &Path) -> PathBuf {
    run_dir.join("daemon.socket")
}
