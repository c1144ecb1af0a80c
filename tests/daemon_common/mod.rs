//! `rvm serve` as the tests run it: the real binary on a sandbox, on ports the OS picks,
//! with its log in a file. Commands run through `Sandbox` reach it through the control
//! socket, as a user's would.
#![allow(dead_code)]

use crate::common::Sandbox;
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Daemon {
    pub child: Child,
    pub nbd: SocketAddr,
    pub iscsi: SocketAddr,
    pub log: std::path::PathBuf,
}

impl Daemon {
    /// Starts `rvm serve` on the sandbox and waits until it takes commands.
    pub fn start(s: &Sandbox) -> Daemon {
        Daemon::start_with(s, &[])
    }

    /// Starts it with extra arguments (and `--nbd`/`--iscsi` on free ports unless given).
    pub fn start_with(s: &Sandbox, extra: &[&str]) -> Daemon {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = s.path(&format!("serve-{n}.log"));
        let mut args = vec!["serve"];
        if !extra.contains(&"--nbd") {
            args.extend(["--nbd", "127.0.0.1:0"]);
        }
        if !extra.contains(&"--iscsi") {
            args.extend(["--iscsi", "127.0.0.1:0"]);
        }
        args.extend(extra);
        let child = s
            .cmd(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut d = Daemon {
            child,
            nbd: "0.0.0.0:0".parse().unwrap(),
            iscsi: "0.0.0.0:0".parse().unwrap(),
            log,
        };
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let text = d.log_text();
            if let Some(line) = text.lines().find(|l| l.contains("serving NBD on ")) {
                let addr = |after: &str| -> SocketAddr {
                    let rest = line.split(after).nth(1).unwrap();
                    rest.split(',').next().unwrap().trim().parse().unwrap()
                };
                d.nbd = addr("NBD on ");
                d.iscsi = addr("iSCSI on ");
                return d;
            }
            if let Ok(Some(status)) = d.child.try_wait() {
                panic!("rvm serve exited with {status} before serving: {text}");
            }
            assert!(Instant::now() < until, "rvm serve did not start: {text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn uri(&self, export: &str) -> String {
        format!("nbd://{}/{export}", self.nbd)
    }

    /// Sends `signal` and waits (up to 60 s) for the daemon to exit.
    pub fn stop_with(mut self, signal: nix::sys::signal::Signal) -> (ExitStatus, String) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid()), signal).unwrap();
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, self.log_text());
            }
            assert!(
                Instant::now() < until,
                "rvm serve did not stop on {signal}: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM; asserts a clean exit 0 and returns the log.
    pub fn stop(self) -> String {
        let (status, log) = self.stop_with(nix::sys::signal::Signal::SIGTERM);
        assert!(status.success(), "rvm serve exited with {status}: {log}");
        log
    }

    /// kill -9, as a crash would.
    pub fn kill9(self) {
        let _ = self.stop_with(nix::sys::signal::Signal::SIGKILL);
    }

    /// CPU time the daemon used so far, in clock ticks (utime + stime from /proc).
    pub fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a client tool to completion within `secs`, returning its output.
pub fn tool(secs: u32, cmd: &str, args: &[&str]) -> std::process::Output {
    Command::new("timeout")
        .arg(secs.to_string())
        .arg(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (tools/install-test-deps.sh installs it)"))
}

/// Runs a tool and asserts it succeeded; returns its stdout.
pub fn tool_ok(secs: u32, cmd: &str, args: &[&str]) -> String {
    let o = tool(secs, cmd, args);
    assert!(
        o.status.success(),
        "{cmd} {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
