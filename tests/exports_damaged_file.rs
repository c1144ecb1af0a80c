//! A damaged or newer exports.json: every command that reads it fails with one line naming
//! the file, and nothing resets or rewrites it.

mod exports_common;
use exports_common::*;

/// Every command that must read the file, read-only and changing ones alike.
fn readers() -> Vec<Vec<String>> {
    [
        vec!["nbd", "list"],
        vec!["iscsi", "list"],
        vec!["nbd", "export", "vg0/a", "--name", "new"],
        vec!["nbd", "unexport", "vg0/a"],
        vec!["iscsi", "target", "create", T2],
        vec!["iscsi", "acl", "add", T1, "ALL"],
        vec!["iscsi", "auth", T1, "--none"],
        // lvremove and vgremove cannot know whether the LV is exported: they refuse too.
        vec!["lvremove", "-f", "vg0/b"],
        vec!["vgremove", "-f", "vg0"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect()
}

fn all_refused(s: &Sandbox, expect: &str) {
    let path = exports_path(s).display().to_string();
    for args in readers() {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let line = refused(s, &refs, expect);
        assert!(line.contains(&path), "{line} does not name {path}");
    }
    // The LVs are all still there.
    assert_eq!(s.lv_sizes("vg0").len(), 2);
}

fn configured() -> Sandbox {
    let s = setup();
    s.ok(&["nbd", "export", "vg0/a"]);
    s.ok(&["iscsi", "target", "create", T1]);
    s
}

#[test]
fn truncated_json_is_damage() {
    let s = configured();
    let text = std::fs::read_to_string(exports_path(&s)).unwrap();
    std::fs::write(exports_path(&s), &text[..text.len() / 2]).unwrap();
    all_refused(&s, "is damaged: EOF while parsing");
}

#[test]
fn garbage_and_non_utf8_are_damage() {
    let s = configured();
    std::fs::write(exports_path(&s), b"\xff\xfe\x00garbage").unwrap();
    all_refused(&s, "is damaged: not UTF-8 text");
    std::fs::write(exports_path(&s), b"").unwrap();
    all_refused(&s, "is damaged");
    std::fs::write(exports_path(&s), b"[1, 2]").unwrap();
    all_refused(&s, "is damaged");
}

#[test]
fn a_missing_version_or_invalid_content_is_damage() {
    let s = configured();
    let text = std::fs::read_to_string(exports_path(&s)).unwrap();
    std::fs::write(exports_path(&s), text.replace("\"version\": 1,", "")).unwrap();
    all_refused(&s, "is damaged: no format version");
    // Well-formed JSON, but an IQN that is not one.
    std::fs::write(exports_path(&s), text.replace(T1, "iqn.bogus")).unwrap();
    all_refused(&s, "is damaged: \"iqn.bogus\" is not a valid iSCSI name");
    // A CHAP secret the iSCSI layer would refuse at login time is refused at load time.
    let mut j: serde_json::Value = serde_json::from_str(&text).unwrap();
    j["iscsi"]["targets"][T1]["auth"] = serde_json::json!({"user": "u", "password": "short"});
    std::fs::write(exports_path(&s), serde_json::to_string(&j).unwrap()).unwrap();
    all_refused(&s, "is damaged: CHAP");
    // An unknown field is refused rather than dropped by the next write.
    std::fs::write(
        exports_path(&s),
        text.replacen("\"nbd\"", "\"nvme\": {}, \"nbd\"", 1),
    )
    .unwrap();
    all_refused(&s, "is damaged: unknown field `nvme`");
}

#[test]
fn a_newer_format_version_is_refused_by_name() {
    let s = configured();
    let text = std::fs::read_to_string(exports_path(&s)).unwrap();
    // A newer rvm may add fields: the version is what is reported.
    let newer = text.replace("\"version\": 1", "\"version\": 7").replacen(
        "\"nbd\"",
        "\"nvme\": {}, \"nbd\"",
        1,
    );
    std::fs::write(exports_path(&s), newer).unwrap();
    all_refused(
        &s,
        "has format version 7, newer than this rvm understands (1); use a newer rvm",
    );
}

#[test]
fn repairing_the_file_by_hand_brings_everything_back() {
    let s = configured();
    let good = std::fs::read(exports_path(&s)).unwrap();
    std::fs::write(exports_path(&s), b"{").unwrap();
    s.fail(&["nbd", "list"]);
    std::fs::write(exports_path(&s), &good).unwrap();
    assert!(s.ok(&["nbd", "list"]).contains("vg0/a"));
    s.ok(&["iscsi", "acl", "add", T1, "ALL"]);
}
