//! lvremove and vgremove of exported LVs: refused (one line, nothing changed) without -f;
//! with -f the LVs are unexported first, then removed; a removal that fails afterwards puts
//! the exports back byte for byte.

mod exports_common;
use exports_common::*;

fn exported() -> Sandbox {
    let s = setup();
    s.ok(&["lvcreate", "-L", "4m", "-n", "c", "vg0"]);
    s.ok(&["nbd", "export", "vg0/a"]);
    s.ok(&["iscsi", "target", "create", T1]);
    s.ok(&["iscsi", "lun", "add", T1, "vg0/a"]);
    s.ok(&["iscsi", "lun", "add", T1, "vg0/b"]);
    s
}

#[test]
fn lvremove_refuses_exported_lvs_without_force() {
    let s = exported();
    let meta = tree(&s.sys());
    for args in [
        &["lvremove", "vg0/a"][..],
        &["lvremove", "-y", "vg0/a"],
        &["lvremove", "-y", "vg0/c", "vg0/b"],
        &["lvremove", "-y", "vg0"],
    ] {
        let line = refused(&s, args, "is exported");
        assert!(line.ends_with("unexport it first or use -f"), "{line}");
    }
    assert_eq!(
        s.fail(&["lvremove", "-y", "vg0/a"]),
        format!(
            "Logical volume vg0/a is exported (NBD export \"vg0/a\", iSCSI target {T1} LUN 0); unexport it first or use -f"
        )
    );
    // Nothing at all changed: not the metadata backups, not the LVs (c was not removed
    // although it came first and is not exported: the command is all or nothing per VG).
    assert_eq!(tree(&s.sys()), meta);
    assert_eq!(s.lv_sizes("vg0").len(), 3);
    // An LV that is not exported goes as before.
    s.ok(&["lvremove", "-y", "vg0/c"]);
}

#[test]
fn lvremove_force_unexports_first() {
    let s = exported();
    let out = s.ok(&["lvremove", "-f", "vg0/a"]);
    assert_eq!(
        out,
        format!(
            "  Logical volume vg0/a unexported: NBD export \"vg0/a\", iSCSI target {T1} LUN 0.\n  Logical volume \"a\" successfully removed.\n"
        )
    );
    assert_eq!(s.ok(&["nbd", "list"]), "");
    let tree = s.ok(&["iscsi", "list"]);
    assert!(
        tree.contains("[LUNs: 1]") && tree.contains("o- lun1 ") && !tree.contains("lun0"),
        "{tree}"
    );
    // The target, its other LUN and its ACL are untouched.
    let j = exports_json(&s);
    assert_eq!(j["iscsi"]["targets"][T1]["luns"]["1"]["volume"], "vg0/b");
}

#[test]
fn vgremove_refuses_then_force_unexports_every_lv() {
    let s = exported();
    let meta = tree(&s.sys());
    let line = refused(&s, &["vgremove", "vg0"], "is exported");
    assert!(
        line.starts_with("Logical volume vg0/a is exported"),
        "{line}"
    );
    refused(&s, &["vgremove", "-y", "vg0"], "is exported");
    assert_eq!(tree(&s.sys()), meta);

    let out = s.ok(&["vgremove", "-f", "vg0"]);
    assert_eq!(
        out,
        format!(
            "  Logical volume vg0/a unexported: NBD export \"vg0/a\", iSCSI target {T1} LUN 0.\n  Logical volume vg0/b unexported: iSCSI target {T1} LUN 1.\n  Volume group \"vg0\" successfully removed\n"
        )
    );
    assert_eq!(s.ok(&["nbd", "list"]), "");
    assert!(s.ok(&["iscsi", "list"]).contains("[LUNs: 0]"));
    // The target itself stays: it is configuration, not an LV.
    assert!(exports_json(&s)["iscsi"]["targets"][T1].is_object());
}

#[test]
fn a_removal_that_fails_after_unexporting_puts_the_file_back() {
    let s = Sandbox::new();
    let pvs = s.vg("vg0", 2, GIB);
    s.ok(&[
        "lvcreate",
        "-L",
        "40m",
        "-n",
        "a",
        "vg0",
        pvs[0].to_str().unwrap(),
    ]);
    s.ok(&["nbd", "export", "vg0/a"]);
    // A hand-formatted file, so that re-encoding it could not pass for restoring it.
    let j = exports_json(&s);
    let compact = serde_json::to_string(&j).unwrap();
    std::fs::write(exports_path(&s), &compact).unwrap();
    // The second PV goes missing: the VG can no longer be committed.
    std::fs::remove_file(&pvs[1]).unwrap();
    let o = s.run(&["lvremove", "-f", "vg0/a"]);
    assert_eq!(o.status.code(), Some(5));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("while PVs are missing"), "{err}");
    assert_eq!(std::fs::read_to_string(exports_path(&s)).unwrap(), compact);
    assert!(
        String::from_utf8_lossy(&o.stdout).is_empty(),
        "nothing reported as done"
    );
}
