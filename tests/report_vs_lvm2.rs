//! rvm's pvs, vgs and lvs against real LVM2 on the same layout: the same commands build
//! three VGs, tagged, read-only, contiguous, skip-activation and spanning LVs, and an orphan
//! PV of an odd size, once with LVM2 on loop devices and once with rvm on files of the same
//! sizes. Reports must match byte for byte once identifiers, times and the one documented
//! difference (lv_attr's state) are masked.
//!
//! LVM2 gets `--pvmetadatacopies 2 --metadatasize 4092k`, which gives the same layout rvm
//! uses by default (a 4 MiB pe_start and a 4 MiB - 4 KiB metadata area at each end), so PV
//! sizes and extent counts match. rvm's files get paths exactly as long as the loop device
//! names, so column widths match too.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const MIB: u64 = 1 << 20;

/// Runs LVM2, returning stdout; panics with its stderr on failure.
fn lvm(args: &[&str]) -> String {
    let out = Command::new("lvm")
        .args(args)
        .env("LVM_SUPPRESS_FD_WARNINGS", "1")
        .output()
        .expect("LVM2's lvm is installed (tools/install-test-deps.sh)");
    assert!(
        out.status.success(),
        "lvm {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// LVM2 run without caring whether it succeeds (cleanup).
fn lvm_quiet(args: &[&str]) {
    let _ = Command::new("lvm")
        .args(args)
        .env("LVM_SUPPRESS_FD_WARNINGS", "1")
        .output();
}

/// One side of the comparison: LVM2 on loop devices, or rvm on files.
struct Side {
    rvm: Option<(tempfile::TempDir, tempfile::TempDir)>,
    /// The PV paths, in creation order.
    pvs: Vec<String>,
    /// Loop devices to detach and backing files to delete.
    loops: Vec<String>,
    files: Vec<PathBuf>,
    vgs: Vec<String>,
}

impl Side {
    fn run(&self, args: &[&str]) -> String {
        match &self.rvm {
            None => lvm(args),
            Some((sys, run)) => {
                let out = Command::new(env!("CARGO_BIN_EXE_rvm"))
                    .args(args)
                    .env("RVM_SYSTEM_DIR", sys.path())
                    .env("RVM_RUN_DIR", run.path())
                    .output()
                    .expect("run rvm");
                assert!(
                    out.status.success(),
                    "rvm {args:?} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8(out.stdout).expect("utf-8")
            }
        }
    }
}

impl Drop for Side {
    fn drop(&mut self) {
        if self.rvm.is_none() {
            for vg in &self.vgs {
                lvm_quiet(&["vgremove", "-ff", "-y", vg]);
            }
            for pv in &self.pvs {
                lvm_quiet(&["pvremove", "-ff", "-y", pv]);
            }
            for l in &self.loops {
                let _ = Command::new("losetup").args(["-d", l]).output();
            }
        }
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }
}

fn sparse(path: &Path, size: u64) {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .expect("create backing file");
    f.set_len(size).expect("size backing file");
}

/// A unique name per test run and call, for LVM2's global VG namespace.
fn unique(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "rvcmp{}{tag}{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A path under /tmp exactly `len` bytes long that does not exist yet, starting with `lead`
/// so that rvm's PV names sort as the loop device names they stand for.
fn path_of_len(len: usize, lead: char) -> PathBuf {
    assert!(len > 7, "loop device names are longer than /tmp/xy");
    loop {
        let id = tempfile::Builder::new()
            .prefix(&lead.to_string())
            .rand_bytes(len - 6)
            .tempfile_in("/tmp")
            .expect("temp name");
        let p = id.path().to_path_buf();
        drop(id);
        if p.as_os_str().len() == len && !p.exists() {
            return p;
        }
    }
}

/// The PV sizes: two for VG A (4 MiB extents), one for B (1 MiB), one for C, an orphan.
const SIZES: [u64; 5] = [108 * MIB, 2056 * MIB, 3079 * MIB, 64 * MIB, 99_999_744];

/// Builds the LVM2 side on loop devices.
fn lvm2_side(dir: &Path) -> Side {
    let mut side = Side {
        rvm: None,
        pvs: Vec::new(),
        loops: Vec::new(),
        files: Vec::new(),
        vgs: Vec::new(),
    };
    for (i, &size) in SIZES.iter().enumerate() {
        let f = dir.join(format!("lvm{i}.img"));
        sparse(&f, size);
        side.files.push(f.clone());
        // Another test may take the same free loop device between lookup and binding.
        let mut out = None;
        for _ in 0..5 {
            let o = Command::new("losetup")
                .args(["-f", "--show"])
                .arg(&f)
                .output()
                .expect("losetup (root is needed for loop devices)");
            if o.status.success() {
                out = Some(o);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
            out = Some(o);
        }
        let out = out.expect("losetup ran");
        assert!(
            out.status.success(),
            "losetup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dev = String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_owned();
        side.loops.push(dev.clone());
        side.pvs.push(dev);
    }
    side
}

/// Builds the rvm side: files whose paths are as long as the loop device names.
fn rvm_side(lvm2: &Side) -> Side {
    let mut side = Side {
        rvm: Some((tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap())),
        pvs: Vec::new(),
        loops: Vec::new(),
        files: Vec::new(),
        vgs: Vec::new(),
    };
    let mut sorted = lvm2.pvs.clone();
    sorted.sort();
    for (dev, &size) in lvm2.pvs.iter().zip(SIZES.iter()) {
        let rank = sorted.iter().position(|d| d == dev).unwrap_or(0);
        let p = path_of_len(dev.len(), char::from(b'a' + rank as u8));
        sparse(&p, size);
        side.files.push(p.clone());
        side.pvs.push(p.to_str().expect("utf-8 path").to_owned());
    }
    side
}

/// The same commands on both sides; `{pvN}` stands for the side's Nth PV.
fn build(side: &mut Side, vg: &[String; 3]) {
    const NOACT: &str = "global{activation=0}";
    let p = side.pvs.clone();
    let (a, b, c) = (vg[0].as_str(), vg[1].as_str(), vg[2].as_str());
    let fill = format!("{a}/fill");
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "pvcreate",
            "--pvmetadatacopies",
            "2",
            "--metadatasize",
            "4092k",
            &p[0],
            &p[1],
            &p[2],
            &p[3],
            &p[4],
        ],
        vec!["vgcreate", a, &p[0], &p[1]],
        vec!["vgcreate", "-s", "1M", b, &p[2]],
        vec!["vgcreate", c, &p[3]],
        vec!["vgchange", "--addtag", "prod", "--addtag", "db", b],
        vec![
            "lvcreate", "--config", NOACT, "-Zn", "-L", "20M", "-n", "data", a, &p[0],
        ],
        vec![
            "lvcreate",
            "--config",
            NOACT,
            "-Zn",
            "-L",
            "12M",
            "-n",
            "ro",
            "-p",
            "r",
            "--alloc",
            "contiguous",
            "--addtag",
            "web",
            "--addtag",
            "alpha",
            a,
            &p[0],
        ],
        vec![
            "lvcreate", "--config", NOACT, "-Zn", "-l", "300", "-n", "Mid", a, &p[1],
        ],
        // Filled PV by PV so that both tools place the extents alike.
        vec![
            "lvcreate", "--config", NOACT, "-Zn", "-l", "100%FREE", "-n", "fill", a, &p[0],
        ],
        vec![
            "lvextend",
            "--config",
            NOACT,
            "-l",
            "+100%FREE",
            &fill,
            &p[1],
        ],
        vec![
            "lvcreate", "--config", NOACT, "-Zn", "-L", "2043M", "-n", "big", b,
        ],
        vec![
            "lvcreate", "--config", NOACT, "-Zn", "-L", "5M", "-n", "small", b,
        ],
    ];
    for s in steps {
        side.run(&s);
    }
    side.vgs = vg.to_vec();
}

/// Masks what must differ: identifiers, creation times, and the LV state LVM2 cannot know
/// without device-mapper: lv_attr's `XX` (rvm: `a-` for an active LV), lvdisplay's
/// "NOT available" (rvm: "available" and "# open 0") and lvdisplay -c's in-kernel flag.
fn mask(s: &str, lvm2_pvs: &[String], rvm_pvs: &[String]) -> String {
    let uuid = regex::Regex::new(r"[A-Za-z0-9]{6}(-[A-Za-z0-9]{4}){5}-[A-Za-z0-9]{6}").unwrap();
    let time = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}").unwrap();
    let mut out = uuid.replace_all(s, "UUID").into_owned();
    out = time.replace_all(&out, "TIME").into_owned();
    out = out.replace("-XX", "-a-");
    out = out.replace(
        "LV Status              available\n  # open                 0\n",
        "LV Status              NOT available\n",
    );
    let colon = regex::Regex::new(r"(?m)^(  /dev/[^:]+:[^:]+:\d+):1:").unwrap();
    out = colon.replace_all(&out, "${1}:0:").into_owned();
    for (l, r) in lvm2_pvs.iter().zip(rvm_pvs) {
        out = out.replace(l.as_str(), r.as_str());
    }
    out
}

#[test]
fn reports_match_lvm2() {
    let dir = tempfile::tempdir().unwrap();
    let mut lv2 = lvm2_side(dir.path());
    let mut rv = rvm_side(&lv2);
    let vgs = [unique("a"), unique("b"), unique("c")];
    build(&mut lv2, &vgs);
    build(&mut rv, &vgs);

    let pv_args = |side: &Side| side.pvs.clone();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("lvs", vec![]),
        ("lvs", vec!["-a"]),
        ("vgs", vec![]),
        ("pvs", vec![]),
        ("lvs", vec!["-v"]),
        ("vgs", vec!["-v"]),
        ("pvs", vec!["-v"]),
        ("lvs", vec!["--units", "b"]),
        ("lvs", vec!["--units", "b", "--nosuffix"]),
        ("lvs", vec!["--units", "h"]),
        ("lvs", vec!["--units", "H"]),
        ("vgs", vec!["--units", "g"]),
        ("vgs", vec!["--units", "m", "--nosuffix"]),
        ("pvs", vec!["--units", "k"]),
        ("pvs", vec!["--units", "s"]),
        ("pvs", vec!["--units", "G"]),
        ("lvs", vec!["--separator", ":"]),
        ("lvs", vec!["--separator", "|", "--aligned"]),
        ("lvs", vec!["--noheadings"]),
        ("vgs", vec!["--noheadings", "--separator", ","]),
        ("lvs", vec!["--nosuffix"]),
        ("lvs", vec!["--reportformat", "json"]),
        ("vgs", vec!["--reportformat", "json"]),
        ("pvs", vec!["--reportformat", "json"]),
        ("lvs", vec!["--nameprefixes", "--noheadings"]),
        ("lvs", vec!["--rows"]),
        ("lvs", vec!["-o", "lv_name,lv_attr,lv_size,lv_tags,seg_count,lv_uuid,lv_time,lv_host"]),
        ("lvs", vec!["-o", "name,size,attr,Origin", "-O", "-lv_size"]),
        ("lvs", vec!["-o", "+lv_path,lv_dm_path,lv_full_name,lv_allocation_policy"]),
        ("lvs", vec!["-o", "+lv_skip_activation,lv_merging,lv_role,lv_layout", "--binary"]),
        ("lvs", vec!["-S", "lv_name!=fill", "-o", "+devices,seg_pe_ranges"]),
        ("lvs", vec!["-S", "lv_name!=fill", "--segments", "-v"]),
        ("lvs", vec!["-S", "lv_size > 100m"]),
        ("lvs", vec!["-S", "lv_tags=web || vg_tags=prod"]),
        ("vgs", vec!["-o", "+vg_tags,vg_extent_size,vg_extent_count,vg_free_count,max_lv,max_pv,vg_attr"]),
        ("vgs", vec!["-o", "vg_name,lv_name,lv_attr,lv_size"]),
        ("vgs", vec!["-O", "-vg_free"]),
        ("vgs", vec!["-o", "+vg_mda_count,vg_mda_used_count,vg_mda_size,vg_mda_copies"]),
        ("pvs", vec!["-o", "+pv_used,pe_start,pv_pe_count,pv_pe_alloc_count,dev_size,pv_mda_count,pv_mda_size,pv_mda_used_count,pv_in_use,pv_allocatable"]),
        ("pvs", vec!["-o", "pv_name,vg_name,vg_size,vg_free,vg_attr"]),
        ("pvs", vec!["-S", "vg_name=\"\""]),
        ("pvs", vec!["--segments", "-S", "lv_name!=fill"]),
        ("pvdisplay", vec![]),
        ("pvdisplay", vec!["-m"]),
        ("pvdisplay", vec!["-c"]),
        ("pvdisplay", vec!["-s"]),
        ("pvdisplay", vec!["--units", "b"]),
        ("vgdisplay", vec![]),
        ("vgdisplay", vec!["-v"]),
        ("vgdisplay", vec!["-c"]),
        ("vgdisplay", vec!["-s"]),
        ("vgdisplay", vec!["-C"]),
        ("lvdisplay", vec![]),
        ("lvdisplay", vec!["-m"]),
        ("lvdisplay", vec!["-c"]),
        ("lvdisplay", vec!["-C"]),
        ("pvdisplay", vec!["-C"]),
    ];
    let mut failures = Vec::new();
    for (cmd, args) in &cases {
        let mut l_args: Vec<String> = std::iter::once(cmd.to_string())
            .chain(args.iter().map(|s| s.to_string()))
            .collect();
        let mut r_args = l_args.clone();
        if cmd.starts_with("pvdisplay") {
            // LVM2 lists PVs in its device-cache order; compare one PV at a time.
            for (lp, rp) in lv2.pvs.iter().zip(&rv.pvs) {
                let mut l = l_args.clone();
                l.push(lp.clone());
                let mut r = r_args.clone();
                r.push(rp.clone());
                let l: Vec<&str> = l.iter().map(String::as_str).collect();
                let r: Vec<&str> = r.iter().map(String::as_str).collect();
                let want = mask(&lv2.run(&l), &lv2.pvs, &rv.pvs);
                let got = mask(&rv.run(&r), &lv2.pvs, &rv.pvs);
                if got != want {
                    failures.push(format!("{l:?}\n--- rvm:\n{got}--- LVM2:\n{want}"));
                }
            }
            continue;
        }
        if cmd.starts_with("pv") {
            l_args.extend(pv_args(&lv2));
            r_args.extend(pv_args(&rv));
        } else {
            l_args.extend(vgs.iter().cloned());
            r_args.extend(vgs.iter().cloned());
        }
        let l: Vec<&str> = l_args.iter().map(String::as_str).collect();
        let r: Vec<&str> = r_args.iter().map(String::as_str).collect();
        let want = mask(&lv2.run(&l), &lv2.pvs, &rv.pvs);
        let got = mask(&rv.run(&r), &lv2.pvs, &rv.pvs);
        if got != want {
            failures.push(format!("{cmd} {args:?}\n--- rvm:\n{got}--- LVM2:\n{want}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} reports differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
