//! While `rvm serve` runs, the command line hands its commands to the daemon through the
//! control socket, so that they act on the VGs and volumes the daemon has open (a snapshot
//! of a served LV then holds every write acknowledged before it). Without a daemon, or
//! for the few commands that never need one, the command runs in this process.

use super::args::{Cli, Cmd};
use super::{Vars, EXIT_FAILURE};
use crate::daemon::control::client;
use crate::daemon::control::wire::Request;
use clap::Parser;
use std::ffi::OsString;

/// Runs `argv` through the daemon if one answers; `None` means run it here.
pub fn forward(argv: &[OsString], vars: &Vars, interactive: bool) -> Option<i32> {
    if argv.iter().skip(1).any(|a| a == "--version") {
        return None;
    }
    // A command line that does not parse is refused here, with the same words.
    let cli = Cli::try_parse_from(argv).ok()?;
    if !forwarded(&cli.cmd) {
        return None;
    }
    let stream = client::connect(&vars.run_dir())?;
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("  Cannot hand the command to the daemon: no working directory ({e}).");
            return Some(EXIT_FAILURE);
        }
    };
    let request = Request {
        argv: argv.to_vec(),
        cwd,
        vars: vars.pairs(),
        interactive,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = client::run(
        stream,
        &request,
        &mut std::io::stdin().lock(),
        &mut out,
        &mut std::io::stderr(),
    );
    Some(result.unwrap_or_else(|e| {
        eprintln!(
            "  The daemon stopped before the command finished ({e}); check the result with rvm lvs."
        );
        EXIT_FAILURE
    }))
}

/// Every command goes through a running daemon except the daemon itself and `version`.
fn forwarded(cmd: &Cmd) -> bool {
    !matches!(cmd, Cmd::Serve { .. } | Cmd::Version { .. })
}
