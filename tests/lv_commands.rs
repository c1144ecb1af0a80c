//! lvcreate, lvremove, lvextend/lvreduce/lvresize, lvrename, lvchange, lvdisplay.

mod common;
use common::*;

fn segs(s: &Sandbox, vg: &str, lv: &str) -> Vec<Vec<u64>> {
    let v = s.vg_json(vg);
    let lv = v["lvs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == lv)
        .unwrap()
        .clone();
    lv["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn lvcreate_sizes_and_percentages() {
    let s = Sandbox::new();
    s.vg("vg", 2, GIB); // 2 x 254 extents of 4 MiB
    s.ok(&["lvcreate", "-L", "100", "-n", "mib", "vg"]);
    let out = s.ok(&["lvcreate", "-L", "10m", "-n", "round", "vg"]);
    assert!(
        out.contains("Rounding up size to full physical extent 12.00 MiB"),
        "{out}"
    );
    s.ok(&["lvcreate", "--size", "1G", "--name", "gib", "vg"]);
    s.ok(&["lvcreate", "-l", "10", "-n", "ext", "vg"]);
    s.ok(&["lvcreate", "-l", "10%VG", "-n", "pvg", "vg"]);
    s.ok(&["lvcreate", "-l", "50%FREE", "-n", "pfree", "vg"]);
    assert_eq!(
        s.lv_sizes("vg"),
        vec![
            ("ext".to_string(), 10),
            ("gib".to_string(), 256),
            ("mib".to_string(), 25),
            ("pfree".to_string(), 82),
            ("pvg".to_string(), 50),
            ("round".to_string(), 3),
        ]
    );
    s.ok(&["lvcreate", "-l", "100%FREE", "-n", "rest", "vg"]);
    let e = s.fail(&["lvcreate", "-l", "1", "-n", "more", "vg"]);
    assert!(e.contains("insufficient free space"), "{e}");
}

#[test]
fn lvcreate_default_name_flags_and_pv_choice() {
    let s = Sandbox::new();
    let files = s.vg("vg", 2, GIB);
    s.ok(&["lvcreate", "-l", "4", "vg"]);
    s.ok(&["lvcreate", "-l", "4", "vg"]);
    s.ok(&[
        "lvcreate", "-l", "4", "-n", "flags", "-an", "-p", "r", "-ky", "-K", "-Zn", "-Wn", "-y",
        "vg",
    ]);
    s.ok(&[
        "lvcreate",
        "-l",
        "4",
        "-n",
        "onpv1",
        "vg",
        files[1].to_str().unwrap(),
    ]);
    s.ok(&["lvcreate", "-l", "4", "-n", "vg/slash", "vg"]);
    s.ok(&[
        "lvcreate", "--type", "linear", "-l", "4", "-n", "typed", "vg",
    ]);
    let e = s.fail(&[
        "lvcreate",
        "--type",
        "thin-pool",
        "-l",
        "4",
        "-n",
        "tp",
        "vg",
    ]);
    assert!(e.contains("thin-pool"), "{e}");
    let v = s.vg_json("vg");
    let lvs = v["lvs"].as_array().unwrap();
    assert_eq!(lvs[0]["name"], "lvol0");
    assert_eq!(lvs[1]["name"], "lvol1");
    assert_eq!(lvs[2]["read_only"], true);
    assert_eq!(lvs[2]["active"], false);
    assert_eq!(lvs[2]["activation_skip"], true);
    assert_eq!(
        segs(&s, "vg", "onpv1")[0][2],
        1,
        "allocated on the named PV"
    );
}

#[test]
fn lvcreate_spans_pvs_when_one_is_not_enough() {
    let s = Sandbox::new();
    s.vg("vg", 2, GIB);
    s.ok(&["lvcreate", "-l", "400", "-n", "big", "vg"]);
    let segs = segs(&s, "vg", "big");
    assert_eq!(segs, vec![vec![0, 254, 0, 0], vec![254, 146, 1, 0]]);
}

#[test]
fn resize_forms() {
    let s = Sandbox::new();
    s.vg("vg", 2, GIB);
    s.ok(&["lvcreate", "-L", "100m", "-n", "lv", "vg"]);
    let out = s.ok(&["lvextend", "-L", "+100m", "vg/lv"]);
    assert!(
        out.contains("changed from 100.00 MiB (25 extents) to 200.00 MiB (50 extents)"),
        "{out}"
    );
    s.ok(&["lvextend", "-l", "+10", "vg/lv"]);
    s.ok(&["lvreduce", "-f", "-L", "-40m", "vg/lv"]);
    s.ok(&["lvresize", "-L", "400m", "vg/lv"]);
    assert_eq!(s.lv_sizes("vg"), vec![("lv".to_string(), 100)]);
    assert_eq!(
        segs(&s, "vg", "lv").len(),
        1,
        "extension continues in place"
    );
    s.ok(&["lvextend", "-l", "+100%FREE", "vg/lv"]);
    assert_eq!(s.lv_sizes("vg"), vec![("lv".to_string(), 508)]);
    let e = s.fail(&["lvextend", "-L", "1g", "vg/lv"]);
    assert!(e.contains("not larger"), "{e}");
    let e = s.fail(&["lvreduce", "-f", "-L", "4g", "vg/lv"]);
    assert!(e.contains("not less"), "{e}");
    let e = s.fail(&["lvextend", "-r", "-L", "+4m", "vg/lv"]);
    assert!(e.contains("file system"), "{e}");
    // Without -f or -y, a reduction asks; no answer means no.
    let o = s
        .cmd(&["lvreduce", "-L", "-4m", "vg/lv"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    assert_eq!(s.lv_sizes("vg"), vec![("lv".to_string(), 508)]);
    s.ok(&["lvresize", "-y", "-l", "50%VG", "vg/lv"]);
    assert_eq!(s.lv_sizes("vg"), vec![("lv".to_string(), 254)]);
}

#[test]
fn rename_change_remove_display() {
    let s = Sandbox::new();
    s.vg("vg", 1, GIB);
    s.ok(&["lvcreate", "-L", "8m", "-n", "a", "vg"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "b", "vg"]);
    let out = s.ok(&["lvrename", "vg", "a", "a2"]);
    assert!(
        out.contains("Renamed \"a\" to \"a2\" in volume group \"vg\""),
        "{out}"
    );
    s.ok(&["lvrename", "vg/a2", "vg/a3"]);
    s.ok(&["lvrename", "vg/a3", "a4"]);
    let e = s.fail(&["lvrename", "vg", "a4", "b"]);
    assert!(e.contains("already exists"), "{e}");
    s.ok(&["lvchange", "-p", "r", "--addtag", "t1", "vg/a4"]);
    s.ok(&["lvchange", "-an", "vg/b"]);
    s.ok(&["lvchange", "-k", "y", "vg/b"]);
    let v = s.vg_json("vg");
    assert_eq!(v["lvs"][0]["read_only"], true);
    assert_eq!(v["lvs"][0]["tags"][0], "t1");
    assert_eq!(v["lvs"][1]["active"], false);
    assert_eq!(v["lvs"][1]["activation_skip"], true);
    s.ok(&["lvchange", "-p", "rw", "vg/a4"]);
    assert_eq!(s.vg_json("vg")["lvs"][0]["read_only"], false);
    let out = s.ok(&["lvdisplay", "vg/a4"]);
    assert!(
        out.contains("a4") && !out.contains("LV Name                b\n"),
        "{out}"
    );
    // An active LV is removed only with -f/-y or a yes on stdin.
    let o = s
        .cmd(&["lvremove", "vg/a4"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    let mut child = s
        .cmd(&["lvremove", "vg/a4"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"y\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let out = s.ok(&["lvremove", "-f", "vg"]);
    assert!(out.contains("\"b\" successfully removed"), "{out}");
    assert!(s.lv_sizes("vg").is_empty());
}

#[test]
fn a_new_lv_never_shows_an_old_lvs_bytes() {
    use std::os::unix::fs::FileExt;
    let s = Sandbox::new();
    let files = s.vg("vg", 1, GIB);
    s.ok(&["lvcreate", "-L", "8m", "-n", "old", "vg"]);
    let pe_start = s.vg_json("vg")["pvs"][0]["pe_start"].as_u64().unwrap();
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&files[0])
        .unwrap();
    f.write_all_at(&[0xabu8; 65536], pe_start + 4096).unwrap();
    s.ok(&["lvremove", "-f", "vg/old"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "new", "vg"]);
    assert_eq!(segs(&s, "vg", "new")[0][3], 0, "same extents reused");
    let mut buf = vec![1u8; 65536];
    f.read_exact_at(&mut buf, pe_start + 4096).unwrap();
    assert!(
        buf.iter().all(|&b| b == 0),
        "stale bytes visible in a new LV"
    );
}
