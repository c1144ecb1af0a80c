//! Every bad snapshot, merge and copy request fails with exit code 5 and one line on
//! stderr, and leaves every PV byte-identical.

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn bad_snapshot_merge_and_copy_requests_change_nothing() {
    let s = Sandbox::new();
    let pvs = s.vg("vg", 1, 96 * MIB);
    // Extents of 1 MiB, so that a store can be too small for its chunk size.
    let small = s.file("small.img", 64 * MIB);
    s.ok(&["vgcreate", "-s", "1m", "vg1", small.to_str().unwrap()]);
    let mut pvs = pvs;
    pvs.push(small);
    s.ok(&["lvcreate", "-L", "8m", "-n", "o", "vg"]);
    s.ok(&["lvcreate", "-L", "4m", "-n", "tiny", "vg"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "lin", "vg"]);
    s.ok(&["lvcreate", "-p", "r", "-L", "8m", "-n", "rolin", "vg"]);
    s.ok(&["lvcreate", "-L", "40m", "-n", "o1", "vg1"]);
    s.ok(&[
        "copy",
        &image(&s, "o.img", &data(81, 8 * MIB as usize)),
        "vg/o",
    ]);
    s.ok(&["lvcreate", "-s", "-L", "12m", "-n", "snap", "vg/o"]);
    s.ok(&[
        "lvcreate", "-s", "-p", "r", "-L", "12m", "-n", "rosnap", "vg/o",
    ]);
    s.ok(&["lvcreate", "-s", "-L", "4m", "-n", "full", "vg/o"]);
    s.ok(&[
        "copy",
        &image(&s, "big.img", &data(82, 8 * MIB as usize)),
        "vg/o",
    ]);
    assert_eq!(field(&s, "vg/full", "lv_attr"), "swi-I-s---");
    let img = image(&s, "img.img", &data(83, 6 * MIB as usize));
    let pv0 = pvs[0].to_str().unwrap().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "lvcreate", "-s", "-L", "1m", "-c", "512k", "-n", "x", "vg1/o1",
            ],
            "Snapshot volume cannot be smaller than 4 chunks (2 extents, 2.00 MiB).",
        ),
        (
            vec!["lvcreate", "-s", "-L", "8m", "-c", "3k", "-n", "x", "vg/o"],
            "Chunk size must be a power of 2 in the range 4K to 512K.",
        ),
        (
            vec!["lvcreate", "-s", "-L", "8m", "-c", "1m", "-n", "x", "vg/o"],
            "Chunk size must be a power of 2 in the range 4K to 512K.",
        ),
        (
            vec!["lvcreate", "-s", "-L", "8m", "-c", "2k", "-n", "x", "vg/o"],
            "Chunk size must be a power of 2 in the range 4K to 512K.",
        ),
        (
            vec!["lvcreate", "-s", "-L", "8m", "-n", "x", "vg/snap"],
            "Snapshots of snapshots are not supported.",
        ),
        (
            vec!["lvcreate", "-s", "-L", "8m", "-n", "x", "vg/nope"],
            "Snapshot origin LV nope not found in Volume group vg.",
        ),
        (
            vec!["lvcreate", "-s", "-l", "100%ORIGIN", "-n", "x", "vg1/o1"],
            "insufficient free space",
        ),
        (
            vec!["lvcreate", "-s", "-L", "8m", "-n", "snap", "vg/o"],
            "already exists",
        ),
        (
            vec!["lvcreate", "-L", "8m", "-c", "64k", "-n", "x", "vg"],
            "Option --chunksize is only used for snapshots.",
        ),
        (
            vec!["lvconvert", "--merge", "vg/full"],
            "Unable to merge invalidated snapshot LV vg/full.",
        ),
        (
            vec!["lvconvert", "--merge", "vg/lin"],
            "Command not permitted on LV vg/lin: it is not a snapshot.",
        ),
        (
            vec!["lvconvert", "--merge", "vg/nope"],
            "Failed to find logical volume \"vg/nope\"",
        ),
        (vec!["lvconvert", "vg/snap"], "use --merge"),
        (
            vec!["lvreduce", "-f", "-L", "-4m", "vg/snap"],
            "Snapshot vg/snap cannot be reduced",
        ),
        (
            vec!["lvreduce", "-f", "-L", "-4m", "vg/o"],
            "Snapshot origin volumes cannot be reduced in size yet.",
        ),
        (
            vec!["copy", &img, "vg/rosnap"],
            "Cannot copy into read-only snapshot vg/rosnap.",
        ),
        (
            vec!["copy", &img, "vg/rolin"],
            "Cannot copy into read-only logical volume vg/rolin.",
        ),
        (
            vec!["copy", &img, "vg/tiny"],
            "Logical volume vg/tiny is too small",
        ),
        (
            vec!["copy", "vg/o", "vg/tiny"],
            "Logical volume vg/tiny is too small",
        ),
        (
            vec!["copy", "vg/o", "vg/o"],
            "Source and destination are the same logical volume vg/o.",
        ),
        (
            vec!["copy", "vg/full", "./out.img"],
            "Cannot read vg/full: snapshot is invalid",
        ),
        (
            vec!["copy", "vg/nope", "./out.img"],
            "Failed to find logical volume \"vg/nope\"",
        ),
        (
            vec!["copy", "novg/x", "./out.img"],
            "Volume group \"novg\" not found",
        ),
        (
            vec!["copy", "./missing.img", "vg/lin"],
            "Cannot open ./missing.img",
        ),
        (
            vec!["copy", &img, &img],
            "Source and destination are the same file",
        ),
        (
            vec!["copy", "vg/o", &pv0],
            "it is a physical volume in the devices file",
        ),
    ];
    let before = pv_bytes(&pvs);
    let lvs_before = s.ok(&["lvs", "-a", "-o", "lv_name,lv_attr,lv_size,origin"]);
    for (args, want) in cases {
        let e = s.fail(&args);
        assert!(e.contains(want), "rvm {args:?}: {e:?} lacks {want:?}");
        assert!(pv_bytes(&pvs) == before, "rvm {args:?} changed a PV");
    }
    assert_eq!(
        s.ok(&["lvs", "-a", "-o", "lv_name,lv_attr,lv_size,origin"]),
        lvs_before
    );
    assert!(
        !s.path("out.img").exists() || std::fs::metadata(s.path("out.img")).unwrap().len() == 0
    );
}

