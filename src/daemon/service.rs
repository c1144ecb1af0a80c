//! `rvm serve`: the running daemon. It holds the VGs open in long-lived hosts, serves the
//! configured exports over NBD and iSCSI, applies export changes live (it is the
//! [`ExportSink`] of the commands it runs), runs forwarded commands through its control
//! socket, and shuts down gracefully.

use super::control::server::{ControlServer, Runner};
use super::control::socket_path;
use super::exports::{ExportConfig, ExportSink, ExportStore, LvRef};
use super::nbd_exports::NbdExports;
use super::volumes::DaemonVgs;
use crate::block::DeviceOpener;
use crate::host::{HostProvider, Hosts};
use crate::iscsi::server::{Server as IscsiServer, ServerError, ServerOptions};
use crate::meta::config::Config;
use crate::meta::lock::{try_lock, LockGuard, LockMode};
use crate::meta::model::Vg;
use crate::nbd;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// What `rvm serve` was asked to do.
pub struct DaemonOptions {
    pub system_dir: PathBuf,
    pub run_dir: PathBuf,
    pub config: Config,
    /// NBD listen address (default 127.0.0.1:10809).
    pub nbd: SocketAddr,
    /// iSCSI portal (default 0.0.0.0:3260).
    pub iscsi: SocketAddr,
    /// How PVs are opened (files; fault devices under test).
    pub opener: Arc<dyn DeviceOpener>,
    /// How long shutdown waits for running commands, twice (see [`ControlServer::shutdown`]).
    pub command_grace: Duration,
}

/// Why the daemon could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("another rvm serve is running with run directory {0}")]
    AlreadyRunning(PathBuf),
    #[error("cannot listen for {what} on {addr}: {err}")]
    Listen {
        what: &'static str,
        addr: SocketAddr,
        #[source]
        err: std::io::Error,
    },
    #[error("cannot create the control socket {}: {err}", path.display())]
    Control {
        path: PathBuf,
        #[source]
        err: std::io::Error,
    },
    #[error(transparent)]
    Exports(#[from] super::exports::ExportError),
    #[error(transparent)]
    Meta(#[from] crate::meta::MetaError),
    #[error("{0}")]
    Iscsi(String),
    #[error("shutdown could not flush everything: {0}")]
    Flush(String),
}

/// The running daemon.
pub struct Daemon {
    vgs: Arc<DaemonVgs>,
    nbd_exports: Arc<NbdExports>,
    nbd: Mutex<Option<nbd::ServerHandle>>,
    nbd_addr: SocketAddr,
    iscsi: Mutex<Option<IscsiServer>>,
    iscsi_addr: SocketAddr,
    /// What is being served; changes apply one at a time.
    served: Mutex<Served>,
    control: Mutex<Option<ControlServer>>,
    control_path: PathBuf,
    command_grace: Duration,
    _lock: LockGuard,
}

struct Served {
    config: ExportConfig,
    /// LUNs that could not be mapped at the last change, retried after each command.
    unmapped: usize,
}

/// Something the daemon could not serve.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// An NBD export, by name.
    Nbd(String, String),
    /// An iSCSI target's LUN or access (by target), or the iSCSI configuration as a whole.
    Iscsi(Option<String>, String),
}

