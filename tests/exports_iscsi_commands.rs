//! `rvm iscsi target|lun|acl|auth|list`: each verb, LUN numbering, IQN normalization, and
//! the targetcli-style tree, which never shows a secret.

mod exports_common;
use exports_common::*;

#[test]
fn targets_luns_acls_and_auth_build_the_tree() {
    let s = setup();
    assert_eq!(
        s.ok(&["iscsi", "list"]),
        "o- iscsi ......................................................... [Targets: 0]\n\
        \x20 o- discovery ................................................... [auth: none]\n"
    );
    // IQNs are case-insensitive and stored lowercased.
    assert_eq!(
        s.ok(&["iscsi", "target", "create", "IQN.2026-11.org.Example:Vol1"]),
        format!("  Target {T1} created.\n")
    );
    s.ok(&["iscsi", "target", "create", T2]);
    assert_eq!(
        s.ok(&["iscsi", "lun", "add", T1, "vg0/a"]),
        format!("  LUN 0 of target {T1} created for vg0/a.\n")
    );
    assert_eq!(
        s.ok(&["iscsi", "lun", "add", T1, "vg0/b", "--lun", "3"]),
        format!("  LUN 3 of target {T1} created for vg0/b.\n")
    );
    assert_eq!(
        s.ok(&["iscsi", "acl", "add", T1, "IQN.2026-11.org.example:KVM1"]),
        format!("  ACL entry {KVM1} added to target {T1}.\n")
    );
    assert_eq!(
        s.ok(&["iscsi", "acl", "add", T1, "all"]),
        format!("  ACL entry ALL added to target {T1}.\n")
    );
    assert_eq!(
        s.ok(&[
            "iscsi",
            "auth",
            T1,
            "--user",
            "kvm",
            "--password",
            SECRET,
            "--mutual-user",
            "tgt",
            "--mutual-password",
            MUTUAL_SECRET
        ]),
        format!("  Mutual CHAP authentication set for target {T1}.\n")
    );
    assert_eq!(
        s.ok(&[
            "iscsi",
            "auth",
            "discovery",
            "--user",
            "disc",
            "--password",
            SECRET
        ]),
        "  CHAP authentication set for discovery sessions.\n"
    );
    s.ok(&["iscsi", "lun", "add", T2, "vg0/a"]);
    let tree = s.ok(&["iscsi", "list"]);
    assert_eq!(
        tree,
        "\
o- iscsi ......................................................... [Targets: 2]
  o- discovery ......................................... [auth: chap user=disc]
  o- iqn.2026-11.org.example:vol1 ................................... [TPGs: 1]
  | o- tpg1 ...................... [auth: mutual chap user=kvm target-user=tgt]
  |   o- acls ....................................................... [ACLs: 2]
  |   | o- ALL ................................ [any initiator, Mapped LUNs: 2]
  |   | o- iqn.2026-11.org.example:kvm1 ...................... [Mapped LUNs: 2]
  |   o- luns ....................................................... [LUNs: 2]
  |   | o- lun0 ........................................ [vg0/a (40.00 MiB) rw]
  |   | o- lun3 ......................................... [vg0/b (8.00 MiB) ro]
  |   o- portals ................................................. [Portals: 1]
  |     o- 0.0.0.0:3260 ............................................. [default]
  o- iqn.2026-11.org.example:vol2 ................................... [TPGs: 1]
    o- tpg1 ...................................................... [auth: none]
      o- acls ........................................ [ACLs: 0, admits nobody]
      o- luns ....................................................... [LUNs: 1]
      | o- lun0 ........................................ [vg0/a (40.00 MiB) rw]
      o- portals ................................................. [Portals: 1]
        o- 0.0.0.0:3260 ............................................. [default]
"
    );
    assert!(!tree.contains(SECRET) && !tree.contains(MUTUAL_SECRET));

    // What the tree shows is what the file holds, LV ids included.
    let j = exports_json(&s);
    let t = &j["iscsi"]["targets"][T1];
    assert_eq!(t["luns"]["0"]["volume"], "vg0/a");
    assert_eq!(t["luns"]["0"]["lv_id"], lv_uuid(&s, "vg0/a"));
    assert_eq!(t["luns"]["3"]["lv_id"], lv_uuid(&s, "vg0/b"));
    assert_eq!(t["acl"], serde_json::json!(["ALL", KVM1]));
    assert_eq!(t["auth"]["user"], "kvm");
    assert_eq!(t["auth"]["mutual"]["user"], "tgt");
    assert_eq!(j["iscsi"]["discovery_auth"]["user"], "disc");

    // Removing things, one verb each.
    assert_eq!(
        s.ok(&["iscsi", "auth", T1, "--none"]),
        format!("  Authentication disabled for target {T1}.\n")
    );
    s.ok(&["iscsi", "auth", "discovery", "--none"]);
    assert_eq!(
        s.ok(&["iscsi", "acl", "remove", T1, "ALL"]),
        format!("  ACL entry ALL removed from target {T1}.\n")
    );
    assert_eq!(
        s.ok(&["iscsi", "lun", "remove", T1, "3"]),
        format!("  LUN 3 of target {T1} removed.\n")
    );
    assert_eq!(
        s.ok(&["iscsi", "target", "delete", T2]),
        format!("  Target {T2} deleted.\n")
    );
    let j = exports_json(&s);
    assert!(j["iscsi"]["discovery_auth"].is_null());
    assert!(j["iscsi"]["targets"][T1]["auth"].is_null());
    assert_eq!(j["iscsi"]["targets"][T1]["acl"], serde_json::json!([KVM1]));
    assert!(j["iscsi"]["targets"][T2].is_null());
    let tree = s.ok(&["iscsi", "list"]);
    assert!(tree.contains("[Targets: 1]") && tree.contains("o- lun0 ") && !tree.contains("lun3"));
}

