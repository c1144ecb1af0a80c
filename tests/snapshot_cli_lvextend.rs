//! lvextend grows a snapshot's store (so more changes fit) and an origin with snapshots
//! (which read the new tail as zeros); neither shrinks, as LVM2 refuses too.

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn lvextend_of_a_snapshot_grows_its_store() {
    let s = Sandbox::new();
    s.vg("vg", 1, 256 * MIB);
    s.ok(&["lvcreate", "-L", "32m", "-n", "o", "vg"]);
    let size = 32 * MIB as usize;
    let base = data(31, size);
    s.ok(&["copy", &image(&s, "base.img", &base), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "8m", "-n", "snap", "vg/o"]);
    let out = s.ok(&["lvextend", "-L", "+8m", "vg/snap"]);
    assert!(out.contains("successfully resized"), "{out}");
    s.ok(&["lvextend", "-l", "+100%ORIGIN", "vg/snap"]);
    assert_eq!(field(&s, "vg/snap", "lv_size"), "48.00m");
    let next = data(32, size);
    s.ok(&["copy", &image(&s, "next.img", &next), "vg/o"]);
    assert_eq!(field(&s, "vg/snap", "lv_attr"), "swi-a-s---");
    assert_image("snapshot", &read_lv(&s, "vg/snap"), &base);
    let e = s.fail(&["lvreduce", "-f", "-L", "-4m", "vg/snap"]);
    assert!(e.contains("Snapshot vg/snap cannot be reduced"), "{e}");
}

#[test]
fn lvextend_of_an_origin_with_snapshots() {
    let s = Sandbox::new();
    s.vg("vg", 1, 256 * MIB);
    s.ok(&["lvcreate", "-L", "16m", "-n", "o", "vg"]);
    let base = data(41, 16 * MIB as usize);
    s.ok(&["copy", &image(&s, "base.img", &base), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "40m", "-n", "snap", "vg/o"]);
    // Created at most as large as a store for the whole origin needs, as LVM2 caps it.
    assert_eq!(field(&s, "vg/snap", "lv_size"), "24.00m");
    s.ok(&["lvextend", "-L", "24m", "vg/o"]);
    assert_eq!(field(&s, "vg/o", "lv_size"), "24.00m");
    s.ok(&["lvextend", "-L", "40m", "vg/snap"]);
    assert_eq!(field(&s, "vg/snap", "origin_size"), "24.00m");
    // The whole grown origin is rewritten; the snapshot keeps its data and reads the
    // tail it never had as zeros.
    let next = data(42, 24 * MIB as usize);
    s.ok(&["copy", &image(&s, "next.img", &next), "vg/o"]);
    let mut want = base.clone();
    want.resize(24 * MIB as usize, 0);
    assert_image("snapshot", &read_lv(&s, "vg/snap"), &want);
    assert_image("origin", &read_lv(&s, "vg/o"), &next);
    let e = s.fail(&["lvreduce", "-f", "-L", "16m", "vg/o"]);
    assert!(
        e.contains("Snapshot origin volumes cannot be reduced in size yet."),
        "{e}"
    );
}
