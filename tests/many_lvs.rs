//! A VG with 10,000 LVs (OpenStack Cinder-style names): the metadata fits the default area
//! and every command keeps working. No timing assertions; the benchmark measures speed.

mod common;
use common::*;

#[test]
fn ten_thousand_lvs_fit_and_work() {
    let s = Sandbox::new();
    let pv = s.file("big.img", 64 * GIB);
    s.ok(&["vgcreate", "vg", pv.to_str().unwrap()]);
    let backup = s.path("vg.json");
    s.ok(&["vgcfgbackup", "-f", backup.to_str().unwrap(), "vg"]);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&backup).unwrap()).unwrap();
    let n = 10_000u64;
    let lvs: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let uuid = format!("{:08x}-{:04x}-4000-8000-{:012x}", i * 7919, i % 65536, i);
            let id = format!("{:0>32}", format!("L{i}")).replace(' ', "0");
            serde_json::json!({
                "name": format!("volume-{uuid}"),
                "id": id,
                "read_only": false,
                "active": true,
                "activation_skip": false,
                "alloc": "inherit",
                "creation_time": 1_800_000_000u64 + i,
                "creation_host": "compute-node-17.example.org",
                "tags": [],
                "snapshot": null,
                "segments": [[0, 1, 0, i]],
            })
        })
        .collect();
    doc["vg"]["lvs"] = serde_json::Value::Array(lvs);
    std::fs::write(&backup, serde_json::to_string(&doc).unwrap()).unwrap();
    s.ok(&["vgcfgrestore", "-f", backup.to_str().unwrap(), "vg"]);

    let out = s.ok(&["lvs", "vg"]);
    assert_eq!(
        out.lines().filter(|l| l.contains("volume-")).count(),
        n as usize
    );
    s.ok(&["lvcreate", "-L", "4m", "-n", "volume-one-more", "vg"]);
    s.ok(&[
        "lvremove",
        "-f",
        "vg/volume-00000000-0000-4000-8000-000000000000",
    ]);
    s.ok(&["lvextend", "-L", "+4m", "vg/volume-one-more"]);
    s.ok(&["vgck", "vg"]);
    let v = s.vg_json("vg");
    assert_eq!(v["lvs"].as_array().unwrap().len(), n as usize);
    // How full the slot is, for docs/format.md: the record length sits at byte 32 of the
    // block header; the newest copy is in one of the two head slots.
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open(&pv).unwrap();
    let slot_size = (2 << 20) - 4096u64;
    let mut best = 0u32;
    for at in [4096u64, 4096 + slot_size] {
        let mut b = [0u8; 4];
        f.read_exact_at(&mut b, at + 32).unwrap();
        best = best.max(u32::from_le_bytes(b));
    }
    eprintln!("record of {n} LVs: {best} bytes of a {slot_size}-byte slot");
    assert!(u64::from(best) < slot_size && best > 1_000_000);
    let out = s.ok(&["pvck", pv.to_str().unwrap()]);
    assert!(out.contains("Found head label"));
}