#[test]
fn merging_twice_or_two_snapshots_at_once_is_refused() {
    let s = Sandbox::new();
    s.vg("vg", 1, 256 * MIB);
    s.ok(&["lvcreate", "-L", "64m", "-n", "o", "vg"]);
    s.ok(&["lvcreate", "-s", "-L", "80m", "-n", "a", "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "80m", "-n", "b", "vg/o"]);
    s.ok(&[
        "copy",
        &image(&s, "x.img", &data(91, 64 * MIB as usize)),
        "vg/o",
    ]);
    // This process keeps the origin open, as the daemon or a running merge would.
    use rvm::host::{HostProvider, Hosts};
    let hosts = Hosts::direct();
    let mut env = env(&s);
    env.observer = Some(hosts.observer());
    let host = hosts.host(&env, "vg").unwrap();
    let started = host.start_merge(&env, "a").unwrap();
    assert!(!started.resumed);
    let e = s.fail(&["lvconvert", "--merge", "vg/a"]);
    assert_eq!(e, "Snapshot vg/a is already merging.");
    let e = s.fail(&["lvconvert", "--merge", "vg/b"]);
    assert_eq!(
        e,
        "Cannot merge snapshot vg/b into the origin vg/o with merging snapshot vg/a."
    );
    match host.start_merge(&env, "a") {
        Err(e) => assert_eq!(e.to_string(), "Snapshot vg/a is already merging."),
        Ok(_) => panic!("a second start of the same merge was accepted"),
    }
    assert!(started
        .origin
        .wait_merge(std::time::Duration::from_secs(60)));
    drop(started);
    assert!(hosts.finish().error.is_none());
    assert_eq!(lv_names(&s, "vg"), vec!["b", "o"]);
}
