//! A snapshot whose store fills becomes invalid, durably: lvs shows `I`, its data is
//! refused, and the origin write that filled it succeeds. Its siblings are unaffected.

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn overflow_invalidates_the_snapshot_and_keeps_the_origin() {
    let s = Sandbox::new();
    s.vg("vg", 1, 256 * MIB);
    s.ok(&["lvcreate", "-L", "32m", "-n", "o", "vg"]);
    let size = 32 * MIB as usize;
    let base = data(11, size);
    s.ok(&["copy", &image(&s, "base.img", &base), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "4m", "-n", "small", "vg/o"]);
    s.ok(&["lvcreate", "-s", "-l", "100%ORIGIN", "-n", "big", "vg/o"]);
    assert_eq!(field(&s, "vg/small", "lv_attr"), "swi-a-s---");
    let next = data(12, size);
    s.ok(&["copy", &image(&s, "next.img", &next), "vg/o"]);
    assert_eq!(field(&s, "vg/small", "lv_attr"), "swi-I-s---");
    assert_eq!(
        field(&s, "vg/small", "lv_snapshot_invalid"),
        "snapshot invalid"
    );
    assert_eq!(field(&s, "vg/small", "data_percent"), "");
    let e = s.fail(&["copy", "vg/small", "./out.img"]);
    assert!(
        e.contains("Cannot read vg/small: snapshot is invalid"),
        "{e}"
    );
    assert_image("origin", &read_lv(&s, "vg/o"), &next);
    assert_image("the big sibling", &read_lv(&s, "vg/big"), &base);
    assert_eq!(field(&s, "vg/big", "lv_attr"), "swi-a-s---");
    // An invalid snapshot cannot be merged, and can be removed.
    let e = s.fail(&["lvconvert", "--merge", "vg/small"]);
    assert!(
        e.contains("Unable to merge invalidated snapshot LV vg/small."),
        "{e}"
    );
    s.ok(&["lvremove", "-f", "vg/small"]);
    assert_image("big after removal", &read_lv(&s, "vg/big"), &base);
}
