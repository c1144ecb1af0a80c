//! The daemon's way of running commands: `cli::execute` in-process against long-lived
//! hosts. Volumes handed out before a command follow it: a linear LV grows and shrinks
//! under its handle, permissions follow `lvchange -p`, a snapshot of an open linear LV
//! switches its handle to the origin (so writes through it are copied-on-write), a
//! snapshot's handle reads its point in time, and removed LVs' handles fail.

mod common;
mod snap_support;
use common::*;
use rvm::engine::{Volume, VolumeError};
use rvm::host::{HostProvider, Hosts};
use snap_support::*;

fn run(hosts: &Hosts, args: &[&str]) -> String {
    let mut argv: Vec<std::ffi::OsString> = vec!["rvm".into()];
    argv.extend(args.iter().map(|a| a.into()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = rvm::cli::execute(argv, hosts, &mut out, &mut err, false);
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(code, 0, "rvm {args:?}: {out}{err}");
    out
}

#[test]
fn open_volumes_follow_every_command() {
    let s = Sandbox::new();
    // One test in this file: the sandbox's directories become the process's.
    std::env::set_var("RVM_SYSTEM_DIR", s.sys());
    std::env::set_var("RVM_RUN_DIR", s.path("run"));
    let hosts = Hosts::persistent();
    run(
        &hosts,
        &[
            "vgcreate",
            "vg",
            s.file("pv.img", 256 * MIB).to_str().unwrap(),
        ],
    );
    run(&hosts, &["lvcreate", "-L", "8m", "-n", "lin", "vg"]);
    let mut env = env(&s);
    env.observer = Some(hosts.observer());
    let host = hosts.host(&env, "vg").unwrap();
    let lin = host.volume(&env, "lin").unwrap();
    assert_eq!(lin.size(), 8 * MIB);

    run(&hosts, &["lvextend", "-L", "16m", "vg/lin"]);
    assert_eq!(lin.size(), 16 * MIB, "the open volume grew with lvextend");
    let a = data(1, 16 * MIB as usize);
    lin.write_at(&a, 0, false).unwrap();
    run(&hosts, &["lvchange", "-p", "r", "vg/lin"]);
    assert!(lin.read_only());
    assert!(matches!(
        lin.write_at(&[1; 512], 0, false),
        Err(VolumeError::ReadOnly)
    ));
    run(&hosts, &["lvchange", "-p", "rw", "vg/lin"]);
    run(&hosts, &["lvrename", "vg/lin", "vg/data"]);

    // A snapshot of the open linear LV: the same handle now copies on write.
    run(
        &hosts,
        &["lvcreate", "-s", "-L", "20m", "-n", "snap", "vg/data"],
    );
    let snap = host.volume(&env, "snap").unwrap();
    let b = data(2, 16 * MIB as usize);
    lin.write_at(&b, 0, false).unwrap();
    lin.flush().unwrap();
    let mut got = vec![0u8; 16 << 20];
    snap.read_at(&mut got, 0).unwrap();
    assert_image("snapshot through its handle", &got, &a);
    assert_image(
        "snapshot through rvm copy",
        &read_lv_in(&hosts, &s, "vg/snap"),
        &a,
    );
    // Its store grows under the handle; Data% comes from the live engine.
    run(&hosts, &["lvextend", "-L", "+4m", "vg/snap"]);
    let lvs = run(
        &hosts,
        &[
            "lvs",
            "--noheadings",
            "-o",
            "lv_name,lv_size,data_percent",
            "vg/snap",
        ],
    );
    assert!(lvs.contains("snap 24.00m"), "{lvs}");

    // The origin grows with its snapshot: the handle sees the new size, the snapshot
    // reads the tail as zeros.
    run(&hosts, &["lvextend", "-L", "20m", "vg/data"]);
    assert_eq!(lin.size(), 20 * MIB);
    assert_eq!(snap.size(), 20 * MIB);
    let mut tail = vec![1u8; 4 << 20];
    snap.read_at(&mut tail, 16 * MIB).unwrap();
    assert!(tail.iter().all(|&x| x == 0));

    // Removal: the handles fail from then on.
    run(&hosts, &["lvremove", "-f", "vg/snap"]);
    assert!(matches!(
        snap.read_at(&mut got[..512], 0),
        Err(VolumeError::Gone)
    ));
    lin.read_at(&mut got, 0).unwrap();
    assert_image("origin after its snapshot went", &got, &b);
    run(&hosts, &["lvremove", "-f", "vg/data"]);
    assert!(matches!(
        lin.read_at(&mut got[..512], 0),
        Err(VolumeError::Gone)
    ));
    drop((lin, snap));
    let done = hosts.close_all();
    assert!(done.error.is_none(), "{:?}", done.error);
}

fn read_lv_in(hosts: &Hosts, s: &Sandbox, lv: &str) -> Vec<u8> {
    run(hosts, &["copy", lv, s.path("out.img").to_str().unwrap()]);
    std::fs::read(s.path("out.img")).unwrap()
}
