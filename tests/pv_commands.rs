//! pvcreate, pvremove, pvscan, pvresize, pvck and the devices list.

mod common;
use common::*;

#[test]
fn pvcreate_adds_to_the_devices_list_and_pvremove_takes_it_off() {
    let s = Sandbox::new();
    let a = s.file("a.img", GIB);
    let out = s.ok(&["pvcreate", a.to_str().unwrap()]);
    assert!(out.contains("successfully created"), "{out}");
    let list = std::fs::read_to_string(s.sys().join("devices")).unwrap();
    assert!(list.contains(a.to_str().unwrap()));
    let out = s.ok(&["pvscan"]);
    assert!(
        out.contains(a.to_str().unwrap()) && out.contains("in no VG: 1"),
        "{out}"
    );
    let out = s.ok(&["pvremove", a.to_str().unwrap()]);
    assert!(out.contains("successfully wiped"), "{out}");
    let list = std::fs::read_to_string(s.sys().join("devices")).unwrap();
    assert!(!list.contains(a.to_str().unwrap()));
    // The label is gone: pvcreate works again without -f.
    s.ok(&["pvcreate", a.to_str().unwrap()]);
}

#[test]
fn pvcreate_refuses_a_pv_or_data_without_force() {
    let s = Sandbox::new();
    let a = s.file("a.img", GIB);
    s.ok(&["pvcreate", a.to_str().unwrap()]);
    let e = s.fail(&["pvcreate", a.to_str().unwrap()]);
    assert!(e.contains("already a physical volume"), "{e}");
    s.ok(&["pvcreate", "-f", a.to_str().unwrap()]);

    let d = s.file("data.img", GIB);
    std::fs::write(&d, b"an ext4 superblock, say").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&d)
        .unwrap()
        .set_len(GIB)
        .unwrap();
    let e = s.fail(&["pvcreate", d.to_str().unwrap()]);
    assert!(e.contains("existing data"), "{e}");
    s.ok(&["pvcreate", "-f", d.to_str().unwrap()]);

    s.ok(&["vgcreate", "vg", a.to_str().unwrap()]);
    let e = s.fail(&["pvcreate", "-f", a.to_str().unwrap()]);
    assert!(e.contains("without -ff"), "{e}");
    let e = s.fail(&["pvremove", a.to_str().unwrap()]);
    assert!(e.contains("vgreduce"), "{e}");
}

#[test]
fn pvresize_grows_and_shrinks_only_into_free_space() {
    let s = Sandbox::new();
    let files = s.vg("vg", 1, GIB);
    let pv = files[0].to_str().unwrap();
    s.ok(&["lvcreate", "-l", "100", "-n", "lv", "vg"]);
    std::fs::File::options()
        .write(true)
        .open(&files[0])
        .unwrap()
        .set_len(2 * GIB)
        .unwrap();
    s.ok(&["pvresize", pv]);
    let v = s.vg_json("vg");
    assert_eq!(v["pvs"][0]["pe_count"], 510);
    assert_eq!(v["pvs"][0]["dev_size"], 2 * GIB);
    // Both ends still hold the metadata after the move: wipe the head, nothing is lost.
    zero(&files[0], 0, MIB);
    assert_eq!(s.lv_sizes("vg"), vec![("lv".to_string(), 100)]);
    // Shrinking below allocated extents is refused; above them it works.
    let e = s.fail(&["pvresize", "--setphysicalvolumesize", "300m", pv]);
    assert!(e.contains("allocated"), "{e}");
    s.ok(&["pvresize", "--setphysicalvolumesize", "1g", pv]);
    assert_eq!(s.vg_json("vg")["pvs"][0]["pe_count"], 254);
    s.ok(&["vgck", "vg"]);
    assert_eq!(s.lv_sizes("vg"), vec![("lv".to_string(), 100)]);
}

#[test]
fn pvck_reports_damage() {
    let s = Sandbox::new();
    let files = s.vg("vg", 1, GIB);
    let pv = files[0].to_str().unwrap();
    let out = s.ok(&["pvck", pv]);
    assert!(
        out.contains("Found head label") && out.contains("Found tail label"),
        "{out}"
    );
    zero(&files[0], GIB - 4096, 4096);
    let e = s.fail(&["pvck", pv]);
    assert!(e.contains("tail label"), "{e}");
}

#[test]
fn only_listed_devices_are_read() {
    let s = Sandbox::new();
    let files = s.vg("vg", 1, GIB);
    std::fs::write(s.sys().join("devices"), "# nothing\n").unwrap();
    let e = s.fail(&["vgck", "vg"]);
    assert!(e.contains("not found"), "{e}");
    std::fs::write(s.sys().join("devices"), format!("{}\n", files[0].display())).unwrap();
    s.ok(&["vgck", "vg"]);
}

#[test]
fn duplicate_pv_ids_are_reported() {
    let s = Sandbox::new();
    let files = s.vg("vg", 1, 64 * MIB);
    let copy = s.path("copy.img");
    std::fs::copy(&files[0], &copy).unwrap();
    let list = std::fs::read_to_string(s.sys().join("devices")).unwrap();
    std::fs::write(
        s.sys().join("devices"),
        format!("{list}{}\n", copy.display()),
    )
    .unwrap();
    let err = s.ok_stderr(&["vgs"]);
    assert!(err.contains("duplicate"), "{err}");
}
