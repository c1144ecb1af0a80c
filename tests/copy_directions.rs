//! `rvm copy` in all four directions (file to LV, LV to file, LV to LV, file to file):
//! byte for byte, sparse (holes are neither read nor written, a file destination keeps
//! them), exact (an LV range that held data ends up zero where the source is zero),
//! never resizing an LV, and refusing a destination LV that is too small.

mod common;
mod snap_support;
use common::*;
use snap_support::*;
use std::os::unix::fs::FileExt;

const SIZE: u64 = 64 * MIB;

/// A sparse image: data at a few places, holes elsewhere, one allocated run of zeros.
fn sparse_image(s: &Sandbox, name: &str) -> (String, Vec<u8>) {
    let path = s.path(name);
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(SIZE).unwrap();
    let mut model = vec![0u8; SIZE as usize];
    for (i, off) in [0u64, 5 * MIB + 4096, 30 * MIB, SIZE - 8192]
        .iter()
        .enumerate()
    {
        let d = data(500 + i as u64, 8192);
        f.write_all_at(&d, *off).unwrap();
        model[*off as usize..*off as usize + d.len()].copy_from_slice(&d);
    }
    // Allocated, but zero: a sparse destination must not get these blocks.
    f.write_all_at(&vec![0u8; MIB as usize], 40 * MIB).unwrap();
    f.sync_all().unwrap();
    (format!("./{name}"), model)
}

#[test]
fn file_to_lv_to_file_is_exact_and_sparse() {
    let s = Sandbox::new();
    let pvs = s.vg("vg", 1, 256 * MIB);
    s.ok(&["lvcreate", "-L", "80m", "-n", "a", "vg"]);
    s.ok(&["lvcreate", "-L", "64m", "-n", "b", "vg"]);
    let (src, model) = sparse_image(&s, "src.img");
    // The destination LV held data everywhere: where the source is zero it must become zero.
    s.ok(&[
        "copy",
        &image(&s, "junk.img", &data(9, 80 * MIB as usize)),
        "vg/a",
    ]);
    let pv_before = allocated(&pvs[0]);
    s.ok(&["copy", &src, "vg/a"]);
    assert_eq!(
        field(&s, "vg/a", "lv_size"),
        "80.00m",
        "copy never resizes an LV"
    );
    let mut want = model.clone();
    want.extend_from_slice(&data(9, 80 * MIB as usize)[SIZE as usize..]);
    assert_image("file to LV", &read_lv(&s, "vg/a"), &want);
    assert!(
        allocated(&pvs[0]) < pv_before,
        "zeroing the LV's old data deallocated nothing on the PV"
    );

    // LV to LV: the whole of a (80 MiB) does not fit b (64 MiB).
    let e = s.fail(&["copy", "vg/a", "vg/b"]);
    assert!(e.contains("Logical volume vg/b is too small"), "{e}");
    s.ok(&["lvcreate", "-L", "80m", "-n", "c", "vg"]);
    s.ok(&["copy", "vg/a", "vg/c"]);
    assert_image("LV to LV", &read_lv(&s, "vg/c"), &want);

    // LV to file: created at the source's size, holding only the data blocks.
    s.ok(&["copy", "vg/a", "./out.img"]);
    let out = s.path("out.img");
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 80 * MIB);
    assert_image("LV to file", &std::fs::read(&out).unwrap(), &want);
    let data_bytes = 4 * 8192 + 16 * MIB;
    assert!(
        allocated(&out) <= data_bytes + 2 * MIB,
        "destination file has {} bytes allocated for {} bytes of data",
        allocated(&out),
        data_bytes
    );
    // An existing, larger file destination is truncated to the source's size.
    std::fs::write(s.path("big.img"), data(3, 100 * MIB as usize)).unwrap();
    s.ok(&["copy", "vg/b", "./big.img"]);
    assert_eq!(
        std::fs::metadata(s.path("big.img")).unwrap().len(),
        64 * MIB
    );
    assert_image(
        "truncated file",
        &std::fs::read(s.path("big.img")).unwrap(),
        &vec![0u8; 64 << 20],
    );
    assert!(
        allocated(&s.path("big.img")) < MIB,
        "an all-zero LV copied as data"
    );
}

#[test]
fn file_to_file_keeps_holes() {
    let s = Sandbox::new();
    let (src, model) = sparse_image(&s, "src.img");
    s.ok(&["copy", &src, "./dst.img"]);
    assert_image(
        "file to file",
        &std::fs::read(s.path("dst.img")).unwrap(),
        &model,
    );
    assert!(allocated(&s.path("dst.img")) <= 4 * 8192 + 64 * 1024);
    // A VG/LV-looking relative path is a file once it starts with ./
    std::fs::create_dir(s.path("vgdir")).unwrap();
    s.ok(&["copy", &src, "./vgdir/file"]);
    assert_image(
        "./ path",
        &std::fs::read(s.path("vgdir/file")).unwrap(),
        &model,
    );
}

#[test]
fn a_snapshot_copies_out_its_point_in_time() {
    let s = Sandbox::new();
    s.vg("vg", 1, 256 * MIB);
    s.ok(&["lvcreate", "-L", "16m", "-n", "o", "vg"]);
    let a = data(1, 16 * MIB as usize);
    s.ok(&["copy", &image(&s, "a.img", &a), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "20m", "-n", "snap", "vg/o"]);
    s.ok(&[
        "copy",
        &image(&s, "b.img", &data(2, 16 * MIB as usize)),
        "vg/o",
    ]);
    s.ok(&["copy", "vg/snap", "./snap.img"]);
    assert_image(
        "snapshot to file",
        &std::fs::read(s.path("snap.img")).unwrap(),
        &a,
    );
    // And into another LV, then back into its own origin (a manual revert).
    s.ok(&["lvcreate", "-L", "16m", "-n", "clone", "vg"]);
    s.ok(&["copy", "vg/snap", "vg/clone"]);
    assert_image("snapshot to LV", &read_lv(&s, "vg/clone"), &a);
    s.ok(&["copy", "vg/snap", "vg/o"]);
    assert_image("snapshot to its origin", &read_lv(&s, "vg/o"), &a);
    assert_image("snapshot still", &read_lv(&s, "vg/snap"), &a);
}
