//! The daemon's lifecycle: SIGTERM and SIGINT stop it gracefully (connections drain,
//! held copy-on-write data and every volume are flushed, exit 0), the exports it serves
//! persist across restarts, and SIGHUP re-reads a hand-edited exports.json.

mod common;
mod daemon_common;
mod nbd_common;
use common::*;
use daemon_common::*;
use nbd_common::RawClient;
use nix::sys::signal::Signal;

fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

/// Origin writes with a snapshot present are held in memory until their exceptions
/// commit; a graceful stop must commit and write them, without any client flush.
fn unflushed_writes_survive(signal: Signal) {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "32m", "-n", "vol", "vg0"]);
    s.ok(&["nbd", "export", "vg0/vol"]);
    let d = Daemon::start(&s);
    let old = pattern(1, 1 << 20);
    let mut c = RawClient::connect(d.nbd, "vg0/vol", true);
    assert_eq!(c.write(0, &old), 0);
    s.ok(&["lvcreate", "-s", "-L", "8m", "-n", "snap", "vg0/vol"]);
    let new = pattern(2, 1 << 20);
    assert_eq!(c.write(0, &new), 0);
    // No flush: the daemon is told to stop with the client still connected.
    let (status, log) = d.stop_with(signal);
    assert!(status.success(), "exit {status}: {log}");
    assert!(log.contains("NBD: 1 connection(s) closed"), "{log}");
    // Read back without the daemon.
    let origin = s.path("origin.raw");
    let snap = s.path("snap.raw");
    s.ok(&["copy", "vg0/vol", origin.to_str().unwrap()]);
    s.ok(&["copy", "vg0/snap", snap.to_str().unwrap()]);
    assert_eq!(&std::fs::read(&origin).unwrap()[..1 << 20], &new[..]);
    assert_eq!(&std::fs::read(&snap).unwrap()[..1 << 20], &old[..]);
    s.ok(&["vgck", "vg0"]);
}

#[test]
fn sigterm_drains_flushes_and_exits_0() {
    unflushed_writes_survive(Signal::SIGTERM);
}

#[test]
fn sigint_stops_the_same_way() {
    unflushed_writes_survive(Signal::SIGINT);
}

#[test]
fn exports_persist_across_restarts() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "16m", "-n", "a", "vg0"]);
    let d = Daemon::start(&s);
    // Exported while the daemon runs: served at once, and still after a restart.
    s.ok(&["nbd", "export", "vg0/a", "--name", "disk-a"]);
    let list = tool_ok(20, "nbdinfo", &["--list", &format!("nbd://{}", d.nbd)]);
    assert!(list.contains("export=\"disk-a\""), "{list}");
    d.stop();
    let d = Daemon::start(&s);
    let size = tool_ok(20, "nbdinfo", &["--size", &d.uri("disk-a")]);
    assert_eq!(size.trim(), (16u64 << 20).to_string());
    d.stop();
}

#[test]
fn sighup_rereads_a_hand_edited_export_file() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "16m", "-n", "a", "vg0"]);
    let d = Daemon::start(&s);
    let file = s.sys().join("exports.json");
    std::fs::write(
        &file,
        r#"{ "version": 1, "nbd": { "by-hand": { "volume": "vg0/a", "read_only": true } } }"#,
    )
    .unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(d.pid()), Signal::SIGHUP).unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !d.log_text().contains("reloaded the export configuration") {
        assert!(std::time::Instant::now() < until, "{}", d.log_text());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let c = RawClient::connect(d.nbd, "by-hand", true);
    assert_eq!(c.size, 16 << 20);
    assert_ne!(
        c.flags & rvm::nbd::wire::FLAG_READ_ONLY,
        0,
        "read_only from the file"
    );
    drop(c);
    d.stop();
}
