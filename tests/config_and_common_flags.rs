//! `rvm.conf` and `--config` in LVM2's syntax (known keys applied, unknown ones ignored), and
//! the common flags every command accepts.

mod common;
use common::*;

#[test]
fn unknown_config_keys_are_ignored_and_known_ones_applied() {
    let s = Sandbox::new();
    std::fs::write(
        s.sys().join("rvm.conf"),
        "# site config\nglobal {\n  activation = 0\n  units = \"g\"\n}\nnonsense { list = [ 1, \"two\", 3.5 ] nested { x = y } }\nbackup/backup = 0\n",
    )
    .unwrap();
    let a = s.file("a.img", GIB);
    s.ok(&[
        "vgcreate",
        "--config",
        "global { activation = 0 } devices { filter = [ \"a|.*|\" ] }",
        "vg",
        a.to_str().unwrap(),
    ]);
    s.ok(&[
        "lvcreate",
        "--config",
        "global/activation=0",
        "-L",
        "8m",
        "-n",
        "lv",
        "vg",
    ]);
    assert!(
        !s.sys().join("backup/vg").exists(),
        "backup/backup = 0 is honoured"
    );
    s.ok(&[
        "lvcreate",
        "--config",
        "backup { backup = 1 }",
        "-L",
        "8m",
        "-n",
        "lv2",
        "vg",
    ]);
    assert!(
        s.sys().join("backup/vg").exists(),
        "--config overrides rvm.conf"
    );
}

#[test]
fn common_flags_are_accepted_everywhere() {
    let s = Sandbox::new();
    let a = s.file("a.img", GIB);
    let a = a.to_str().unwrap();
    let c = "global { activation = 0 }";
    s.ok(&["pvcreate", "-v", "-q", "-y", "--config", c, a]);
    s.ok(&["vgcreate", "-v", "-q", "-y", "--config", c, "vg", a]);
    s.ok(&[
        "lvcreate", "-v", "-q", "-y", "--config", c, "-L", "8m", "-n", "lv", "vg",
    ]);
    for cmd in [
        "pvs",
        "vgs",
        "lvs",
        "pvdisplay",
        "vgdisplay",
        "lvdisplay",
        "pvscan",
        "vgck",
    ] {
        s.ok(&[cmd, "-v", "-q", "--readonly", "--config", c]);
    }
    s.ok(&[
        "lvchange", "-v", "-q", "-y", "-f", "--config", c, "-an", "vg/lv",
    ]);
    s.ok(&[
        "lvextend", "-v", "-q", "-y", "-f", "--config", c, "-L", "+4m", "vg/lv",
    ]);
    s.ok(&["lvremove", "-v", "-q", "-y", "-f", "--config", c, "vg/lv"]);
    s.ok(&[
        "vgchange", "-v", "-q", "-y", "-f", "--config", c, "-ay", "vg",
    ]);
    s.ok(&["vgremove", "-v", "-q", "-y", "-f", "--config", c, "vg"]);
    s.ok(&["pvremove", "-v", "-q", "-y", "-f", "--config", c, a]);
    let e = s.fail(&["vgcreate", "--readonly", "vg", a]);
    assert!(e.contains("--readonly"), "{e}");
}
