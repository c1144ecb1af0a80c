//! A merge killed with SIGKILL stays recorded (lvs shows the snapshot `S` and the origin
//! `O`, with the merge's Data%), and resumes: in the foreground with `lvconvert --merge`
//! of the same snapshot, or in the background after `lvchange --refresh` of the origin.
//! Either way the origin ends equal to the snapshot.

mod common;
mod snap_support;
use common::*;
use snap_support::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

const SIZE: usize = 256 << 20;

/// An origin whose snapshot holds every other 4 KiB block: merging it takes one small
/// copy per exception, long enough to kill it midway.
fn setup(s: &Sandbox) -> Vec<u8> {
    s.vg("vg", 1, GIB);
    s.ok(&["lvcreate", "-L", "256m", "-n", "o", "vg"]);
    let base = data(61, SIZE);
    s.ok(&["copy", &image(s, "base.img", &base), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "200m", "-n", "snap", "vg/o"]);
    let writes: Vec<(u64, Vec<u8>)> = (0..(SIZE as u64 / 8192))
        .map(|k| (k * 8192, data(1000 + k, 4096)))
        .collect();
    write_lv(s, "vg", "o", &writes);
    base
}

/// Starts a foreground merge and kills it as soon as it has started copying.
fn start_and_kill(s: &Sandbox) {
    let mut child = s
        .cmd(&["lvconvert", "--merge", "-i", "1", "vg/snap"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert_eq!(first, "  Merging of volume vg/snap started.");
    let progress = lines.next().unwrap().unwrap();
    assert!(progress.starts_with("  vg/o: Merged: "), "{progress}");
    child.kill().unwrap();
    child.wait().unwrap();
}

fn assert_recorded_merge(s: &Sandbox) {
    assert_eq!(
        lv_names(s, "vg"),
        vec!["o", "[snap]"],
        "the merge finished before the kill"
    );
    assert_eq!(field(s, "vg/o", "lv_attr"), "Owi-a-s---");
    assert_eq!(field(s, "vg/snap", "lv_attr"), "Swi-a-s---");
    let pct: f64 = field(s, "vg/o", "data_percent").parse().unwrap();
    assert!(pct > 0.0 && pct <= 100.0, "{pct}");
    let e = s.fail(&["lvcreate", "-s", "-L", "8m", "-n", "x", "vg/o"]);
    assert!(
        e.contains("Snapshots of an origin that has a merging snapshot are not supported."),
        "{e}"
    );
    let e = s.fail(&["lvremove", "-f", "vg/snap"]);
    assert!(
        e.contains("Can't remove merging snapshot logical volume vg/snap."),
        "{e}"
    );
}

#[test]
fn a_killed_merge_resumes_with_lvconvert() {
    let s = Sandbox::new();
    let base = setup(&s);
    start_and_kill(&s);
    assert_recorded_merge(&s);
    let out = s.ok(&["lvconvert", "--merge", "-i", "0", "vg/snap"]);
    assert!(
        out.starts_with("  Merging of volume vg/snap resumed.\n"),
        "{out}"
    );
    assert!(
        out.contains("  Logical volume \"snap\" successfully removed."),
        "{out}"
    );
    assert_eq!(lv_names(&s, "vg"), vec!["o"]);
    assert_image("origin after resumed merge", &read_lv(&s, "vg/o"), &base);
}

#[test]
fn a_killed_merge_resumes_after_lvchange_refresh() {
    let s = Sandbox::new();
    let base = setup(&s);
    start_and_kill(&s);
    assert_recorded_merge(&s);
    s.ok(&["lvchange", "--refresh", "vg/o"]);
    assert!(
        wait_until(120, || lv_names(&s, "vg") == vec!["o"]),
        "the background merge did not finish: {:?}",
        lv_names(&s, "vg")
    );
    // The poller lets go of the origin just after the snapshot is gone.
    assert!(wait_until(30, || s
        .run(&["copy", "vg/o", "./after.img"])
        .status
        .success()));
    assert_image(
        "origin after background merge",
        &std::fs::read(s.path("after.img")).unwrap(),
        &base,
    );
}
