//! A hand-written exports.json (no LV ids, compact JSON) is read, its entries are found by
//! `VG/LV`, and the next change records their ids so that they survive renames.

mod exports_common;
use exports_common::*;

#[test]
fn entries_without_ids_are_found_by_name_then_pinned() {
    let s = setup();
    let hand = format!(
        r#"{{"version":1,"nbd":{{"disk":{{"volume":"vg0/a"}}}},"iscsi":{{"targets":{{"{T1}":{{"luns":{{"4":{{"volume":"vg0/b"}}}},"acl":["ALL"]}}}}}}}}"#
    );
    std::fs::write(exports_path(&s), &hand).unwrap();
    assert_eq!(
        s.ok(&["nbd", "list"]),
        "  Export LV         Size Access\n\
        \x20 disk   vg0/a 40.00 MiB rw\n"
    );
    assert!(s.ok(&["iscsi", "list"]).contains("[vg0/b (8.00 MiB) ro]"));
    // Reading never rewrites the file.
    assert_eq!(std::fs::read_to_string(exports_path(&s)).unwrap(), hand);

    // A change that looks at LVs records the ids of every entry.
    s.ok(&["nbd", "export", "vg0/b", "--name", "b"]);
    let j = exports_json(&s);
    assert_eq!(j["nbd"]["disk"]["lv_id"], lv_uuid(&s, "vg0/a"));
    assert_eq!(
        j["iscsi"]["targets"][T1]["luns"]["4"]["lv_id"],
        lv_uuid(&s, "vg0/b")
    );

    // From now on the entries follow their LVs.
    s.ok(&["lvrename", "vg0/a", "vg0/renamed"]);
    assert!(s
        .ok(&["nbd", "list"])
        .contains("disk   vg0/renamed 40.00 MiB rw"));
}