#[test]
fn luns_take_the_lowest_free_number() {
    let s = setup();
    s.ok(&["iscsi", "target", "create", T1]);
    let lun_of = |out: String| -> String { out.split_whitespace().nth(1).unwrap().to_string() };
    assert_eq!(lun_of(s.ok(&["iscsi", "lun", "add", T1, "vg0/a"])), "0");
    assert_eq!(lun_of(s.ok(&["iscsi", "lun", "add", T1, "vg0/b"])), "1");
    assert_eq!(
        lun_of(s.ok(&["iscsi", "lun", "add", T1, "vg0/a", "--lun", "2"])),
        "2"
    );
    assert_eq!(
        lun_of(s.ok(&["iscsi", "lun", "add", T1, "vg0/a", "--lun", "16383"])),
        "16383"
    );
    assert_eq!(lun_of(s.ok(&["iscsi", "lun", "add", T1, "vg0/b"])), "3");
    s.ok(&["iscsi", "lun", "remove", T1, "1"]);
    assert_eq!(lun_of(s.ok(&["iscsi", "lun", "add", T1, "vg0/b"])), "1");
    let luns = exports_json(&s)["iscsi"]["targets"][T1]["luns"].clone();
    let mut keys: Vec<u64> = luns
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys, vec![0, 1, 2, 3, 16383]);
}

#[test]
fn eui_and_naa_names_are_accepted() {
    let s = setup();
    s.ok(&["iscsi", "target", "create", "eui.0123456789ABCDEF"]);
    s.ok(&["iscsi", "target", "create", "naa.0123456789abcdef"]);
    s.ok(&[
        "iscsi",
        "acl",
        "add",
        "eui.0123456789abcdef",
        "naa.0123456789abcdef0123456789abcdef",
    ]);
    let j = exports_json(&s);
    assert!(j["iscsi"]["targets"]["eui.0123456789abcdef"]["acl"][0]
        .as_str()
        .unwrap()
        .starts_with("naa."));
    assert!(j["iscsi"]["targets"]["naa.0123456789abcdef"].is_object());
}
