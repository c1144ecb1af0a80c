//! vgcfgbackup, the archive written before every change, vgcfgrestore (also onto a
//! replacement PV made with `pvcreate --uuid --restorefile`) and `vgcfgrestore --list`.

mod common;
use common::*;

#[test]
fn every_change_is_archived_and_restore_undoes_a_removal() {
    let s = Sandbox::new();
    s.vg("vg", 1, GIB);
    s.ok(&["lvcreate", "-L", "8m", "-n", "keep", "vg"]);
    let backup = s.path("before.json");
    s.ok(&["vgcfgbackup", "-f", backup.to_str().unwrap(), "vg"]);
    let text = std::fs::read_to_string(&backup).unwrap();
    assert!(text.contains("\"keep\""), "human-readable backup: {text}");
    assert!(
        s.sys().join("backup/vg").exists(),
        "automatic backup after each change"
    );
    let archives = std::fs::read_dir(s.sys().join("archive")).unwrap().count();
    s.ok(&["lvremove", "-f", "vg/keep"]);
    assert_eq!(
        std::fs::read_dir(s.sys().join("archive")).unwrap().count(),
        archives + 1
    );
    let list = s.ok(&["vgcfgrestore", "--list", "vg"]);
    assert!(
        list.contains("Created *before* executing 'lvremove -f vg/keep'"),
        "{list}"
    );
    assert!(list.contains("VG name:"), "{list}");
    let out = s.ok(&["vgcfgrestore", "-f", backup.to_str().unwrap(), "vg"]);
    assert!(out.contains("Restored volume group vg"), "{out}");
    assert_eq!(s.lv_sizes("vg"), vec![("keep".to_string(), 2)]);
    // Restoring from the default backup file (the state after the last change) works too.
    s.ok(&["vgcfgrestore", "vg"]);
    s.ok(&["vgck", "vg"]);
}

#[test]
fn restore_keeps_the_data_of_restored_lvs() {
    use std::os::unix::fs::FileExt;
    let s = Sandbox::new();
    let files = s.vg("vg", 1, GIB);
    s.ok(&["lvcreate", "-L", "8m", "-n", "data", "vg"]);
    let backup = s.path("b.json");
    s.ok(&["vgcfgbackup", "-f", backup.to_str().unwrap(), "vg"]);
    let pe_start = s.vg_json("vg")["pvs"][0]["pe_start"].as_u64().unwrap();
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&files[0])
        .unwrap();
    f.write_all_at(b"precious", pe_start).unwrap();
    s.ok(&["lvremove", "-f", "vg/data"]);
    s.ok(&["vgcfgrestore", "-f", backup.to_str().unwrap(), "vg"]);
    let mut buf = [0u8; 8];
    f.read_exact_at(&mut buf, pe_start).unwrap();
    assert_eq!(&buf, b"precious");
}

#[test]
fn restore_onto_a_replacement_pv_by_id() {
    let s = Sandbox::new();
    let files = s.vg("vg", 2, GIB);
    s.ok(&[
        "lvcreate",
        "-l",
        "10",
        "-n",
        "lv",
        "vg",
        files[0].to_str().unwrap(),
    ]);
    let backup = s.path("b.json");
    s.ok(&["vgcfgbackup", "-f", backup.to_str().unwrap(), "vg"]);
    let v = s.vg_json("vg");
    let lost_id = v["pvs"][1]["id"].as_str().unwrap().to_string();
    // PV 1 dies completely.
    std::fs::remove_file(&files[1]).unwrap();
    let err = s.ok_stderr(&["vgs"]);
    assert!(err.contains("missing PV"), "{err}");
    let new = s.file("replacement.img", GIB);
    s.ok(&[
        "pvcreate",
        "--uuid",
        &lost_id,
        "--restorefile",
        backup.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    s.ok(&["vgcfgrestore", "-f", backup.to_str().unwrap(), "vg"]);
    s.ok(&["vgck", "vg"]);
    let v = s.vg_json("vg");
    assert_eq!(v["pvs"][1]["device"], new.to_str().unwrap());
    assert_eq!(s.lv_sizes("vg"), vec![("lv".to_string(), 10)]);
}

#[test]
fn archive_retention_follows_the_config() {
    let s = Sandbox::new();
    s.vg("vg", 1, GIB);
    std::fs::write(
        s.sys().join("rvm.conf"),
        "backup {\n  retain_min = 3\n  retain_days = 0\n}\n",
    )
    .unwrap();
    for i in 0..8 {
        s.ok(&["lvcreate", "-l", "1", "-n", &format!("l{i}"), "vg"]);
    }
    let n = std::fs::read_dir(s.sys().join("archive")).unwrap().count();
    assert_eq!(n, 3, "retain_min archives kept when retain_days is 0");
    s.ok(&[
        "lvcreate",
        "--config",
        "backup { archive = 0 }",
        "-l",
        "1",
        "-n",
        "x",
        "vg",
    ]);
    assert_eq!(
        std::fs::read_dir(s.sys().join("archive")).unwrap().count(),
        3
    );
}
