//! nbdinfo lists exports, reports sizes and flags, and maps base:allocation of a sparse volume.

mod nbd_common;
use nbd_common::*;
use rvm::engine::Volume;

#[test]
fn nbdinfo_lists_sizes_and_maps_a_sparse_volume() {
    let fx = Fixture::new();
    let (_, vol) = fx.add_file("vg0/sparse", 64 << 20, false);
    fx.add_file("vg0/snap", 8 << 20, true);
    vol.write_at(&[0xaa; 65536], 1 << 20, false).unwrap();

    let list = run_ok(
        "nbdinfo",
        &["--list", &format!("nbd://127.0.0.1:{}", fx.addr.port())],
    );
    assert!(list.contains("export=\"vg0/sparse\""), "{list}");
    assert!(list.contains("export=\"vg0/snap\""), "{list}");
    assert!(list.contains("test export vg0/sparse"), "{list}");

    let size = run_ok("nbdinfo", &["--size", &fx.uri("vg0/sparse")]);
    assert_eq!(size.trim(), (64u64 << 20).to_string());

    let json: serde_json::Value =
        serde_json::from_str(&run_ok("nbdinfo", &["--json", &fx.uri("vg0/snap")])).unwrap();
    let export = &json["exports"][0];
    assert_eq!(export["is_read_only"], true, "{json}");
    assert_eq!(export["can_trim"], false, "{json}");
    assert_eq!(export["can_multi_conn"], true, "{json}");
    assert_eq!(export["block_size_maximum"], 32 << 20, "{json}");
    assert_eq!(json["protocol"], "newstyle-fixed", "{json}");

    // Extents come from SEEK_DATA/SEEK_HOLE on the backing file, so their edges depend on
    // the filesystem's block size; the written range must be data and the rest holes.
    let map = run_ok("nbdinfo", &["--map", &fx.uri("vg0/sparse")]);
    let rows: Vec<(u64, u64, u32)> = map
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), 64 << 20, "{map}");
    let covering = |at: u64| rows.iter().find(|r| r.0 <= at && at < r.0 + r.1).unwrap().2;
    assert_eq!(covering(1 << 20), 0, "written range is data: {map}");
    assert_eq!(covering((1 << 20) + 65535), 0, "{map}");
    assert_eq!(covering(0), 3, "start is a zero hole: {map}");
    assert_eq!(covering(40 << 20), 3, "{map}");
}
