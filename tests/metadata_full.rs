//! A change whose metadata would not fit the metadata area is refused before anything is
//! written: no PV byte, no archive, no backup changes.

mod common;
use common::*;

fn restore_with(s: &Sandbox, n: u64) -> std::process::Output {
    let backup = s.path("vg.json");
    s.ok(&["vgcfgbackup", "-f", backup.to_str().unwrap(), "vg"]);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&backup).unwrap()).unwrap();
    doc["vg"]["lvs"] = (0..n)
        .map(|i| {
            serde_json::json!({
                "name": format!("lv{i:05}"), "id": format!("{:0>32}", i), "read_only": false,
                "active": true, "activation_skip": false, "alloc": "inherit",
                "creation_time": 0, "creation_host": "h", "tags": [], "snapshot": null,
                "segments": [[0, 1, 0, i]],
            })
        })
        .collect();
    std::fs::write(&backup, doc.to_string()).unwrap();
    s.run(&["vgcfgrestore", "-f", backup.to_str().unwrap(), "vg"])
}

fn snapshot(s: &Sandbox) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut all = tree(s.dir.path());
    all.retain(|(p, _)| !p.starts_with(s.path("run")) && !p.ends_with("vg.json"));
    all
}

#[test]
fn overflowing_the_metadata_area_changes_nothing() {
    let s = Sandbox::new();
    let pv = s.file("pv.img", 64 * MIB);
    // The smallest area: 1 MiB - 4 KiB, two slots of 510 KiB.
    s.ok(&[
        "vgcreate",
        "--metadatasize",
        "16k",
        "-s",
        "4k",
        "vg",
        pv.to_str().unwrap(),
    ]);
    let before = snapshot(&s);
    let o = restore_with(&s, 7000);
    assert_eq!(o.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&o.stderr).contains("metadata slot"));
    assert!(snapshot(&s) == before, "a refused restore wrote something");
    // Fill the area to within a few LVs of its end.
    let mut n = 5800;
    while !restore_with(&s, n).status.success() {
        n -= 8;
    }
    let mut refused = None;
    for i in 0..40 {
        let before = snapshot(&s);
        let o = s.run(&["lvcreate", "-l", "1", "-n", &format!("more{i}"), "vg"]);
        if !o.status.success() {
            let err = String::from_utf8_lossy(&o.stderr).to_string();
            assert_eq!(o.status.code(), Some(5));
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains("metadata slot"), "{err}");
            assert!(snapshot(&s) == before, "a refused lvcreate wrote something");
            refused = Some(i);
            break;
        }
    }
    assert!(refused.is_some(), "the area never filled up");
    s.ok(&["vgck", "vg"]);
}
