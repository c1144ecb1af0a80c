//! `rvm nbd export|unexport|list`: default names, --name, --readonly, the table, and the
//! configuration persisting in exports.json across invocations.

mod exports_common;
use exports_common::*;

#[test]
fn export_list_and_unexport() {
    let s = setup();
    // Nothing exported: the list is empty and no file is created by reading.
    assert_eq!(s.ok(&["nbd", "list"]), "");
    assert!(exports_bytes(&s).is_none());

    assert_eq!(
        s.ok(&["nbd", "export", "vg0/a"]),
        "  NBD export \"vg0/a\" created for vg0/a.\n"
    );
    assert_eq!(
        s.ok(&[
            "nbd",
            "export",
            "/dev/vg0/b",
            "--name",
            "golden",
            "--readonly"
        ]),
        "  NBD export \"golden\" created for vg0/b (read-only).\n"
    );
    // The same LV may be exported twice under different names (a read-only view).
    s.ok(&["nbd", "export", "vg0/a", "--name", "a-ro", "--readonly"]);

    // Each command ran in its own process: the list reads what they persisted.
    assert_eq!(
        s.ok(&["nbd", "list"]),
        "  Export LV         Size Access\n\
        \x20 a-ro   vg0/a 40.00 MiB ro\n\
        \x20 golden vg0/b  8.00 MiB ro\n\
        \x20 vg0/a  vg0/a 40.00 MiB rw\n"
    );

    let j = exports_json(&s);
    assert_eq!(j["version"], 1);
    assert_eq!(j["nbd"]["vg0/a"]["volume"], "vg0/a");
    assert_eq!(j["nbd"]["vg0/a"]["read_only"], false);
    assert_eq!(j["nbd"]["vg0/a"]["lv_id"], lv_uuid(&s, "vg0/a"));
    assert_eq!(j["nbd"]["golden"]["lv_id"], lv_uuid(&s, "vg0/b"));
    assert_eq!(j["nbd"]["golden"]["read_only"], true);

    assert_eq!(
        s.ok(&["nbd", "unexport", "a-ro"]),
        "  NBD export \"a-ro\" removed.\n"
    );
    s.ok(&["nbd", "unexport", "vg0/a"]);
    assert_eq!(
        s.ok(&["nbd", "list"]),
        "  Export LV        Size Access\n\
        \x20 golden vg0/b 8.00 MiB ro\n"
    );
    s.ok(&["nbd", "unexport", "golden"]);
    assert_eq!(s.ok(&["nbd", "list"]), "");
    assert_eq!(exports_json(&s)["nbd"], serde_json::json!({}));
}

#[test]
fn an_lv_made_read_only_later_lists_as_read_only() {
    let s = setup();
    s.ok(&["nbd", "export", "vg0/a"]);
    s.ok(&["lvchange", "-p", "r", "vg0/a"]);
    assert_eq!(
        s.ok(&["nbd", "list"]),
        "  Export LV         Size Access\n\
        \x20 vg0/a  vg0/a 40.00 MiB ro\n"
    );
    // The export's own flag is unchanged: it follows the LV when the LV is writable again.
    assert_eq!(exports_json(&s)["nbd"]["vg0/a"]["read_only"], false);
    s.ok(&["lvchange", "-p", "rw", "vg0/a"]);
    assert!(s.ok(&["nbd", "list"]).contains("40.00 MiB rw"));
}

#[test]
fn the_file_is_private_because_it_may_hold_chap_secrets() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup();
    s.ok(&["nbd", "export", "vg0/a"]);
    let mode = std::fs::metadata(exports_path(&s))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(s.sys())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(!names.iter().any(|n| n.contains("tmp")), "{names:?}");
}
