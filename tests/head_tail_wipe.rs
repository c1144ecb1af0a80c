//! Wiping the first or the last MiB of any PV loses nothing; the next command repairs the
//! damaged end and says so with a WARNING line.

mod common;
use common::*;

fn setup() -> (Sandbox, Vec<std::path::PathBuf>, serde_json::Value) {
    let s = Sandbox::new();
    let files = s.vg("vg", 2, GIB);
    s.ok(&["lvcreate", "-l", "300", "-n", "span", "vg"]);
    for i in 0..20 {
        s.ok(&["lvcreate", "-l", "2", "-n", &format!("lv{i}"), "vg"]);
    }
    let before = s.vg_json("vg");
    (s, files, before)
}

fn same_vg(a: &serde_json::Value, b: &serde_json::Value) {
    assert_eq!(a["lvs"], b["lvs"]);
    assert_eq!(a["id"], b["id"]);
    assert_eq!(
        a["pvs"].as_array().unwrap().len(),
        b["pvs"].as_array().unwrap().len()
    );
}

#[test]
fn wiping_the_head_of_each_pv_loses_nothing() {
    for victim in 0..2 {
        let (s, files, before) = setup();
        zero(&files[victim], 0, MIB);
        let err = s.ok_stderr(&["vgs"]);
        assert!(err.contains("WARNING: Repairing head label"), "{err}");
        assert!(err.contains(files[victim].to_str().unwrap()), "{err}");
        same_vg(&s.vg_json("vg"), &before);
        // Repaired: the next command is quiet and pvck finds both labels.
        assert_eq!(s.ok_stderr(&["vgs"]), "");
        s.ok(&["pvck", files[victim].to_str().unwrap()]);
        s.ok(&["vgck", "vg"]);
    }
}

#[test]
fn wiping_the_tail_of_each_pv_loses_nothing() {
    for victim in 0..2 {
        let (s, files, before) = setup();
        zero(&files[victim], GIB - MIB, MIB);
        let err = s.ok_stderr(&["lvs"]);
        assert!(err.contains("WARNING: Repairing tail label"), "{err}");
        same_vg(&s.vg_json("vg"), &before);
        assert_eq!(s.ok_stderr(&["lvs"]), "");
        s.ok(&["pvck", files[victim].to_str().unwrap()]);
    }
}

#[test]
fn wiping_a_whole_metadata_area_is_repaired_from_the_other_end() {
    let (s, files, before) = setup();
    // The whole head area (label and both slots) of PV 0: only the tail copy is left.
    zero(&files[0], 0, 4 * MIB);
    let err = s.ok_stderr(&["vgs"]);
    assert!(err.contains("head metadata"), "{err}");
    same_vg(&s.vg_json("vg"), &before);
    s.ok(&["pvck", files[0].to_str().unwrap()]);
    // And then the tail of the other PV.
    zero(&files[1], GIB - 4 * MIB, 4 * MIB);
    let err = s.ok_stderr(&["vgs"]);
    assert!(err.contains("tail metadata"), "{err}");
    same_vg(&s.vg_json("vg"), &before);
    s.ok(&["vgck", "vg"]);
}

#[test]
fn a_readonly_command_does_not_repair() {
    let (s, files, _) = setup();
    zero(&files[0], 0, MIB);
    let before = std::fs::read(&files[0]).unwrap()[..4096].to_vec();
    s.ok(&["vgs", "--readonly"]);
    assert_eq!(std::fs::read(&files[0]).unwrap()[..4096].to_vec(), before);
    let e = s.fail(&["vgck", "--readonly", "vg"]);
    assert!(e.contains("not repaired"), "{e}");
}
