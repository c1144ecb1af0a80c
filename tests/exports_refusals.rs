//! Every refusal of the export commands: exit 5, one line on stderr, and exports.json
//! byte-identical afterwards (or still absent when there was none).

mod exports_common;
use exports_common::*;

#[test]
fn refusals_with_no_file_create_none() {
    let s = setup();
    refused(
        &s,
        &["nbd", "export", "vg0/nope"],
        "Failed to find logical volume \"vg0/nope\"",
    );
    refused(
        &s,
        &["nbd", "unexport", "vg0/a"],
        "NBD export \"vg0/a\" not found",
    );
    refused(&s, &["iscsi", "lun", "add", T1, "vg0/a"], "does not exist");
    refused(&s, &["iscsi", "target", "delete", T1], "does not exist");
    assert!(exports_bytes(&s).is_none());
}

#[test]
fn every_bad_argument_changes_nothing() {
    let s = setup();
    s.ok(&["nbd", "export", "vg0/a"]);
    s.ok(&["iscsi", "target", "create", T1]);
    s.ok(&["iscsi", "lun", "add", T1, "vg0/a"]);
    s.ok(&["iscsi", "acl", "add", T1, KVM1]);
    s.ok(&["iscsi", "auth", T1, "--user", "kvm", "--password", SECRET]);
    let long_name = "x".repeat(4097);
    let cases: &[(&[&str], &str)] = &[
        // NBD
        (
            &["nbd", "export", "vg0/nope"],
            "Failed to find logical volume \"vg0/nope\"",
        ),
        (
            &["nbd", "export", "vgx/a"],
            "Volume group \"vgx\" not found",
        ),
        (
            &["nbd", "export", "vg0"],
            "is not a valid logical volume name",
        ),
        (
            &["nbd", "export", "vg0/a"],
            "NBD export \"vg0/a\" already exists",
        ),
        (
            &["nbd", "export", "vg0/b", "--name", "vg0/a"],
            "already exists",
        ),
        (
            &["nbd", "export", "vg0/a", "--name", ""],
            "is not a valid NBD export name",
        ),
        (
            &["nbd", "export", "vg0/a", "--name", "a\tb"],
            "is not a valid NBD export name",
        ),
        (
            &["nbd", "export", "vg0/a", "--name", &long_name],
            "is not a valid NBD export name",
        ),
        (&["nbd", "export"], "required arguments were not provided"),
        (
            &["nbd", "unexport", "nope"],
            "NBD export \"nope\" not found",
        ),
        // targets
        (&["iscsi", "target", "create", T1], "already exists"),
        (
            &["iscsi", "target", "create", "iqn.2026.org.example"],
            "is not a valid iSCSI name",
        ),
        (
            &["iscsi", "target", "create", "iqn.26-11.org.example:x"],
            "is not a valid iSCSI name",
        ),
        (
            &["iscsi", "target", "create", "eui.12345"],
            "is not a valid iSCSI name",
        ),
        (
            &["iscsi", "target", "create", "vol1"],
            "is not a valid iSCSI name",
        ),
        (&["iscsi", "target", "delete", T2], "does not exist"),
        // LUNs
        (
            &["iscsi", "lun", "add", T1, "vg0/nope"],
            "Failed to find logical volume \"vg0/nope\"",
        ),
        (&["iscsi", "lun", "add", T2, "vg0/a"], "does not exist"),
        (
            &["iscsi", "lun", "add", "bad-iqn", "vg0/a"],
            "is not a valid iSCSI name",
        ),
        (
            &["iscsi", "lun", "add", T1, "vg0/b", "--lun", "0"],
            "LUN 0 of target",
        ),
        (
            &["iscsi", "lun", "add", T1, "vg0/b", "--lun", "16384"],
            "above 16383",
        ),
        (
            &["iscsi", "lun", "add", T1, "vg0/b", "--lun", "x"],
            "invalid value 'x'",
        ),
        (
            &["iscsi", "lun", "add", T1, "vg0/b", "--lun", "-1"],
            "unexpected argument '-1'",
        ),
        (&["iscsi", "lun", "remove", T1, "7"], "LUN 7 of target"),
        (&["iscsi", "lun", "remove", T2, "0"], "does not exist"),
        // ACLs
        (&["iscsi", "acl", "add", T1, KVM1], "already has"),
        (
            &["iscsi", "acl", "add", T1, "kvm1"],
            "is not a valid iSCSI name",
        ),
        (&["iscsi", "acl", "add", T2, "ALL"], "does not exist"),
        (&["iscsi", "acl", "remove", T1, "ALL"], "has no entry ALL"),
        // CHAP
        (
            &[
                "iscsi",
                "auth",
                T1,
                "--user",
                "u",
                "--password",
                "elevenbytes",
            ],
            "CHAP secret must be 12..=255 bytes",
        ),
        (
            &["iscsi", "auth", T1, "--user", "", "--password", SECRET],
            "CHAP user name",
        ),
        (
            &[
                "iscsi",
                "auth",
                T1,
                "--user",
                "u",
                "--password",
                &"p".repeat(256),
            ],
            "CHAP secret must be",
        ),
        (
            &[
                "iscsi",
                "auth",
                T1,
                "--user",
                "u",
                "--password",
                SECRET,
                "--mutual-user",
                "t",
                "--mutual-password",
                SECRET,
            ],
            "same secret",
        ),
        (
            &[
                "iscsi",
                "auth",
                T1,
                "--user",
                "u",
                "--password",
                SECRET,
                "--mutual-user",
                "t",
                "--mutual-password",
                "short",
            ],
            "CHAP secret must be",
        ),
        (
            &[
                "iscsi",
                "auth",
                T1,
                "--user",
                "u",
                "--password",
                SECRET,
                "--mutual-user",
                "t",
            ],
            "--mutual-password",
        ),
        (
            &[
                "iscsi",
                "auth",
                T1,
                "--mutual-user",
                "t",
                "--mutual-password",
                MUTUAL_SECRET,
            ],
            "--user",
        ),
        (
            &[
                "iscsi",
                "auth",
                T1,
                "--none",
                "--user",
                "u",
                "--password",
                SECRET,
            ],
            "'--none' cannot be used with",
        ),
        (&["iscsi", "auth", T1, "--user", "u"], "--password"),
        (&["iscsi", "auth", T1], "--none"),
        (&["iscsi", "auth", T2, "--none"], "does not exist"),
        (
            &["iscsi", "auth", "Discovery-x", "--none"],
            "is not a valid iSCSI name",
        ),
        // unknown verbs
        (&["iscsi", "portal", "add"], "unrecognized subcommand"),
        (&["nbd", "frob"], "unrecognized subcommand"),
    ];
    for (args, expect) in cases {
        refused(&s, args, expect);
    }
    // The password is never echoed in a refusal.
    let line = refused(
        &s,
        &[
            "iscsi",
            "auth",
            T1,
            "--user",
            "u",
            "--password",
            SECRET,
            "--mutual-user",
            "t",
            "--mutual-password",
            SECRET,
        ],
        "same secret",
    );
    assert!(!line.contains(SECRET), "{line}");
}
