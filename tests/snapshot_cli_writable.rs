//! Writable snapshots take writes of their own without touching the origin; read-only
//! snapshots (`-p r`, or `lvchange -p r` later) refuse them and change nothing.

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn writable_snapshot_diverges_from_its_origin() {
    let s = Sandbox::new();
    s.vg("vg", 1, 256 * MIB);
    s.ok(&["lvcreate", "-L", "16m", "-n", "o", "vg"]);
    let size = 16 * MIB as usize;
    let origin = data(7, size);
    s.ok(&["copy", &image(&s, "o.img", &origin), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "24m", "-n", "w", "vg/o"]);
    assert_eq!(field(&s, "vg/w", "lv_attr"), "swi-a-s---");
    // A whole new image into the snapshot, then scattered writes.
    let mut snap = data(8, size);
    s.ok(&["copy", &image(&s, "w.img", &snap), "vg/w"]);
    let mut writes = Vec::new();
    for k in 0..50u64 {
        let off = (k * 331_777) % (size as u64 - 9000) / 512 * 512;
        let bytes = data(900 + k, 9000);
        snap[off as usize..off as usize + 9000].copy_from_slice(&bytes);
        writes.push((off, bytes));
    }
    write_lv(&s, "vg", "w", &writes);
    assert_image("snapshot", &read_lv(&s, "vg/w"), &snap);
    assert_image("origin", &read_lv(&s, "vg/o"), &origin);
}

#[test]
fn read_only_snapshots_refuse_writes() {
    let s = Sandbox::new();
    let pvs = s.vg("vg", 1, 128 * MIB);
    s.ok(&["lvcreate", "-L", "8m", "-n", "o", "vg"]);
    let origin = data(3, 8 * MIB as usize);
    s.ok(&["copy", &image(&s, "o.img", &origin), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-p", "r", "-L", "12m", "-n", "ro", "vg/o"]);
    assert_eq!(field(&s, "vg/ro", "lv_attr"), "sri-a-s---");
    let junk = image(&s, "junk.img", &data(4, MIB as usize));
    let before = pv_bytes(&pvs);
    let e = s.fail(&["copy", &junk, "vg/ro"]);
    assert!(
        e.contains("Cannot copy into read-only snapshot vg/ro"),
        "{e}"
    );
    assert!(pv_bytes(&pvs) == before, "a refused copy changed a PV");
    assert_image("read-only snapshot", &read_lv(&s, "vg/ro"), &origin);

    // Made writable, then read-only again with lvchange -p.
    s.ok(&["lvcreate", "-s", "-L", "12m", "-n", "rw", "vg/o"]);
    s.ok(&["lvchange", "-p", "r", "vg/rw"]);
    let e = s.fail(&["copy", &junk, "vg/rw"]);
    assert!(e.contains("read-only snapshot vg/rw"), "{e}");
    s.ok(&["lvchange", "-p", "rw", "vg/rw"]);
    s.ok(&["copy", &junk, "vg/rw"]);
    let mut want = origin.clone();
    want[..MIB as usize].copy_from_slice(&data(4, MIB as usize));
    assert_image("writable again", &read_lv(&s, "vg/rw"), &want);
    assert_image("origin untouched", &read_lv(&s, "vg/o"), &origin);
}
