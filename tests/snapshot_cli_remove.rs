//! lvremove of an origin with snapshots is refused unless forced (nothing changes), and
//! with -f (or -y) takes its snapshots along; an LV another rvm process has open is
//! refused as LVM2 refuses an open device.

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn origin_removal_needs_force_and_takes_the_snapshots() {
    let s = Sandbox::new();
    let pvs = s.vg("vg", 1, 128 * MIB);
    s.ok(&["lvcreate", "-L", "8m", "-n", "o", "vg"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "keep", "vg"]);
    s.ok(&[
        "copy",
        &image(&s, "o.img", &data(71, 8 * MIB as usize)),
        "vg/o",
    ]);
    s.ok(&["lvcreate", "-s", "-L", "12m", "-n", "s1", "vg/o"]);
    s.ok(&["lvcreate", "-s", "-L", "12m", "-n", "s2", "vg/o"]);
    let before = pv_bytes(&pvs);
    let o = s.run(&["lvremove", "vg/o"]);
    assert_eq!(o.status.code(), Some(5));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(
            "Do you really want to remove active origin logical volume vg/o with 2 snapshots(s)?"
        ),
        "{out}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim(), "Logical volume \"o\" not removed.");
    assert!(pv_bytes(&pvs) == before, "a refused lvremove changed a PV");
    assert_eq!(lv_names(&s, "vg"), vec!["keep", "o", "s1", "s2"]);

    let out = s.ok(&["lvremove", "-f", "vg/o"]);
    assert_eq!(
        out,
        "  Logical volume \"s1\" successfully removed.\n  Logical volume \"s2\" successfully removed.\n  Logical volume \"o\" successfully removed.\n"
    );
    assert_eq!(lv_names(&s, "vg"), vec!["keep"]);
    assert_eq!(
        s.ok(&["vgs", "--noheadings", "-o", "snap_count", "vg"])
            .trim(),
        "0"
    );
}

#[test]
fn an_lv_open_in_another_process_is_not_removed() {
    use rvm::host::{HostProvider, Hosts};
    let s = Sandbox::new();
    s.vg("vg", 1, 128 * MIB);
    s.ok(&["lvcreate", "-L", "8m", "-n", "lin", "vg"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "o", "vg"]);
    s.ok(&["lvcreate", "-s", "-L", "8m", "-n", "snap", "vg/o"]);
    // This test process holds both open, as a long `rvm copy` would.
    let hosts = Hosts::direct();
    let mut env = env(&s);
    env.observer = Some(hosts.observer());
    let host = hosts.host(&env, "vg").unwrap();
    let _lin = host.volume(&env, "lin").unwrap();
    let _snap = host.volume(&env, "snap").unwrap();
    let e = s.fail(&["lvremove", "-f", "vg/lin"]);
    assert_eq!(e, "Logical volume vg/lin in use.");
    let e = s.fail(&["lvremove", "-f", "vg/snap"]);
    assert_eq!(e, "Logical volume vg/o in use.");
    let e = s.fail(&["lvreduce", "-f", "-L", "4m", "vg/lin"]);
    assert_eq!(e, "Logical volume vg/lin in use.");
    let e = s.fail(&["lvcreate", "-s", "-L", "8m", "-n", "s2", "vg/o"]);
    assert_eq!(e, "Logical volume vg/o in use.");
    drop((_lin, _snap));
    assert!(hosts.finish().error.is_none());
    s.ok(&["lvremove", "-f", "vg/lin", "vg/snap"]);
    assert_eq!(lv_names(&s, "vg"), vec!["o"]);
}
