//! nbdcopy copies a file into an export and the export back out, byte for byte.

mod nbd_common;
use nbd_common::*;

#[test]
fn nbdcopy_in_both_directions() {
    let fx = Fixture::new();
    let (disk, _) = fx.add_file("vg0/vol", 48 << 20, false);
    let src = fx.path("src.img");
    let mut data = pattern_file(&src, 48 << 20, 0x5a);
    // A zero run in the middle exercises nbdcopy's zeroing path.
    data[8 << 20..12 << 20].fill(0);
    std::fs::write(&src, &data).unwrap();

    run_ok("nbdcopy", &[src.to_str().unwrap(), &fx.uri("vg0/vol")]);
    assert!(
        std::fs::read(&disk).unwrap() == data,
        "export content differs after nbdcopy in"
    );

    let back = fx.path("back.img");
    run_ok("nbdcopy", &[&fx.uri("vg0/vol"), back.to_str().unwrap()]);
    assert!(std::fs::read(&back).unwrap() == data, "copy out differs");
}
