//! Concurrent writers on one VG are serialised; readers never block each other.

mod common;
use common::*;
use nix::fcntl::{Flock, FlockArg};
use std::time::{Duration, Instant};

fn hold(s: &Sandbox, name: &str, arg: FlockArg) -> Flock<std::fs::File> {
    let dir = s.path("run").join("lock");
    std::fs::create_dir_all(&dir).unwrap();
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .read(true)
        .open(dir.join(name))
        .unwrap();
    Flock::lock(f, arg).map_err(|(_, e)| e).unwrap()
}

/// Whether the command finishes within `limit`; it is left running otherwise.
fn finishes_within(child: &mut std::process::Child, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn concurrent_writers_serialise_without_lost_updates() {
    let s = Sandbox::new();
    s.vg("vg", 1, GIB);
    let seq0 = s.vg_json("vg")["seqno"].as_u64().unwrap();
    // Eight writers at once, twice.
    let children: Vec<_> = (0..8)
        .map(|i| {
            s.cmd(&["lvcreate", "-l", "2", "-n", &format!("t{i}"), "vg"])
                .spawn()
                .unwrap()
        })
        .collect();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            s.cmd(&["lvcreate", "-l", "2", "-n", &format!("p{i}"), "vg"])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut h in children.into_iter().chain(handles) {
        assert!(h.wait().unwrap().success());
    }
    let v = s.vg_json("vg");
    assert_eq!(v["lvs"].as_array().unwrap().len(), 16);
    assert_eq!(
        v["seqno"].as_u64().unwrap(),
        seq0 + 16,
        "every commit built on the previous one"
    );
    s.ok(&["vgck", "vg"]);
}

#[test]
fn readers_share_and_writers_wait() {
    let s = Sandbox::new();
    s.vg("vg", 1, GIB);
    // Another reader holds the VG: readers proceed, a writer waits.
    let shared = hold(&s, "V_vg", FlockArg::LockShared);
    let mut reader = s
        .cmd(&["vgs", "vg"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        finishes_within(&mut reader, Duration::from_secs(10)),
        "a reader blocked a reader"
    );
    let mut writer = s
        .cmd(&["lvcreate", "-l", "1", "-n", "w", "vg"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        !finishes_within(&mut writer, Duration::from_millis(500)),
        "a writer ignored a reader's lock"
    );
    drop(shared);
    assert!(finishes_within(&mut writer, Duration::from_secs(10)));
    assert!(writer.wait().unwrap().success());
    // A writer holds the VG: readers wait for a consistent view.
    let exclusive = hold(&s, "V_vg", FlockArg::LockExclusive);
    let mut reader = s
        .cmd(&["vgs", "vg"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(!finishes_within(&mut reader, Duration::from_millis(500)));
    drop(exclusive);
    assert!(finishes_within(&mut reader, Duration::from_secs(10)));
}
