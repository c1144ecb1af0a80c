//! Exports follow their LV's id: after lvrename and vgrename the lists show the new names,
//! the NBD export keeps the name clients use, and an LV that later takes the old name does
//! not inherit the export.

mod exports_common;
use exports_common::*;

#[test]
fn lists_show_current_names_after_renames() {
    let s = setup();
    s.ok(&["nbd", "export", "vg0/a"]);
    s.ok(&["iscsi", "target", "create", T1]);
    s.ok(&["iscsi", "lun", "add", T1, "vg0/a"]);
    let id = lv_uuid(&s, "vg0/a");

    s.ok(&["lvrename", "vg0", "a", "data"]);
    s.ok(&["vgrename", "vg0", "pool"]);
    // A new LV takes the old name: it is a different volume and is not exported.
    s.ok(&[
        "vgcreate",
        "vg0",
        s.file("other.img", GIB).to_str().unwrap(),
    ]);
    s.ok(&["lvcreate", "-L", "4m", "-n", "a", "vg0"]);

    assert_eq!(
        s.ok(&["nbd", "list"]),
        "  Export LV             Size Access\n\
        \x20 vg0/a  pool/data 40.00 MiB rw\n"
    );
    assert!(
        s.ok(&["iscsi", "list"])
            .contains("o- lun0 .................................... [pool/data (40.00 MiB) rw]\n"),
        "{}",
        s.ok(&["iscsi", "list"])
    );
    // The file still records the name given at export time, and the id it follows.
    let j = exports_json(&s);
    assert_eq!(j["nbd"]["vg0/a"]["volume"], "vg0/a");
    assert_eq!(j["nbd"]["vg0/a"]["lv_id"], id);
    assert_eq!(lv_uuid(&s, "pool/data"), id);

    // The newcomer vg0/a is free to remove; the renamed LV is still guarded.
    s.ok(&["lvremove", "-y", "vg0/a"]);
    let line = s.fail(&["lvremove", "-y", "pool/data"]);
    assert!(
        line.contains("Logical volume pool/data is exported"),
        "{line}"
    );
}

#[test]
fn a_removed_lv_shows_as_missing_and_a_namesake_is_not_served() {
    // An LV can vanish without lvremove (vgreduce --removemissing --force, vgcfgrestore):
    // the export then points at nothing, and says so.
    let s = setup();
    s.ok(&["nbd", "export", "vg0/a", "--name", "disk"]);
    let before = exports_bytes(&s).unwrap();
    let text = String::from_utf8(before).unwrap();
    let id = lv_uuid(&s, "vg0/a");
    let other = lv_uuid(&s, "vg0/b");
    // Point the export at an id no LV has (as if its LV had gone) but keep the name.
    std::fs::write(
        exports_path(&s),
        text.replace(&id, &other.chars().rev().collect::<String>()),
    )
    .unwrap();
    assert_eq!(
        s.ok(&["nbd", "list"]),
        "  Export LV              Size Access\n\
        \x20 disk   vg0/a (missing)    - rw\n"
    );
}
