//! `lvconvert --merge` reverts the origin to the snapshot, prints LVM2's progress lines,
//! removes the snapshot when done, and leaves other snapshots their points in time.

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn merge_reverts_the_origin_and_removes_the_snapshot() {
    let s = Sandbox::new();
    s.vg("vg", 1, 512 * MIB);
    s.ok(&["lvcreate", "-L", "32m", "-n", "o", "vg"]);
    let size = 32 * MIB as usize;
    let a = data(51, size);
    s.ok(&["copy", &image(&s, "a.img", &a), "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "40m", "-n", "sa", "vg/o"]);
    let mut b = a.clone();
    let mut writes = Vec::new();
    for k in 0..64u64 {
        let off = k * 512 * 1024;
        let bytes = data(600 + k, 64 * 1024);
        b[off as usize..off as usize + bytes.len()].copy_from_slice(&bytes);
        writes.push((off, bytes));
    }
    write_lv(&s, "vg", "o", &writes);
    s.ok(&[
        "lvcreate", "-s", "-L", "40m", "-c", "64k", "-n", "sb", "vg/o",
    ]);
    let c = data(53, size);
    s.ok(&["copy", &image(&s, "c.img", &c), "vg/o"]);
    assert_eq!(
        s.ok(&["vgs", "--noheadings", "-o", "snap_count", "vg"])
            .trim(),
        "2"
    );

    let out = s.ok(&["lvconvert", "--merge", "-i", "1", "vg/sa"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "  Merging of volume vg/sa started.", "{out}");
    let progress: Vec<&&str> = lines.iter().filter(|l| l.contains(": Merged: ")).collect();
    assert!(!progress.is_empty(), "{out}");
    for l in &progress {
        let pct = l
            .trim()
            .strip_prefix("vg/o: Merged: ")
            .unwrap()
            .strip_suffix('%')
            .unwrap();
        let (whole, frac) = pct.split_once('.').unwrap();
        assert!(
            whole.parse::<u32>().unwrap() <= 100 && frac.len() == 2,
            "{l}"
        );
    }
    assert_eq!(progress.last().unwrap().trim(), "vg/o: Merged: 100.00%");
    assert!(
        out.contains("  Merge of snapshot into logical volume o has finished."),
        "{out}"
    );
    assert!(
        out.contains("  Logical volume \"sa\" successfully removed."),
        "{out}"
    );

    assert_eq!(lv_names(&s, "vg"), vec!["o", "sb"]);
    assert_image("origin after merge", &read_lv(&s, "vg/o"), &a);
    assert_image("other snapshot", &read_lv(&s, "vg/sb"), &b);
    assert_eq!(field(&s, "vg/o", "lv_attr"), "owi-a-s---");

    // Merging again from the other snapshot, in the background: the command returns and
    // the merge finishes without anyone waiting.
    let out = s.ok(&["lvconvert", "--merge", "-b", "vg/sb"]);
    assert_eq!(out, "  Merging of volume vg/sb started.\n");
    assert!(
        wait_until(60, || lv_names(&s, "vg") == vec!["o"]),
        "background merge did not finish: {:?}",
        lv_names(&s, "vg")
    );
    // The poller lets go of the origin just after the snapshot is gone.
    assert!(wait_until(30, || s
        .run(&["copy", "vg/o", "./after.img"])
        .status
        .success()));
    assert_image(
        "origin after background merge",
        &std::fs::read(s.path("after.img")).unwrap(),
        &b,
    );
    assert_eq!(field(&s, "vg/o", "lv_attr"), "-wi-a-----");
}
