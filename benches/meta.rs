//! Issue 2's metadata speed: `lvs` and `lvcreate` in a VG of 500 LVs, rvm (file PV) against
//! LVM2 (loop device, activation disabled), measured side by side in one run and printed
//! with the ratio; then rvm alone with 10,000 LVs.
//!
//! Both VGs get their LVs through the tools' own restore path (LVM2's text metadata with
//! vgcfgrestore, rvm's JSON backup with vgcfgrestore), so that only the measured commands
//! are timed. Run with `tools/bench-meta.sh` (root, for the loop device).

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const GIB: u64 = 1 << 30;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn check(what: &str, out: std::io::Result<Output>) -> String {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// LVM2 through its `lvm` binary.
fn lvm(args: &[&str]) -> String {
    check(
        &format!("lvm {args:?}"),
        Command::new("lvm")
            .args(args)
            .env("LVM_SUPPRESS_FD_WARNINGS", "1")
            .output(),
    )
}

/// A sandboxed rvm: its own system and run directories.
struct Rvm {
    dir: tempfile::TempDir,
}

impl Rvm {
    fn run(&self, args: &[&str]) -> String {
        check(
            &format!("rvm {args:?}"),
            Command::new(env!("CARGO_BIN_EXE_rvm"))
                .args(args)
                .env("RVM_SYSTEM_DIR", self.dir.path().join("sys"))
                .env("RVM_RUN_DIR", self.dir.path().join("run"))
                .output(),
        )
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The LVM2 VG, removed with its PV and loop device even if the benchmark fails.
struct Lvm2Vg {
    vg: String,
    dev: String,
    _file: tempfile::NamedTempFile,
}

impl Drop for Lvm2Vg {
    fn drop(&mut self) {
        let quiet = |args: &[&str]| {
            let _ = Command::new("lvm")
                .args(args)
                .env("LVM_SUPPRESS_FD_WARNINGS", "1")
                .output();
        };
        quiet(&["vgremove", "-ff", "-y", &self.vg]);
        quiet(&["pvremove", "-ff", "-y", &self.dev]);
        let _ = Command::new("losetup").args(["-d", &self.dev]).output();
    }
}

/// A VG of `n` one-extent LVs in LVM2 on a loop device over a sparse file.
fn lvm2_vg(n: usize) -> Lvm2Vg {
    let file = tempfile::NamedTempFile::new().expect("backing file");
    file.as_file().set_len(64 * GIB).expect("size");
    let dev = check(
        "losetup (run as root)",
        Command::new("losetup")
            .args(["-f", "--show"])
            .arg(file.path())
            .output(),
    )
    .trim()
    .to_owned();
    let vg = Lvm2Vg {
        vg: format!("rvbench{}", std::process::id()),
        dev,
        _file: file,
    };
    lvm(&["pvcreate", "-y", &vg.dev]);
    lvm(&["vgcreate", "-s", "4M", &vg.vg, &vg.dev]);
    let backup = tempfile::NamedTempFile::new().expect("backup file");
    let path = backup.path().to_str().expect("utf-8 path").to_owned();
    lvm(&["vgcfgbackup", "-f", &path, &vg.vg]);
    let text = std::fs::read_to_string(&path).expect("read LVM2 backup");
    std::fs::write(&path, with_lvm2_lvs(&text, n)).expect("write LVM2 metadata");
    lvm(&["vgcfgrestore", "-f", &path, &vg.vg]);
    vg
}

/// LVM2 text metadata with `n` linear LVs added, one extent each on pv0.
fn with_lvm2_lvs(text: &str, n: usize) -> String {
    let mut lvs = String::from("\n\tlogical_volumes {\n");
    for i in 0..n {
        lvs.push_str(&format!(
            "\n\t\tvolume{i} {{\n\t\t\tid = \"bench0-0000-0000-0000-0000-0000-{i:06}\"\n\
             \t\t\tstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\n\t\t\tflags = []\n\
             \t\t\tcreation_time = 1800000000\n\t\t\tcreation_host = \"bench\"\n\
             \t\t\tsegment_count = 1\n\n\t\t\tsegment1 {{\n\t\t\t\tstart_extent = 0\n\
             \t\t\t\textent_count = 1\n\n\t\t\t\ttype = \"striped\"\n\t\t\t\tstripe_count = 1\n\n\
             \t\t\t\tstripes = [\n\t\t\t\t\t\"pv0\", {i}\n\t\t\t\t]\n\t\t\t}}\n\t\t}}\n"
        ));
    }
    lvs.push_str("\t}\n");
    // The VG's block closes with the last line that is a lone "}".
    let end = text.rfind("\n}").expect("VG block in LVM2 backup");
    format!("{}{lvs}{}", &text[..end], &text[end..])
}

/// A VG of `n` one-extent LVs in rvm on a sparse file, restored from its JSON backup.
fn rvm_vg(n: usize) -> Rvm {
    let r = Rvm {
        dir: tempfile::tempdir().expect("sandbox"),
    };
    for d in ["sys", "run"] {
        std::fs::create_dir_all(r.path(d)).expect("sandbox dirs");
    }
    let pv = r.path("pv.img");
    std::fs::File::create(&pv)
        .and_then(|f| f.set_len(64 * GIB))
        .expect("PV file");
    let pv = pv.to_str().expect("utf-8 path").to_owned();
    r.run(&["pvcreate", &pv]);
    r.run(&["vgcreate", "-s", "4M", "vgb", &pv]);
    if n > 0 {
        let backup = r.path("vg.json");
        let b = backup.to_str().expect("utf-8 path");
        r.run(&["vgcfgbackup", "-f", b, "vgb"]);
        let mut doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(b).expect("read backup"))
                .expect("rvm backup is JSON");
        let lvs: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                serde_json::json!({
                    "name": format!("volume{i}"),
                    "id": format!("bench{i:027}"),
                    "read_only": false,
                    "active": true,
                    "activation_skip": false,
                    "alloc": "inherit",
                    "creation_time": 1_800_000_000u64,
                    "creation_host": "bench",
                    "tags": [],
                    "snapshot": null,
                    "segments": [[0, 1, 0, i]],
                })
            })
            .collect();
        doc["vg"]["lvs"] = serde_json::Value::Array(lvs);
        std::fs::write(b, serde_json::to_string(&doc).expect("JSON")).expect("write backup");
        r.run(&["vgcfgrestore", "-f", b, "vgb"]);
    }
    r
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn timed(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn count_lines(out: &str, prefix: &str) -> usize {
    out.lines()
        .filter(|l| l.trim_start().starts_with(prefix))
        .count()
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this in test mode, where
    // it must not spend minutes benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        println!("meta benchmark: run it with `cargo bench --bench meta` (tools/bench-meta.sh)");
        return;
    }
    let n = env_num("LVS", 500);
    let big = env_num("BIG_LVS", 10_000);
    let runs = env_num("RUNS", 9).max(1);
    let noact = "global{activation=0}";

    println!("Building a VG of {n} LVs in LVM2 (loop device) and in rvm (file PV)...");
    let l = lvm2_vg(n);
    let r = rvm_vg(n);
    assert_eq!(count_lines(&lvm(&["lvs", &l.vg]), "volume"), n);
    assert_eq!(count_lines(&r.run(&["lvs", "vgb"]), "volume"), n);

    let (mut l_lvs, mut r_lvs, mut l_create, mut r_create) = (vec![], vec![], vec![], vec![]);
    for i in 0..runs {
        // Interleaved so that both sides see the same machine load.
        l_lvs.push(timed(|| {
            lvm(&["lvs", &l.vg]);
        }));
        r_lvs.push(timed(|| {
            r.run(&["lvs", "vgb"]);
        }));
        let name = format!("new{i}");
        l_create.push(timed(|| {
            lvm(&[
                "lvcreate", "--config", noact, "-Zn", "-L", "4M", "-n", &name, &l.vg,
            ]);
        }));
        r_create.push(timed(|| {
            r.run(&["lvcreate", "-Zn", "-L", "4M", "-n", &name, "vgb"]);
        }));
    }
    println!("\nmedian of {runs} runs, VG with {n} LVs (machine shared; figures vary)");
    println!(
        "{:<10} {:>12} {:>12} {:>8}",
        "command", "LVM2 ms", "rvm ms", "ratio"
    );
    for (what, lv, rv) in [
        ("lvs", median(l_lvs), median(r_lvs)),
        ("lvcreate", median(l_create), median(r_create)),
    ] {
        let ratio = lv.as_secs_f64() / rv.as_secs_f64().max(1e-9);
        let verdict = if ratio >= 5.0 { "ok" } else { "BELOW 5x" };
        println!(
            "{what:<10} {:>12.1} {:>12.1} {ratio:>7.1}x  {verdict}",
            ms(lv),
            ms(rv)
        );
    }
    drop(l);
    drop(r);

    println!("\nrvm alone, VG with {big} LVs:");
    let r = rvm_vg(big);
    let mut lvs_t = vec![];
    let mut create_t = vec![];
    for i in 0..3 {
        lvs_t.push(timed(|| {
            let out = r.run(&["lvs", "vgb"]);
            assert!(count_lines(&out, "volume") >= big);
        }));
        create_t.push(timed(|| {
            r.run(&[
                "lvcreate",
                "-Zn",
                "-L",
                "4M",
                "-n",
                &format!("more{i}"),
                "vgb",
            ]);
        }));
    }
    println!("{:<10} {:>12.1} ms (median of 3)", "lvs", ms(median(lvs_t)));
    println!(
        "{:<10} {:>12.1} ms (median of 3)",
        "lvcreate",
        ms(median(create_t))
    );
}
