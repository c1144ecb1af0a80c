//! A VG with a missing PV still lists and `vgreduce --removemissing` repairs it; a PV that
//! left a VG but still holds its old record (a crash during vgreduce) is recognised as stale.

mod common;
use common::*;

#[test]
fn missing_pv_still_lists_and_removemissing_works() {
    let s = Sandbox::new();
    let files = s.vg("vg", 3, GIB);
    s.ok(&[
        "lvcreate",
        "-l",
        "10",
        "-n",
        "on0",
        "vg",
        files[0].to_str().unwrap(),
    ]);
    s.ok(&[
        "lvcreate",
        "-l",
        "10",
        "-n",
        "on1",
        "vg",
        files[1].to_str().unwrap(),
    ]);
    std::fs::remove_file(&files[1]).unwrap();
    let o = s.run(&["vgs"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("vg"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing PV"));
    // LVs on the missing PV are partial (lv_attr position 9), the others are not.
    let o = s.run(&["lvs", "--noheadings", "-o", "lv_name,lv_attr", "vg"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let attr = |name: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap()
            .to_string()
    };
    assert_eq!(attr("on1").as_bytes()[8], b'p', "{out}");
    assert_eq!(attr("on0").as_bytes()[8], b'-', "{out}");
    // The error comes after the warning that names the missing PV.
    let o = s.run(&["lvcreate", "-l", "1", "-n", "x", "vg"]);
    assert_eq!(o.status.code(), Some(5));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("while PVs are missing"),
        "{err}"
    );
    let o = s.run(&["vgreduce", "--removemissing", "vg"]);
    assert_eq!(o.status.code(), Some(5), "partial LVs need --force");
    let o = s.run(&["vgreduce", "--removemissing", "--force", "vg"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(s.lv_sizes("vg"), vec![("on0".to_string(), 10)]);
    assert_eq!(s.vg_json("vg")["pvs"].as_array().unwrap().len(), 2);
    assert_eq!(s.ok_stderr(&["vgck", "vg"]), "");
}

#[test]
fn a_pv_that_left_but_kept_its_old_record_is_stale() {
    let s = Sandbox::new();
    let files = s.vg("vg", 2, 64 * MIB);
    s.ok(&[
        "lvcreate",
        "-l",
        "2",
        "-n",
        "lv",
        "vg",
        files[0].to_str().unwrap(),
    ]);
    let saved = std::fs::read(&files[1]).unwrap();
    s.ok(&["vgreduce", "vg", files[1].to_str().unwrap()]);
    // As if vgreduce had crashed after the commit but before wiping the leaver.
    std::fs::write(&files[1], &saved).unwrap();
    let err = s.ok_stderr(&["vgs"]);
    assert!(err.contains("left VG vg"), "{err}");
    assert_eq!(s.vg_json("vg")["pvs"].as_array().unwrap().len(), 1);
    // It is a clean orphan now.
    s.ok(&["vgcreate", "vg2", files[1].to_str().unwrap()]);
    assert_eq!(s.ok_stderr(&["vgck"]), "");
}
