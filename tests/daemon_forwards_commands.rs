//! While `rvm serve` runs, commands go through its control socket and run against the VGs
//! it holds open, as the client ran them: its working directory, its variables, its
//! terminal for questions, LVM2's exit codes and one error line.

mod common;
mod daemon_common;
mod nbd_common;
use common::*;
use daemon_common::*;
use nbd_common::RawClient;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

fn served_vg(s: &Sandbox) -> Daemon {
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "64m", "-n", "vol", "vg0"]);
    s.ok(&["nbd", "export", "vg0/vol"]);
    Daemon::start(s)
}

#[test]
fn a_snapshot_of_a_served_lv_is_taken_inside_the_daemon() {
    let s = Sandbox::new();
    let d = served_vg(&s);
    // The daemon holds vol open; a command of its own process could not snapshot it
    // ("in use"), so success means the command ran in the daemon.
    let mut c = RawClient::connect(d.nbd, "vg0/vol", true);
    assert_eq!(c.write(0, &[7u8; 4096]), 0);
    s.ok(&["lvcreate", "-s", "-L", "16m", "-n", "snap", "vg0/vol"]);
    assert_eq!(c.write(0, &[8u8; 4096]), 0);
    assert_eq!(c.flush(), 0);
    let attrs = s.ok(&["lvs", "--noheadings", "-o", "lv_name,lv_attr", "vg0"]);
    assert!(attrs.contains("snap swi-a-s---"), "{attrs}");
    assert!(attrs.contains("vol  owi-aos---"), "{attrs}");
    s.ok(&["nbd", "export", "vg0/snap", "--readonly"]);
    let mut sc = RawClient::connect(d.nbd, "vg0/snap", true);
    assert_eq!(sc.read(0, 4096).unwrap(), vec![7u8; 4096]);
    assert_eq!(c.read(0, 4096).unwrap(), vec![8u8; 4096]);
    let log = d.stop();
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn relative_paths_and_variables_are_the_clients() {
    let s = Sandbox::new();
    let d = Daemon::start(&s);
    let sub = s.path("disks");
    std::fs::create_dir(&sub).unwrap();
    std::fs::File::create(sub.join("a.img"))
        .unwrap()
        .set_len(GIB)
        .unwrap();
    let o = s
        .cmd(&["pvcreate", "./a.img"])
        .current_dir(&sub)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let devices = std::fs::read_to_string(s.sys().join("devices")).unwrap();
    let abs = sub.canonicalize().unwrap().join("a.img");
    assert!(devices.contains(abs.to_str().unwrap()), "{devices}");
    let o = s
        .cmd(&["vgcreate", "vg0", "a.img"])
        .current_dir(&sub)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    // LVM_VG_NAME names the VG of an lvcreate that names none.
    let o = s
        .cmd(&["lvcreate", "-L", "8m", "-n", "x"])
        .env("LVM_VG_NAME", "vg0")
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert_eq!(s.ok(&["lvs", "--noheadings", "-o", "lv_name"]).trim(), "x");
    d.stop();
}

#[test]
fn questions_are_asked_on_the_clients_terminal() {
    let s = Sandbox::new();
    let d = served_vg(&s);
    s.ok(&["lvcreate", "-L", "8m", "-n", "x", "vg0"]);
    let answer = |text: &str| {
        let mut child = s
            .cmd(&["lvremove", "vg0/x"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let no = answer("n\n");
    assert_eq!(no.status.code(), Some(5));
    let out = String::from_utf8_lossy(&no.stdout);
    assert!(
        out.contains("Do you really want to remove active logical volume vg0/x? [y/n]:"),
        "{out}"
    );
    assert!(String::from_utf8_lossy(&no.stderr).contains("not removed"));
    assert!(s.ok(&["lvs", "vg0/x"]).contains(" x "));
    let yes = answer("y\n");
    assert!(yes.status.success(), "{yes:?}");
    assert!(String::from_utf8_lossy(&yes.stdout).contains("successfully removed"));
    // No answer at all (stdin closed) is no.
    s.ok(&["lvcreate", "-L", "8m", "-n", "y", "vg0"]);
    let o = s
        .cmd(&["lvremove", "vg0/y"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    d.stop();
}

#[test]
fn failures_through_the_daemon_are_one_line_and_exit_5() {
    let s = Sandbox::new();
    let d = served_vg(&s);
    let e = s.fail(&["lvcreate", "-L", "100g", "-n", "big", "vg0"]);
    assert!(e.contains("insufficient free space"), "{e}");
    let e = s.fail(&["lvs", "nosuchvg"]);
    assert!(e.contains("not found"), "{e}");
    let e = s.fail(&["lvremove", "vg0/vol"]);
    assert!(e.contains("is exported"), "{e}");
    let e = s.fail(&["lvcreate", "--bogus"]);
    assert!(e.contains("--bogus"), "{e}");
    // Nothing changed, and the daemon still serves.
    assert_eq!(
        s.ok(&["lvs", "--noheadings", "-o", "lv_name", "vg0"])
            .trim(),
        "vol"
    );
    nbd_common::assert_healthy(d.nbd, "vg0/vol");
    d.stop();
}

#[test]
fn a_client_with_another_system_directory_is_refused() {
    let s = Sandbox::new();
    let d = served_vg(&s);
    let other = s.path("other-sys");
    std::fs::create_dir(&other).unwrap();
    let o = s
        .cmd(&["lvs"])
        .env("RVM_SYSTEM_DIR", &other)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("serves system directory"), "{err}");
    d.stop();
}

#[test]
fn the_control_socket_is_owner_only_and_one_daemon_runs_per_run_directory() {
    let s = Sandbox::new();
    let d = served_vg(&s);
    let sock = s.path("run").join("daemon.socket");
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let o = s
        .cmd(&["serve", "--nbd", "127.0.0.1:0", "--iscsi", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("another rvm serve is running"), "{err}");
    let log = d.stop();
    assert!(!sock.exists(), "socket left after a clean stop: {log}");
}

#[test]
fn after_kill_9_commands_run_without_the_daemon_and_it_starts_again() {
    let s = Sandbox::new();
    let d = served_vg(&s);
    d.kill9();
    let sock = s.path("run").join("daemon.socket");
    assert!(sock.exists(), "kill -9 cannot remove the socket");
    // The stale socket refuses connections: the command runs here.
    s.ok(&["lvcreate", "-L", "8m", "-n", "direct", "vg0"]);
    let d = Daemon::start(&s);
    nbd_common::assert_healthy(d.nbd, "vg0/vol");
    s.ok(&["lvremove", "-f", "vg0/direct"]);
    d.stop();
}
