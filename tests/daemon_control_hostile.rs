//! Bad input on the control socket: garbage, a frame claiming 4 GiB, a request of another
//! protocol version, a client that connects and says nothing, one that vanishes in the
//! middle of a question. Each gets a one-line refusal or is dropped, nothing changes, and
//! the daemon goes on running everyone else's commands.

mod common;
mod daemon_common;
use common::*;
use daemon_common::*;
use rvm::daemon::control::server::read_frame;
use rvm::daemon::control::wire::{frame, Kind, Request};
use std::io::Write;
use std::os::unix::net::UnixStream;

/// Sends `bytes` and collects the daemon's frames until it ends the conversation.
fn exchange(sock: &std::path::Path, bytes: &[u8]) -> Vec<(Kind, Vec<u8>)> {
    let mut s = UnixStream::connect(sock).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let _ = s.write_all(bytes);
    // Nothing more will come: a request cut short ends here, not at the request timeout.
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut got = Vec::new();
    while let Ok(f) = read_frame(&mut s) {
        let last = f.0 == Kind::Exit;
        got.push(f);
        if last {
            break;
        }
    }
    got
}

fn refused(frames: &[(Kind, Vec<u8>)]) -> String {
    let err: Vec<&(Kind, Vec<u8>)> = frames.iter().filter(|f| f.0 == Kind::Stderr).collect();
    assert_eq!(err.len(), 1, "{frames:?}");
    assert_eq!(
        frames.last().map(|f| (f.0, f.1.clone())),
        Some((Kind::Exit, vec![0, 0, 0, 5]))
    );
    String::from_utf8_lossy(&err[0].1).into_owned()
}

#[test]
fn bad_requests_are_refused_and_the_daemon_serves_on() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    let d = Daemon::start(&s);
    let sock = s.path("run").join("daemon.socket");
    // A client that connects and never speaks holds no one up.
    let silent = UnixStream::connect(&sock).unwrap();
    let before = tree(&s.sys());
    let e = refused(&exchange(&sock, b"Z\0\0\0\0"));
    assert!(e.contains("unknown frame kind"), "{e}");
    let e = refused(&exchange(&sock, &[b'R', 0xff, 0xff, 0xff, 0xff]));
    assert!(e.contains("larger than"), "{e}");
    let mut v2 = Request {
        argv: vec![
            "rvm".into(),
            "lvcreate".into(),
            "-L".into(),
            "4m".into(),
            "vg0".into(),
        ],
        ..Request::default()
    }
    .encode();
    v2[3] = 9;
    let e = refused(&exchange(&sock, &frame(Kind::Request, &v2)));
    assert!(e.contains("protocol version 9"), "{e}");
    let e = refused(&exchange(&sock, &frame(Kind::Answer, b"y\n")));
    assert!(e.contains("expected a request"), "{e}");
    // A truncated request, then the client goes away.
    let full = frame(Kind::Request, &v2);
    let e = refused(&exchange(&sock, &full[..full.len() / 2]));
    assert!(e.contains("bad request"), "{e}");
    assert_eq!(
        tree(&s.sys()),
        before,
        "a refused request changed something"
    );
    // Real commands still run, also while the silent client stays connected.
    s.ok(&["lvcreate", "-L", "4m", "-n", "after", "vg0"]);
    assert!(s.ok(&["lvs", "vg0/after"]).contains("after"));
    drop(silent);
    d.stop();
}

#[test]
fn a_client_that_vanishes_during_a_question_leaves_everything_as_it_was() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "4m", "-n", "keep", "vg0"]);
    let d = Daemon::start(&s);
    let sock = s.path("run").join("daemon.socket");
    let req = Request {
        argv: vec!["rvm".into(), "lvremove".into(), "vg0/keep".into()],
        cwd: s.dir.path().to_path_buf(),
        vars: vec![
            ("RVM_SYSTEM_DIR".into(), s.sys().into()),
            ("RVM_RUN_DIR".into(), s.path("run").into()),
        ],
        interactive: false,
    };
    let mut c = UnixStream::connect(&sock).unwrap();
    c.write_all(&frame(Kind::Request, &req.encode())).unwrap();
    let (kind, q) = read_frame(&mut c).unwrap();
    assert_eq!(kind, Kind::Question);
    assert!(String::from_utf8_lossy(&q).contains("Do you really want to remove"));
    drop(c);
    // The question went unanswered: nothing was removed, and the daemon goes on.
    let out = s.ok(&["lvs", "--noheadings", "-o", "lv_name", "vg0"]);
    assert!(out.contains("keep"), "removed without an answer: {out}");
    s.ok(&["lvremove", "-f", "vg0/keep"]);
    d.stop();
}
