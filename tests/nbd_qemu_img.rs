//! qemu-img convert writes an image into an export and reads it back out.

mod nbd_common;
use nbd_common::*;

#[test]
fn qemu_img_convert_into_an_export_and_back() {
    let fx = Fixture::new();
    let (disk, _) = fx.add_file("vg0/vol", 32 << 20, false);
    let src = fx.path("src.img");
    let data = pattern_file(&src, 32 << 20, 0x33);

    run_ok(
        "qemu-img",
        &[
            "convert",
            "-n",
            "-f",
            "raw",
            "-O",
            "raw",
            src.to_str().unwrap(),
            &fx.uri("vg0/vol"),
        ],
    );
    assert!(
        std::fs::read(&disk).unwrap() == data,
        "export differs after convert in"
    );

    let back = fx.path("back.qcow2");
    run_ok(
        "qemu-img",
        &[
            "convert",
            "-f",
            "raw",
            "-O",
            "qcow2",
            &fx.uri("vg0/vol"),
            back.to_str().unwrap(),
        ],
    );
    run_ok(
        "qemu-img",
        &[
            "compare",
            "-f",
            "raw",
            "-F",
            "qcow2",
            src.to_str().unwrap(),
            back.to_str().unwrap(),
        ],
    );
}
