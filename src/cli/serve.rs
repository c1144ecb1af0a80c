//! `rvm serve`: starts the daemon, runs forwarded commands in it, and waits for signals.

use super::{invoke, is_yes, CliError, CliResult, Ctx, Invocation, Prompt, Vars};
use crate::daemon::control::server::{Client, Runner};
use crate::daemon::control::wire::Request;
use crate::daemon::service::log;
use crate::daemon::{Daemon, DaemonOptions};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::ffi::OsString;
use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

/// How long shutdown waits for running commands before cutting them off (twice).
const COMMAND_GRACE: Duration = Duration::from_secs(5);

fn address(what: &str, text: &str) -> Result<SocketAddr, CliError> {
    text.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| CliError::Usage(format!("Invalid {what} address {text:?}: use ADDR:PORT.")))
}

/// Runs the daemon until SIGTERM or SIGINT; SIGHUP re-reads the export configuration.
pub fn serve(ctx: &Ctx<'_>, nbd: &str, iscsi: &str) -> CliResult {
    let nbd = address("NBD", nbd)?;
    let iscsi = address("iSCSI", iscsi)?;
    // Taken before anything starts, so a signal during start-up is not lost.
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    let daemon = Daemon::start(DaemonOptions {
        system_dir: ctx.env.system_dir.clone(),
        run_dir: ctx.env.run_dir.clone(),
        config: ctx.env.config.clone(),
        nbd,
        iscsi,
        opener: ctx.env.opener.clone(),
        command_grace: COMMAND_GRACE,
    })?;
    daemon.listen(Arc::new(DaemonRunner {
        daemon: daemon.clone(),
    }))?;
    let (nbd, iscsi) = daemon.addresses();
    log(&format!(
        "serving NBD on {nbd}, iSCSI on {iscsi}, commands on {} (pid {})",
        daemon.control_path().display(),
        std::process::id()
    ));
    for signal in signals.forever() {
        match signal {
            SIGHUP => {
                if let Err(e) = daemon.reload() {
                    log(&format!("reload failed: {e}"));
                }
            }
            _ => break,
        }
    }
    log("stopping");
    daemon.shutdown()?;
    log("stopped");
    Ok(())
}

/// Runs forwarded commands in the daemon, as `rvm` would run them, against the daemon's
/// hosts and with the daemon as the export sink.
struct DaemonRunner {
    daemon: Arc<Daemon>,
}

/// A client's questions go back to its terminal.
struct ClientPrompt<'a>(&'a Client);

impl Prompt for ClientPrompt<'_> {
    fn confirm(&self, question: &str) -> bool {
        self.0
            .ask(&format!("{question} [y/n]: "))
            .is_some_and(|a| is_yes(&a))
    }
}

impl DaemonRunner {
    /// Readies this thread to run `request` (the caller's working directory); or says
    /// why the daemon will not run it.
    fn prepare(&self, request: &Request, vars: &Vars) -> Option<String> {
        let ours = self.daemon.system_dir();
        let theirs = vars.system_dir();
        let same = |a: &std::path::Path, b: &std::path::Path| {
            a == b
                || a.canonicalize()
                    .ok()
                    .is_some_and(|a| b.canonicalize().ok() == Some(a))
        };
        if !same(ours, &theirs) {
            return Some(format!(
                "The daemon on this run directory serves system directory {}, not {}.",
                ours.display(),
                theirs.display()
            ));
        }
        if request.argv.get(1).is_some_and(|a| a == "serve") {
            return Some("rvm serve is already running.".into());
        }
        // Relative paths in the command are the client's: resolve them from its working
        // directory, in this thread only (CLONE_FS gives the thread its own).
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_FS)
            .and_then(|_| nix::unistd::chdir(&request.cwd))
            .err()
            .map(|e| {
                format!(
                    "The daemon cannot use the working directory {}: {e}.",
                    request.cwd.display()
                )
            })
    }
}

impl Runner for DaemonRunner {
    fn run(&self, request: &Request, client: &Client) -> i32 {
        let vars = Vars::from_lookup(|k| request.var(k).cloned());
        let mut out = client.stdout();
        let mut err = std::io::LineWriter::new(client.stderr());
        if let Some(why) = self.prepare(request, &vars) {
            let _ = writeln!(err, "  {why}");
            return super::EXIT_FAILURE;
        }
        let prompt = ClientPrompt(client);
        let inv = Invocation {
            hosts: self.daemon.hosts(),
            exports: self.daemon.as_ref(),
            opener: Some(self.daemon.opener()),
            prompt: &prompt,
            vars,
            interactive: false,
        };
        let argv: Vec<OsString> = request.argv.clone();
        let code = invoke(argv, &inv, &mut out, &mut err);
        let _ = out.flush();
        let _ = err.flush();
        self.daemon.after_command();
        code
    }
}
