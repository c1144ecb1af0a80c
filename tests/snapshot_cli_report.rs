//! lvs/vgs/lvdisplay show snapshots as LVM2 does: origin, snapshot attributes, Data%
//! from the store, snap_count, lv_count, origin_size and chunk_size.

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn snapshot_fields() {
    let s = Sandbox::new();
    s.vg("vg", 1, 256 * MIB);
    s.ok(&["lvcreate", "-L", "32m", "-n", "o", "vg"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "other", "vg"]);
    s.ok(&[
        "lvcreate", "-s", "-L", "36m", "-c", "64k", "-n", "s", "vg/o",
    ]);
    s.ok(&["lvcreate", "-s", "-l", "4", "vg/o"]); // LVM2's automatic name
    assert_eq!(lv_names(&s, "vg"), vec!["lvol0", "o", "other", "s"]);
    // The origin named alone, its VG given with the name, as LVM2 allows; --type snapshot.
    s.ok(&["lvcreate", "--snapshot", "-L", "8m", "-n", "vg/t1", "o"]);
    s.ok(&[
        "lvcreate", "--type", "snapshot", "-L", "8m", "-n", "t2", "vg/o",
    ]);
    assert_eq!(field(&s, "vg/t1", "origin"), "o");
    assert_eq!(field(&s, "vg/t2", "origin"), "o");
    s.ok(&["lvremove", "-f", "vg/t1", "vg/t2"]);
    let out = s.ok(&[
        "lvs",
        "--noheadings",
        "--separator",
        ",",
        "-o",
        "lv_name,lv_attr,origin,lv_size,origin_size,chunk_size,snap_percent",
        "vg",
    ]);
    let rows: Vec<&str> = out.lines().map(str::trim).collect();
    assert_eq!(rows[0], "lvol0,swi-a-s---,o,16.00m,32.00m,4.00k,0.42");
    assert_eq!(rows[1], "o,owi-a-s---,,32.00m,32.00m,0 ,");
    assert_eq!(rows[2], "other,-wi-a-----,,8.00m,,0 ,");
    assert_eq!(rows[3], "s,swi-a-s---,o,36.00m,32.00m,64.00k,0.35");
    assert_eq!(
        s.ok(&[
            "vgs",
            "--noheadings",
            "--separator",
            ",",
            "-o",
            "lv_count,snap_count",
            "vg"
        ])
        .trim(),
        "4,2"
    );
    // Data% follows the store's use: half the origin rewritten fills about 45% of s (256
    // of its 576 chunks, plus the header and a log area) and overflows the 16 MiB lvol0.
    s.ok(&[
        "copy",
        &image(&s, "half.img", &data(5, 16 * MIB as usize)),
        "vg/o",
    ]);
    let pct: f64 = field(&s, "vg/s", "data_percent").parse().unwrap();
    assert!((44.0..46.0).contains(&pct), "{pct}");
    assert_eq!(field(&s, "vg/lvol0", "lv_attr"), "swi-I-s---");
    let json = s.ok(&[
        "lvs",
        "--reportformat",
        "json",
        "-o",
        "lv_name,data_percent",
        "vg/s",
    ]);
    assert!(json.contains("\"data_percent\":\""), "{json}");
    let d = s.ok(&["lvdisplay", "vg/s"]);
    assert!(
        d.contains("LV snapshot status     active destination for o"),
        "{d}"
    );
    assert!(d.contains("Allocated to snapshot"), "{d}");
}
