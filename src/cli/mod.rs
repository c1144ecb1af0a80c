//! Layer 7: the LVM2-compatible command line, its report engine and argv[0] dispatch.
//!
//! Each command parses its arguments, then runs its change through `meta` (the pure change in
//! `meta::ops`, the transaction in `meta::store`/`meta::actions`). Failures print one line on
//! stderr and exit 5, as LVM2's do.

pub mod args;
mod copy;
pub mod exports;
pub mod forward;
pub mod live;
mod lv;
mod merge;
mod pv;
pub mod report;
mod reports;
pub mod serve;
pub mod units;
mod vg;

use crate::daemon::exports::{DirectSink, ExportError, ExportSink};
use crate::host::{HostProvider, Hosts, VgHostError};
use crate::meta::config::Config;
use crate::meta::{Env, MetaError};
use args::{Cli, Cmd, Common, COMMANDS};
use clap::Parser;
use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// The LVM2 release whose command line rvm follows.
pub const LVM_VERSION: &str = "2.03.16(2)";

/// Exit code of every failure, as LVM2 uses.
pub const EXIT_FAILURE: i32 = crate::daemon::EXIT_FAILURE;

/// Why a command failed; rendered as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error(transparent)]
    Report(#[from] report::ReportError),
    #[error(transparent)]
    Exports(#[from] ExportError),
    #[error(transparent)]
    Host(#[from] VgHostError),
    #[error(transparent)]
    Daemon(#[from] crate::daemon::DaemonError),
    /// A bad argument, already worded.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Result of a command.
pub type CliResult = Result<(), CliError>;

/// What a command runs against: its environment, the hosts through which it reaches open
/// VGs (transient ones without the daemon, the daemon's own inside it), the sink through
/// which a running daemon applies export changes live, and how it may talk to the user.
/// The daemon runs forwarded commands in-process with its own hosts and sink, so command
/// code reads nothing process-global.
pub struct Ctx<'a> {
    pub env: &'a Env,
    pub hosts: &'a dyn HostProvider,
    pub exports: &'a dyn ExportSink,
    /// Progress bars may be drawn (stderr is a terminal).
    pub interactive: bool,
    /// The `--config` text given, passed on to background processes the command starts.
    pub config_text: Option<String>,
    /// Who answers LVM2's yes/no questions: this terminal, or the daemon's client.
    pub prompt: &'a dyn Prompt,
    /// `LVM_VG_NAME` of whoever ran the command, for commands that name no VG.
    pub default_vg: Option<String>,
}

impl Ctx<'_> {
    /// Asks `question` unless `yes` already answers it; no answer is no.
    pub fn confirm(&self, question: &str, yes: bool) -> bool {
        yes || self.prompt.confirm(question)
    }
}

/// Who answers a command's questions (`Do you really want to remove ...?`).
pub trait Prompt {
    /// Asks a yes/no question; anything but yes, or no answer at all, is no.
    fn confirm(&self, question: &str) -> bool;
}

/// Questions on this process's stdout, answers from its stdin.
pub struct StdioPrompt;

impl Prompt for StdioPrompt {
    fn confirm(&self, question: &str) -> bool {
        print!("{question} [y/n]: ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(n) if n > 0 => is_yes(&line),
            _ => false,
        }
    }
}

/// Whether an answer to a prompt means yes, as LVM2 reads it.
pub fn is_yes(answer: &str) -> bool {
    let a = answer.trim();
    a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes")
}

/// No one to ask: every question is answered no (commands run in-process by tests and the
/// crash harness, which pass `-f`/`-y` where LVM2 would ask).
pub struct NoPrompt;

impl Prompt for NoPrompt {
    fn confirm(&self, _question: &str) -> bool {
        false
    }
}

/// The version lines, LVM2's first line with rvm's own version.
pub fn version_text() -> String {
    let v = env!("CARGO_PKG_VERSION");
    format!(
        "  LVM version:     {LVM_VERSION} (rvm {v})\n  Library version: rvm {v}\n  Driver version:  none (rvm needs no device-mapper)\n"
    )
}

/// Turns `lvs -o name` invoked through a symlink named `lvs` into `rvm lvs -o name`.
pub fn dispatch_argv(mut argv: Vec<OsString>) -> Vec<OsString> {
    let base = argv
        .first()
        .and_then(|a| {
            PathBuf::from(a)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
        })
        .unwrap_or_default();
    if COMMANDS.contains(&base.as_str()) {
        argv[0] = OsString::from("rvm");
        argv.insert(1, OsString::from(base));
    }
    argv
}

/// Builds the environment from `RVM_SYSTEM_DIR`, `RVM_RUN_DIR`, `rvm.conf` and `--config`.
fn make_env(common: &Common, vars: &Vars, command: String) -> Result<Env, CliError> {
    let system_dir = vars.system_dir();
    let run_dir = vars.run_dir();
    let conf_path = system_dir.join("rvm.conf");
    let mut config = match std::fs::read_to_string(&conf_path) {
        Ok(text) => Config::parse(&text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
        Err(e) => return Err(MetaError::io(conf_path, e).into()),
    };
    if let Some(c) = &common.config {
        config.merge(Config::parse(c)?);
    }
    let mut env = Env::new(system_dir, run_dir, config, common.readonly);
    env.command = command;
    Ok(env)
}

fn common_of(cmd: &Cmd) -> Common {
    let common = match cmd {
        Cmd::Pvcreate { common, .. }
        | Cmd::Pvremove { common, .. }
        | Cmd::Pvscan { common, .. }
        | Cmd::Pvresize { common, .. }
        | Cmd::Pvck { common, .. }
        | Cmd::Vgcreate { common, .. }
        | Cmd::Vgextend { common, .. }
        | Cmd::Vgreduce { common, .. }
        | Cmd::Vgremove { common, .. }
        | Cmd::Vgrename { common, .. }
        | Cmd::Vgchange { common, .. }
        | Cmd::Vgck { common, .. }
        | Cmd::Vgcfgbackup { common, .. }
        | Cmd::Vgcfgrestore { common, .. }
        | Cmd::Lvcreate { common, .. }
        | Cmd::Lvremove { common, .. }
        | Cmd::Lvrename { common, .. }
        | Cmd::Lvchange { common, .. }
        | Cmd::Lvconvert { common, .. }
        | Cmd::Lvpoll { common, .. }
        | Cmd::Copy { common, .. }
        | Cmd::Serve { common, .. }
        | Cmd::Version { common } => common,
        Cmd::Pvs(r) | Cmd::Vgs(r) | Cmd::Lvs(r) => &r.common,
        Cmd::Pvdisplay(d) | Cmd::Vgdisplay(d) | Cmd::Lvdisplay(d) => &d.common,
        Cmd::Lvextend(r) | Cmd::Lvreduce(r) | Cmd::Lvresize(r) => &r.common,
        Cmd::Nbd(c) => return c.common().common(),
        Cmd::Iscsi(c) => return c.common().common(),
    };
    common.clone()
}

/// Runs one parsed command, writing its output to `out`.
pub fn run(cmd: Cmd, ctx: &Ctx<'_>, out: &mut dyn Write) -> CliResult {
    let env = ctx.env;
    match cmd {
        Cmd::Version { .. } => Ok(out.write_all(version_text().as_bytes())?),
        Cmd::Pvs(r) => reports::report(ctx, report::ReportKind::Pvs, &r, out),
        Cmd::Vgs(r) => reports::report(ctx, report::ReportKind::Vgs, &r, out),
        Cmd::Lvs(r) => reports::report(ctx, report::ReportKind::Lvs, &r, out),
        Cmd::Pvdisplay(d) => reports::display(ctx, report::ReportKind::Pvs, &d, out),
        Cmd::Vgdisplay(d) => reports::display(ctx, report::ReportKind::Vgs, &d, out),
        Cmd::Lvdisplay(d) => reports::display(ctx, report::ReportKind::Lvs, &d, out),
        c @ (Cmd::Pvcreate { .. }
        | Cmd::Pvremove { .. }
        | Cmd::Pvscan { .. }
        | Cmd::Pvresize { .. }
        | Cmd::Pvck { .. }) => pv::run(c, env, out),
        c @ (Cmd::Lvcreate { .. }
        | Cmd::Lvremove { .. }
        | Cmd::Lvextend(_)
        | Cmd::Lvreduce(_)
        | Cmd::Lvresize(_)
        | Cmd::Lvrename { .. }
        | Cmd::Lvchange { .. }) => lv::run(c, ctx, out),
        Cmd::Lvconvert {
            merge,
            interval,
            background,
            names,
            ..
        } => merge::lvconvert(ctx, merge, background, interval, &names, out),
        Cmd::Lvpoll {
            polloperation,
            interval,
            name,
            ..
        } => merge::lvpoll(ctx, &polloperation, interval, &name, out),
        Cmd::Copy { src, dst, .. } => copy::copy(ctx, &src, &dst),
        Cmd::Serve { nbd, iscsi, .. } => serve::serve(ctx, &nbd, &iscsi),
        Cmd::Nbd(c) => exports::nbd(c, ctx, out),
        Cmd::Iscsi(c) => exports::iscsi(c, ctx, out),
        c => vg::run(c, ctx, out),
    }
}

/// A clap error as one line: its first paragraph (the message and the arguments it lists),
/// without the usage and help hints.
fn clap_error_line(text: &str) -> String {
    let words: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage:"))
        .map(str::trim)
        .collect();
    let line = words.join(" ");
    let line = line.trim_start_matches("error: ");
    if line.is_empty() {
        "invalid arguments".to_string()
    } else {
        line.to_string()
    }
}

/// Runs one command line (`["lvcreate", "-L", "4m", ...]`, without the program name) in this
/// process against `env`, with transient hosts, so the crash harness can run the real
/// commands over fault devices (`env.opener`). `--config` in `args` is not applied: `env`
/// already carries the config. A merge left running is not handed to a poller.
pub fn run_in(env: &Env, args: &[&str], out: &mut dyn Write) -> CliResult {
    let argv = std::iter::once("rvm").chain(args.iter().copied());
    let cli = Cli::try_parse_from(argv)
        .map_err(|e| CliError::Usage(clap_error_line(&e.render().to_string())))?;
    let hosts = Hosts::direct();
    // The caller's environment, with this command's hosts following its commits.
    let mut own = Env::new(
        env.system_dir.clone(),
        env.run_dir.clone(),
        env.config.clone(),
        env.readonly,
    );
    own.command = env.command.clone();
    own.opener = env.opener.clone();
    own.observer = Some(hosts.observer());
    let ctx = Ctx {
        env: &own,
        hosts: &hosts,
        exports: &DirectSink,
        interactive: false,
        config_text: None,
        prompt: &NoPrompt,
        default_vg: None,
    };
    let result = run(cli.cmd, &ctx, out);
    let finished = hosts.finish();
    for w in own.take_warnings().into_iter().chain(finished.warnings) {
        env.warn(w);
    }
    result?;
    match finished.error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// The environment variables commands read, from this process or from a daemon client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    /// `RVM_SYSTEM_DIR`.
    pub system_dir: Option<OsString>,
    /// `RVM_RUN_DIR`.
    pub run_dir: Option<OsString>,
    /// `LVM_VG_NAME`: the VG of commands that name none.
    pub vg_name: Option<String>,
}

impl Vars {
    /// The variables' names, as a daemon client sends them.
    pub const NAMES: [&'static str; 3] = ["RVM_SYSTEM_DIR", "RVM_RUN_DIR", "LVM_VG_NAME"];

    /// This process's.
    pub fn from_process() -> Vars {
        Vars::from_lookup(|k| std::env::var_os(k))
    }

    /// From any source of variables (a daemon client's request).
    pub fn from_lookup(get: impl Fn(&str) -> Option<OsString>) -> Vars {
        Vars {
            system_dir: get("RVM_SYSTEM_DIR").filter(|v| !v.is_empty()),
            run_dir: get("RVM_RUN_DIR").filter(|v| !v.is_empty()),
            vg_name: get("LVM_VG_NAME").map(|v| v.to_string_lossy().into_owned()),
        }
    }

    /// The configuration directory (default `/etc/rvm`).
    pub fn system_dir(&self) -> PathBuf {
        self.system_dir
            .as_ref()
            .map_or_else(|| PathBuf::from("/etc/rvm"), PathBuf::from)
    }

    /// The locks and control socket directory (default `/run/rvm`).
    pub fn run_dir(&self) -> PathBuf {
        self.run_dir
            .as_ref()
            .map_or_else(|| PathBuf::from("/run/rvm"), PathBuf::from)
    }

    /// As (name, value) pairs, for a request to the daemon.
    pub fn pairs(&self) -> Vec<(OsString, OsString)> {
        let values = [
            self.system_dir.clone(),
            self.run_dir.clone(),
            self.vg_name.clone().map(OsString::from),
        ];
        Vars::NAMES
            .iter()
            .zip(values)
            .filter_map(|(k, v)| Some((OsString::from(k), v?)))
            .collect()
    }
}

/// Everything a command line runs with besides its arguments: the hosts through which it
/// reaches open VGs, the export sink, who answers its questions, and its caller's
/// variables. `rvm` itself builds one per process; the daemon builds one per forwarded
/// command, with its own hosts and sink and the client as the prompt.
pub struct Invocation<'a> {
    pub hosts: &'a dyn HostProvider,
    pub exports: &'a dyn ExportSink,
    /// How PVs are opened (the crash harness's fault devices); files when `None`.
    pub opener: Option<std::sync::Arc<dyn crate::block::DeviceOpener>>,
    pub prompt: &'a dyn Prompt,
    pub vars: Vars,
    /// Progress bars may be drawn.
    pub interactive: bool,
}

/// Runs one command line as `rvm` would, against `hosts`: what the command prints goes to
/// `out`, its warnings and its one-line failure to `err`; returns LVM2's exit code. Merges
/// that transient hosts leave unfinished when the command ends go on in a detached
/// `rvm lvpoll`.
pub fn execute(
    argv: Vec<OsString>,
    hosts: &dyn HostProvider,
    out: &mut dyn Write,
    err: &mut dyn Write,
    interactive: bool,
) -> i32 {
    execute_with(argv, hosts, &DirectSink, None, out, err, interactive)
}

/// [`execute`] with an export sink, and the PVs opened through `opener` (the crash
/// harness's fault devices) instead of the files themselves.
pub fn execute_with(
    argv: Vec<OsString>,
    hosts: &dyn HostProvider,
    exports: &dyn ExportSink,
    opener: Option<std::sync::Arc<dyn crate::block::DeviceOpener>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    interactive: bool,
) -> i32 {
    let inv = Invocation {
        hosts,
        exports,
        opener,
        prompt: &StdioPrompt,
        vars: Vars::from_process(),
        interactive,
    };
    invoke(argv, &inv, out, err)
}

/// Runs one command line in `inv`; see [`execute`].
pub fn invoke(
    argv: Vec<OsString>,
    inv: &Invocation<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let argv = dispatch_argv(argv);
    if argv.iter().skip(1).any(|a| a == "--version") {
        let _ = out.write_all(version_text().as_bytes());
        return 0;
    }
    let command_line = argv
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let cli = match Cli::try_parse_from(&argv) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = write!(out, "{}", e.render());
                return 0;
            }
            let _ = writeln!(err, "  {}", clap_error_line(&e.render().to_string()));
            return EXIT_FAILURE;
        }
    };
    let common = common_of(&cli.cmd).clone();
    let mut env = match make_env(&common, &inv.vars, command_line) {
        Ok(env) => env,
        Err(e) => {
            let _ = writeln!(err, "  {e}");
            return EXIT_FAILURE;
        }
    };
    env.observer = Some(inv.hosts.observer());
    if let Some(o) = &inv.opener {
        env.opener = o.clone();
    }
    let polling = matches!(cli.cmd, Cmd::Lvpoll { .. });
    let ctx = Ctx {
        env: &env,
        hosts: inv.hosts,
        exports: inv.exports,
        interactive: inv.interactive,
        config_text: common.config.clone(),
        prompt: inv.prompt,
        default_vg: inv.vars.vg_name.clone(),
    };
    let mut result = run(cli.cmd, &ctx, out);
    let _ = out.flush();
    let finished = inv.hosts.finish();
    for m in &finished.merges {
        if m.error.is_none() && !polling {
            merge::spawn_poller(&ctx, &m.vg, &m.origin);
        }
    }
    if let (Some(e), true) = (finished.error, result.is_ok()) {
        result = Err(e.into());
    }
    for w in env.take_warnings().into_iter().chain(finished.warnings) {
        let _ = writeln!(err, "  {w}");
    }
    match result {
        Ok(()) => 0,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "  {e}");
            EXIT_FAILURE
        }
    }
}

/// Runs the command line and returns the process exit code: through the daemon when one
/// runs (see [`forward`]), else here.
pub fn main() -> i32 {
    use std::io::IsTerminal;
    let argv = dispatch_argv(std::env::args_os().collect());
    let vars = Vars::from_process();
    let interactive = std::io::stderr().is_terminal();
    if let Some(code) = forward::forward(&argv, &vars, interactive) {
        return code;
    }
    let hosts = Hosts::direct();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let inv = Invocation {
        hosts: &hosts,
        exports: &DirectSink,
        opener: None,
        prompt: &StdioPrompt,
        vars,
        interactive,
    };
    let code = invoke(argv, &inv, &mut out, &mut std::io::stderr());
    let _ = out.flush();
    code
}
