//! `snapshot_autoextend_threshold`/`_percent` in rvm.conf grow a snapshot's store from
//! the VG's free space before it fills, as LVM2's monitoring does.

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn the_store_grows_before_it_fills() {
    let s = Sandbox::new();
    std::fs::write(
        s.sys().join("rvm.conf"),
        "activation {\n  snapshot_autoextend_threshold = 60\n  snapshot_autoextend_percent = 50\n}\n",
    )
    .unwrap();
    s.vg("vg", 1, 512 * MIB);
    s.ok(&["lvcreate", "-L", "64m", "-n", "o", "vg"]);
    let size = 64 * MIB as usize;
    let base = data(21, size);
    s.ok(&["copy", &image(&s, "base.img", &base), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "8m", "-n", "snap", "vg/o"]);
    let next = data(22, size);
    s.ok(&["copy", &image(&s, "next.img", &next), "vg/o"]);
    assert_eq!(field(&s, "vg/snap", "lv_attr"), "swi-a-s---");
    let grown: f64 = field(&s, "vg/snap", "lv_size")
        .trim_end_matches('m')
        .parse()
        .unwrap();
    assert!(grown >= 64.0, "store grew to {grown} MiB");
    assert_image("snapshot", &read_lv(&s, "vg/snap"), &base);
    assert_image("origin", &read_lv(&s, "vg/o"), &next);

    // Without the configuration the same writes overflow a store of the same size.
    std::fs::remove_file(s.sys().join("rvm.conf")).unwrap();
    s.ok(&["lvcreate", "-s", "-L", "8m", "-n", "fixed", "vg/o"]);
    s.ok(&["copy", &image(&s, "third.img", &data(23, size)), "vg/o"]);
    assert_eq!(field(&s, "vg/fixed", "lv_attr"), "swi-I-s---");
    assert_eq!(field(&s, "vg/fixed", "lv_size"), "8.00m");
}
