//! Changes to served LVs through the daemon: adding, removing and resizing one export
//! never disturbs another's connections; lvextend is seen by new connections; lvremove of
//! an exported LV is refused, or with -f unexports it and closes its clients; a merge of a
//! served origin runs in the daemon while its client keeps reading and writing.

mod common;
mod daemon_common;
mod nbd_common;
use common::*;
use daemon_common::*;
use nbd_common::RawClient;
use std::io::Read;

fn block(seed: u8) -> Vec<u8> {
    (0..4096u32).map(|i| (i as u8) ^ seed).collect()
}

#[test]
fn changing_one_export_leaves_the_others_connections_alone() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    for lv in ["a", "b"] {
        s.ok(&["lvcreate", "-L", "16m", "-n", lv, "vg0"]);
    }
    s.ok(&["nbd", "export", "vg0/a"]);
    let d = Daemon::start(&s);
    let mut a = RawClient::connect(d.nbd, "vg0/a", true);
    let mut n = 0u8;
    let mut check = |a: &mut RawClient| {
        n = n.wrapping_add(1);
        assert_eq!(a.write(4096 * n as u64, &block(n)), 0);
        assert_eq!(a.read(4096 * n as u64, 4096).unwrap(), block(n));
    };
    check(&mut a);
    s.ok(&["nbd", "export", "vg0/b"]);
    let mut b = RawClient::connect(d.nbd, "vg0/b", true);
    assert_eq!(b.write(0, &block(9)), 0);
    check(&mut a);
    s.ok(&["lvextend", "-L", "+8m", "vg0/b"]);
    check(&mut a);
    s.ok(&["nbd", "unexport", "vg0/b"]);
    // b's client is closed; a's goes on on the same connection.
    let mut rest = Vec::new();
    let _ = b.stream.read_to_end(&mut rest);
    check(&mut a);
    s.ok(&["iscsi", "target", "create", "iqn.2026-11.org.example:t"]);
    s.ok(&["iscsi", "lun", "add", "iqn.2026-11.org.example:t", "vg0/b"]);
    check(&mut a);
    s.ok(&["iscsi", "target", "delete", "iqn.2026-11.org.example:t"]);
    check(&mut a);
    a.disconnect();
    d.stop();
}

#[test]
fn lvextend_of_a_served_lv_is_seen_by_new_connections() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "16m", "-n", "vol", "vg0"]);
    s.ok(&["nbd", "export", "vg0/vol"]);
    let d = Daemon::start(&s);
    let old = RawClient::connect(d.nbd, "vg0/vol", true);
    assert_eq!(old.size, 16 << 20);
    s.ok(&["lvextend", "-L", "40m", "vg0/vol"]);
    let size = tool_ok(20, "nbdinfo", &["--size", &d.uri("vg0/vol")]);
    assert_eq!(size.trim(), (40u64 << 20).to_string());
    // The grown tail is usable, and reads zeros until written.
    let mut c = RawClient::connect(d.nbd, "vg0/vol", true);
    assert_eq!(c.read(39 << 20, 4096).unwrap(), vec![0u8; 4096]);
    assert_eq!(c.write(39 << 20, &block(3)), 0);
    assert_eq!(c.read(39 << 20, 4096).unwrap(), block(3));
    // Also with a snapshot: the origin grows and the snapshot keeps its size.
    s.ok(&["lvcreate", "-s", "-L", "8m", "-n", "snap", "vg0/vol"]);
    s.ok(&["lvextend", "-L", "48m", "vg0/vol"]);
    let size = tool_ok(20, "nbdinfo", &["--size", &d.uri("vg0/vol")]);
    assert_eq!(size.trim(), (48u64 << 20).to_string());
    drop(old);
    d.stop();
}

#[test]
fn lvremove_of_a_served_lv_is_refused_or_with_force_unexports_first() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "16m", "-n", "vol", "vg0"]);
    s.ok(&["nbd", "export", "vg0/vol"]);
    let d = Daemon::start(&s);
    let mut c = RawClient::connect(d.nbd, "vg0/vol", true);
    assert_eq!(c.write(0, &block(1)), 0);
    let e = s.fail(&["lvremove", "vg0/vol"]);
    assert!(e.contains("is exported"), "{e}");
    assert_eq!(c.read(0, 4096).unwrap(), block(1));
    let out = s.ok(&["lvremove", "-f", "vg0/vol"]);
    assert!(out.contains("unexported"), "{out}");
    let mut rest = Vec::new();
    let _ = c.stream.read_to_end(&mut rest);
    let list = tool(20, "nbdinfo", &["--list", &format!("nbd://{}", d.nbd)]);
    assert!(
        !String::from_utf8_lossy(&list.stdout).contains("vg0/vol"),
        "{list:?}"
    );
    // A new LV of the same name is not served in its place.
    s.ok(&["lvcreate", "-L", "16m", "-n", "vol", "vg0"]);
    let o = tool(20, "nbdinfo", &["--size", &d.uri("vg0/vol")]);
    assert!(!o.status.success(), "{o:?}");
    d.stop();
}

#[test]
fn a_merge_of_a_served_origin_runs_in_the_daemon() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "32m", "-n", "vol", "vg0"]);
    s.ok(&["nbd", "export", "vg0/vol"]);
    let d = Daemon::start(&s);
    let mut c = RawClient::connect(d.nbd, "vg0/vol", true);
    for i in 0..64u64 {
        assert_eq!(c.write(i * 65536, &block(1)), 0);
    }
    s.ok(&["lvcreate", "-s", "-L", "16m", "-n", "snap", "vg0/vol"]);
    for i in 0..64u64 {
        assert_eq!(c.write(i * 65536, &block(2)), 0);
    }
    assert_eq!(c.flush(), 0);
    let out = s.ok(&["lvconvert", "--merge", "-i", "1", "vg0/snap"]);
    assert!(out.contains("Merging of volume vg0/snap started."), "{out}");
    assert!(out.contains("has finished"), "{out}");
    // The client, still connected, reads the snapshot's content from the origin.
    for i in 0..64u64 {
        assert!(c.read(i * 65536, 4096).unwrap() == block(1), "block {i}");
    }
    let lvs = s.ok(&["lvs", "--noheadings", "-o", "lv_name,lv_attr", "vg0"]);
    assert_eq!(lvs.trim(), "vol  -wi-ao----");
    // A background merge: lvs shows it live, and the daemon finishes it.
    s.ok(&["lvcreate", "-s", "-L", "16m", "-n", "snap2", "vg0/vol"]);
    for i in 0..64u64 {
        assert_eq!(c.write(i * 65536, &block(3)), 0);
    }
    s.ok(&["lvconvert", "--merge", "-b", "vg0/snap2"]);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while s
        .ok(&["lvs", "-a", "--noheadings", "-o", "lv_name", "vg0"])
        .contains("snap2")
    {
        assert!(std::time::Instant::now() < until, "merge did not finish");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // snap2 was taken after the first merge, when the origin read block(1) again.
    for i in 0..64u64 {
        assert!(c.read(i * 65536, 4096).unwrap() == block(1), "block {i}");
    }
    c.disconnect();
    d.stop();
}