impl Failure {
    /// Whether it concerns what changed from `before` to `after`.
    fn concerns(&self, before: &ExportConfig, after: &ExportConfig) -> bool {
        match self {
            Failure::Nbd(name, _) => before.nbd.get(name) != after.nbd.get(name),
            Failure::Iscsi(Some(t), _) => before.iscsi.targets.get(t) != after.iscsi.targets.get(t),
            Failure::Iscsi(None, _) => true,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Nbd(name, why) => write!(f, "NBD export \"{name}\": {why}"),
            Failure::Iscsi(_, why) => write!(f, "iSCSI: {why}"),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Writes one line to the daemon's log (stderr).
pub fn log(line: &str) {
    eprintln!("rvm serve: {line}");
}

impl Daemon {
    /// Takes the daemon lock, reads the export configuration, binds NBD and iSCSI,
    /// resumes recorded merges and serves every export it can open (reporting the ones it
    /// cannot). Commands are not taken until [`Daemon::listen`].
    pub fn start(opts: DaemonOptions) -> Result<Arc<Daemon>, DaemonError> {
        std::fs::create_dir_all(&opts.run_dir)
            .map_err(|e| crate::meta::MetaError::io(&opts.run_dir, e))?;
        let guard = try_lock(&opts.run_dir, "daemon", LockMode::Exclusive)?
            .ok_or_else(|| DaemonError::AlreadyRunning(opts.run_dir.clone()))?;
        let store = ExportStore::new(&opts.system_dir, &opts.run_dir);
        let config = store.load()?;
        let vgs = Arc::new(DaemonVgs {
            system_dir: opts.system_dir.clone(),
            run_dir: opts.run_dir.clone(),
            config: opts.config.clone(),
            opener: opts.opener.clone(),
            hosts: Hosts::persistent(),
        });
        let nbd_exports = Arc::new(NbdExports::new(vgs.clone()));
        let nbd_server = nbd::start(opts.nbd, nbd_exports.clone(), nbd::ServerConfig::default())
            .map_err(|err| DaemonError::Listen {
                what: "NBD",
                addr: opts.nbd,
                err,
            })?;
        let iscsi = IscsiServer::start(ServerOptions::new(opts.iscsi)).map_err(|e| match e {
            crate::iscsi::server::ServerError::Io(err) => DaemonError::Listen {
                what: "iSCSI",
                addr: opts.iscsi,
                err,
            },
            other => DaemonError::Iscsi(other.to_string()),
        })?;
        let daemon = Arc::new(Daemon {
            vgs,
            nbd_exports,
            nbd_addr: nbd_server.local_addr(),
            nbd: Mutex::new(Some(nbd_server)),
            iscsi_addr: iscsi.local_addr(),
            iscsi: Mutex::new(Some(iscsi)),
            served: Mutex::new(Served {
                config: ExportConfig::default(),
                unmapped: 0,
            }),
            control: Mutex::new(None),
            control_path: socket_path(&opts.run_dir),
            command_grace: opts.command_grace,
            _lock: guard,
        });
        daemon.resume_merges();
        let env = daemon.vgs.env("serve");
        let vgs = daemon.vgs.read(&env).unwrap_or_else(|e| {
            log(&format!("cannot read the VGs: {e}"));
            Vec::new()
        });
        daemon.serve_config(config, &vgs);
        Ok(daemon)
    }

    /// Starts taking commands on the control socket, run by `runner`.
    pub fn listen(&self, runner: Arc<dyn Runner>) -> Result<(), DaemonError> {
        let server = ControlServer::start(&self.control_path, runner, 64).map_err(|err| {
            DaemonError::Control {
                path: self.control_path.clone(),
                err,
            }
        })?;
        *lock(&self.control) = Some(server);
        Ok(())
    }

    /// The daemon's hosts: forwarded commands run against them.
    pub fn hosts(&self) -> &Hosts {
        &self.vgs.hosts
    }

    /// How PVs are opened, for forwarded commands.
    pub fn opener(&self) -> Arc<dyn DeviceOpener> {
        self.vgs.opener.clone()
    }

    /// The system directory the daemon serves; a client with another one is refused.
    pub fn system_dir(&self) -> &std::path::Path {
        &self.vgs.system_dir
    }

    /// The NBD and iSCSI addresses actually bound.
    pub fn addresses(&self) -> (SocketAddr, SocketAddr) {
        (self.nbd_addr, self.iscsi_addr)
    }

    pub fn control_path(&self) -> &std::path::Path {
        &self.control_path
    }

    /// A merge recorded in metadata runs wherever its origin is open: the daemon opens
    /// every such origin, so merges interrupted by a crash or a restart go on here.
    fn resume_merges(&self) {
        let env = self.vgs.env("serve");
        let Ok(vgs) = self.vgs.read(&env) else { return };
        for vg in &vgs {
            for lv in &vg.lvs {
                let Some(origin) = lv
                    .snapshot()
                    .filter(|s| s.merging)
                    .and_then(|s| vg.lv_by_id(&s.origin))
                else {
                    continue;
                };
                let opened = self
                    .vgs
                    .hosts
                    .host(&env, &vg.name)
                    .and_then(|h| h.volume(&env, &origin.name));
                match opened {
                    Ok(_) => log(&format!(
                        "resumed the merge of {}/{} into {}/{}",
                        vg.name, lv.name, vg.name, origin.name
                    )),
                    Err(e) => log(&format!(
                        "cannot resume the merge of {}/{}: {e}",
                        vg.name, lv.name
                    )),
                }
            }
        }
        log_warnings(&env);
    }

    /// Serves `config` from now on, touching only what changed.
    fn serve_config(&self, config: ExportConfig, vgs: &[Vg]) -> Vec<Failure> {
        let mut served = lock(&self.served);
        let mut failed = Vec::new();
        let gone = self.nbd_exports.set(config.nbd.clone());
        if let Some(server) = lock(&self.nbd).as_ref() {
            for name in gone {
                let n = server.disconnect_export(&name);
                if n > 0 {
                    log(&format!(
                        "NBD export \"{name}\" changed: {n} connection(s) closed"
                    ));
                }
            }
        }
        failed.extend(
            self.nbd_exports
                .open_all(vgs)
                .into_iter()
                .map(|(name, why)| Failure::Nbd(name, why)),
        );
        let env = self.vgs.env("serve");
        served.unmapped = 0;
        if let Some(server) = lock(&self.iscsi).as_ref() {
            let open = |_: &str, _: u64, lc: &crate::iscsi::config::LunConfig| {
                let v = self.vgs.open(&env, vgs, LvRef::of_lun(lc))?;
                Ok(v as Arc<dyn crate::engine::Volume>)
            };
            match server.apply(&config.iscsi, open) {
                Ok(errors) => {
                    for e in errors {
                        let target = match &e {
                            ServerError::Volume { target, .. } => {
                                served.unmapped += 1;
                                Some(target.clone())
                            }
                            ServerError::NoTarget(t) | ServerError::TargetExists(t) => {
                                Some(t.clone())
                            }
                            _ => None,
                        };
                        failed.push(Failure::Iscsi(target, e.to_string()));
                    }
                }
                Err(e) => failed.push(Failure::Iscsi(None, e.to_string())),
            }
        }
        log_warnings(&env);
        served.config = config;
        for f in &failed {
            log(&f.to_string());
        }
        failed
    }

    /// Re-reads `exports.json` (SIGHUP), under the exports lock so that no command's
    /// change is half seen.
    pub fn reload(&self) -> Result<(), DaemonError> {
        let txn = ExportStore::new(&self.vgs.system_dir, &self.vgs.run_dir).begin()?;
        let env = self.vgs.env("serve");
        let vgs = self.vgs.read(&env).map_err(DaemonError::Iscsi)?;
        let failed = self.serve_config(txn.config.clone(), &vgs);
        log(&format!(
            "reloaded the export configuration ({} problem(s))",
            failed.len()
        ));
        Ok(())
    }

    /// After each forwarded command: LUNs that could not be mapped before (their LV was
    /// missing or in use by another process) are tried again.
    pub fn after_command(&self) {
        let config = {
            let served = lock(&self.served);
            if served.unmapped == 0 {
                return;
            }
            served.config.clone()
        };
        let env = self.vgs.env("serve");
        if let Ok(vgs) = self.vgs.read(&env) {
            self.serve_config(config, &vgs);
        }
    }

    /// Stops gracefully: no new commands or connections, running commands finish (or are
    /// cut off after the grace period), every connection drains, every volume and engine
    /// flushes and commits, and merges stop where they are (they resume at the next open).
    pub fn shutdown(&self) -> Result<(), DaemonError> {
        let stopped = lock(&self.control)
            .take()
            .map(|c| c.shutdown(self.command_grace))
            .unwrap_or_default();
        if stopped.abandoned > 0 {
            log(&format!(
                "{} command(s) still running at shutdown were abandoned",
                stopped.abandoned
            ));
        }
        let mut problems = Vec::new();
        if let Some(server) = lock(&self.nbd).take() {
            let r = server.shutdown();
            log(&format!(
                "NBD: {} connection(s) closed ({} forced)",
                r.connections, r.forced
            ));
            if r.flush_errors > 0 {
                problems.push(format!("{} NBD volume(s) failed to flush", r.flush_errors));
            }
        }
        if let Some(server) = lock(&self.iscsi).take() {
            if let Err(e) = server.shutdown() {
                problems.push(format!("iSCSI: {e}"));
            }
        }
        let finished = self.vgs.hosts.close_all();
        for w in finished.warnings {
            log(&w);
        }
        for m in finished.merges {
            log(&format!(
                "the merge of {}/{} into {}/{} stopped; it resumes at the next start",
                m.vg, m.snapshot, m.vg, m.origin
            ));
        }
        if let Some(e) = finished.error {
            problems.push(e.to_string());
        }
        match problems.is_empty() {
            true => Ok(()),
            false => Err(DaemonError::Flush(problems.join("; "))),
        }
    }
}

fn log_warnings(env: &crate::meta::Env) {
    for w in env.take_warnings() {
        log(w.trim());
    }
}

impl ExportSink for Daemon {
    /// Applies a command's change at once. Only failures of what the change touched are
    /// the command's business; older ones were reported when they happened.
    fn exports_changed(&self, before: &ExportConfig, after: &ExportConfig) -> Result<(), String> {
        let env = self.vgs.env("serve");
        let vgs = self.vgs.read(&env)?;
        let failed: Vec<String> = self
            .serve_config(after.clone(), &vgs)
            .into_iter()
            .filter(|f| f.concerns(before, after))
            .map(|f| f.to_string())
            .collect();
        match failed.is_empty() {
            true => Ok(()),
            false => Err(failed.join("; ")),
        }
    }

    fn iscsi_portal(&self) -> Option<String> {
        Some(self.iscsi_addr.to_string())
    }
}
