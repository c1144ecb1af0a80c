//! vgcreate, vgextend, vgreduce, vgremove, vgrename, vgchange, vgck and vgdisplay.

mod common;
use common::*;

#[test]
fn vgcreate_with_extent_size_and_implicit_pvcreate() {
    let s = Sandbox::new();
    let a = s.file("a.img", GIB);
    let out = s.ok(&["vgcreate", "-s", "8m", "vg", a.to_str().unwrap()]);
    assert!(
        out.contains("Volume group \"vg\" successfully created"),
        "{out}"
    );
    let v = s.vg_json("vg");
    assert_eq!(v["extent_size"], 8 << 20);
    assert_eq!(v["pvs"][0]["pe_count"], 127);
    let e = s.fail(&["vgcreate", "vg", s.file("b.img", GIB).to_str().unwrap()]);
    assert!(e.contains("already exists"), "{e}");
    let e = s.fail(&["vgcreate", "vg2", a.to_str().unwrap()]);
    assert!(e.contains("already in volume group"), "{e}");
    let e = s.fail(&[
        "vgcreate",
        "-s",
        "3m",
        "vg3",
        s.file("c.img", GIB).to_str().unwrap(),
    ]);
    assert!(e.contains("extent size"), "{e}");
}

#[test]
fn vgextend_and_vgreduce() {
    let s = Sandbox::new();
    let files = s.vg("vg", 1, GIB);
    let b = s.file("b.img", GIB);
    let c = s.file("c.img", GIB);
    s.ok(&["pvcreate", c.to_str().unwrap()]);
    let out = s.ok(&["vgextend", "vg", b.to_str().unwrap(), c.to_str().unwrap()]);
    assert!(out.contains("successfully extended"), "{out}");
    assert_eq!(s.vg_json("vg")["pvs"].as_array().unwrap().len(), 3);
    // An LV that needs two PVs.
    s.ok(&["lvcreate", "-l", "300", "-n", "big", "vg"]);
    let e = s.fail(&["vgreduce", "vg", files[0].to_str().unwrap()]);
    assert!(e.contains("still in use"), "{e}");
    let out = s.ok(&["vgreduce", "vg", c.to_str().unwrap()]);
    assert!(out.contains("Removed"), "{out}");
    assert_eq!(s.vg_json("vg")["pvs"].as_array().unwrap().len(), 2);
    // The removed PV is a clean orphan: it can join another VG at once.
    s.ok(&["vgcreate", "other", c.to_str().unwrap()]);
    s.ok(&["vgck"]);
    s.ok(&["lvremove", "-f", "vg/big"]);
    s.ok(&["vgreduce", "-a", "vg"]);
    assert_eq!(s.vg_json("vg")["pvs"].as_array().unwrap().len(), 1);
}

#[test]
fn vgremove_and_vgrename() {
    let s = Sandbox::new();
    let files = s.vg("vg", 2, GIB);
    s.ok(&["lvcreate", "-L", "100m", "-n", "lv", "vg"]);
    let out = s.ok(&["vgrename", "vg", "vg2"]);
    assert!(out.contains("successfully renamed to \"vg2\""), "{out}");
    s.fail(&["vgck", "vg"]);
    assert_eq!(s.lv_sizes("vg2"), vec![("lv".to_string(), 25)]);
    let e = s.fail(&["vgremove", "vg2"]);
    assert!(e.contains("logical volume"), "{e}");
    s.ok(&["vgremove", "-f", "vg2"]);
    let e = s.fail(&["vgs", "vg2"]);
    assert!(e.contains("not found"), "{e}");
    // Its PVs are orphans again.
    s.ok(&[
        "vgcreate",
        "vg3",
        files[0].to_str().unwrap(),
        files[1].to_str().unwrap(),
    ]);
}

#[test]
fn vgchange_activation_resizeable_and_tags() {
    let s = Sandbox::new();
    let files = s.vg("vg", 1, GIB);
    s.ok(&["lvcreate", "-L", "8m", "-n", "a", "vg"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "b", "-k", "y", "vg"]);
    s.ok(&["vgchange", "-a", "n", "vg"]);
    let active = |s: &Sandbox| -> Vec<bool> {
        s.vg_json("vg")["lvs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["active"].as_bool().unwrap())
            .collect()
    };
    assert_eq!(active(&s), vec![false, false]);
    s.ok(&["vgchange", "-ay", "vg"]);
    assert_eq!(active(&s), vec![true, false], "activation skip honoured");
    s.ok(&["vgchange", "-ay", "-K", "vg"]);
    assert_eq!(active(&s), vec![true, true]);
    s.ok(&["vgchange", "-x", "n", "--addtag", "web", "vg"]);
    let v = s.vg_json("vg");
    assert_eq!(v["resizeable"], false);
    assert_eq!(v["tags"][0], "web");
    let e = s.fail(&["vgextend", "vg", s.file("b.img", GIB).to_str().unwrap()]);
    assert!(e.contains("not resizeable"), "{e}");
    s.ok(&["vgchange", "-x", "y", "--deltag", "web", "vg"]);
    assert_eq!(s.vg_json("vg")["tags"].as_array().unwrap().len(), 0);
    let _ = files;
}

#[test]
fn vgck_and_vgdisplay() {
    let s = Sandbox::new();
    s.vg("vg", 1, GIB);
    s.ok(&["vgck", "vg"]);
    let out = s.ok(&["vgdisplay", "vg"]);
    assert!(out.contains("vg"), "{out}");
    let e = s.fail(&["vgck", "nope"]);
    assert!(e.contains("not found"), "{e}");
}
