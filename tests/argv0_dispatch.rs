//! Invoked through a symlink named after an LVM2 command, rvm behaves as `rvm <command>`;
//! `--version` and `rvm version` print LVM2's version line with rvm's own version.

mod common;
use common::*;

#[test]
fn symlinks_named_after_lvm2_commands_dispatch() {
    let s = Sandbox::new();
    let bin = s.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["pvcreate", "vgcreate", "lvcreate", "lvs", "vgs", "lvremove"] {
        std::os::unix::fs::symlink(RVM, bin.join(name)).unwrap();
    }
    let a = s.file("a.img", GIB);
    let run = |cmd: &str, args: &[&str]| {
        let o = std::process::Command::new(bin.join(cmd))
            .args(args)
            .env("RVM_SYSTEM_DIR", s.sys())
            .env("RVM_RUN_DIR", s.path("run"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    assert!(run("pvcreate", &[a.to_str().unwrap()]).contains("successfully created"));
    assert!(run("vgcreate", &["vg", a.to_str().unwrap()]).contains("successfully created"));
    assert!(run("lvcreate", &["-L", "8m", "-n", "lv", "vg"]).contains("created"));
    assert!(run("lvs", &["--noheading"]).contains("lv"));
    assert!(run("vgs", &[]).contains("vg"));
    assert!(run("lvs", &["--version"]).contains("LVM version:     2.03.16(2) (rvm "));
    run("lvremove", &["-f", "vg/lv"]);
    assert!(s.lv_sizes("vg").is_empty());
}

#[test]
fn version_lines() {
    let s = Sandbox::new();
    let want = format!(
        "  LVM version:     2.03.16(2) (rvm {})\n",
        env!("CARGO_PKG_VERSION")
    );
    for args in [vec!["--version"], vec!["version"]] {
        let out = s.ok(&args);
        assert!(out.starts_with(&want), "{out:?}");
        assert!(out.contains("Library version:"), "{out:?}");
    }
}

#[test]
fn abbreviated_long_options_are_accepted() {
    let s = Sandbox::new();
    let a = s.file("a.img", GIB);
    s.ok(&["vgcreate", "vg", a.to_str().unwrap()]);
    s.ok(&["lvcreate", "--siz", "8m", "--nam", "lv", "vg"]);
    s.ok(&["lvs", "--noheading", "--unit=g", "--nosuf"]);
    s.ok(&["vgs", "--separ", ":", "--readonly"]);
    assert_eq!(s.lv_sizes("vg"), vec![("lv".to_string(), 2)]);
}
