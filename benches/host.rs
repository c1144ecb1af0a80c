//! Issue 3's creation and copy speed, measured side by side in one run:
//!
//! - `rvm lvcreate -s` of a small (64 MiB) and a large (64 GiB) origin, next to LVM2's
//!   `lvcreate` of the same size on a loop device. LVM2 cannot create a snapshot here:
//!   without device-mapper, `lvcreate -s` with activation disabled refuses ("Can't create
//!   snapshot without using device-mapper kernel driver"), so its plain `lvcreate` (the
//!   metadata work both share) is the peer, which flatters LVM2.
//! - `rvm copy` throughput against `dd` (bs=1M) copying the same bytes to or from the same
//!   place (the LV's range of its PV file), and `cp --sparse=always` copying the source file;
//!   each made durable (rvm flushes, dd uses conv=fsync, cp is followed by `sync FILE`).
//!
//! Run with `tools/bench-host.sh` (root, for the loop device). Knobs: RUNS (default 15),
//! COPY_MIB (default 1024).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

fn env_num(name: &str, default: u64) -> u64 {
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

fn sh(program: &str, args: &[&str]) -> String {
    check(
        &format!("{program} {args:?}"),
        Command::new(program).args(args).output(),
    )
}

/// LVM2 restricted to one loop device, with activation disabled.
struct Lvm2 {
    dev: String,
    vg: String,
    _file: tempfile::NamedTempFile,
}

impl Lvm2 {
    fn config(&self) -> String {
        format!(
            "global {{ activation = 0 }} devices {{ filter = [ \"a|^{}$|\", \"r|.*|\" ] }}",
            self.dev
        )
    }

    fn run(&self, args: &[&str]) -> String {
        let config = self.config();
        let mut all = vec![args[0], "--config", &config];
        all.extend(&args[1..]);
        check(
            &format!("lvm {all:?}"),
            Command::new("lvm")
                .args(&all)
                .env("LVM_SUPPRESS_FD_WARNINGS", "1")
                .output(),
        )
    }
}

impl Drop for Lvm2 {
    fn drop(&mut self) {
        let config = self.config();
        for args in [
            vec!["vgremove", "--config", &config, "-ff", "-y", &self.vg],
            vec!["pvremove", "--config", &config, "-ff", "-y", &self.dev],
        ] {
            let _ = Command::new("lvm")
                .args(&args)
                .env("LVM_SUPPRESS_FD_WARNINGS", "1")
                .output();
        }
        let _ = Command::new("losetup").args(["-d", &self.dev]).output();
    }
}

fn lvm2(size: u64) -> Lvm2 {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    file.as_file().set_len(size).expect("size");
    let dev = sh("losetup", &["-f", "--show", file.path().to_str().unwrap()])
        .trim()
        .to_string();
    let l = Lvm2 {
        dev,
        vg: format!("rvmbench{}", std::process::id()),
        _file: file,
    };
    l.run(&["pvcreate", "-y", &l.dev]);
    l.run(&["vgcreate", "-s", "4M", &l.vg, &l.dev]);
    l
}

/// A sandboxed rvm.
struct Rvm {
    dir: tempfile::TempDir,
}

impl Rvm {
    fn new() -> Rvm {
        let dir = tempfile::tempdir().expect("temp dir");
        Rvm { dir }
    }

    fn run(&self, args: &[&str]) -> String {
        check(
            &format!("rvm {args:?}"),
            Command::new(env!("CARGO_BIN_EXE_rvm"))
                .args(args)
                .env("RVM_SYSTEM_DIR", self.dir.path().join("sys"))
                .env("RVM_RUN_DIR", self.dir.path().join("run"))
                .current_dir(self.dir.path())
                .output(),
        )
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
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

fn creation(runs: u64) {
    let r = Rvm::new();
    let pv = r.path("pv.img");
    std::fs::File::create(&pv)
        .and_then(|f| f.set_len(200 * GIB))
        .expect("PV file");
    r.run(&["vgcreate", "vg", pv.to_str().unwrap()]);
    r.run(&["lvcreate", "-L", "64m", "-n", "small", "vg"]);
    r.run(&["lvcreate", "-L", "64g", "-n", "large", "vg"]);
    let l = lvm2(200 * GIB);
    let mut rvm_small = Vec::new();
    let mut rvm_large = Vec::new();
    let mut lvm_small = Vec::new();
    let mut lvm_large = Vec::new();
    for i in 0..runs {
        let n = format!("s{i}");
        rvm_small.push(timed(|| {
            r.run(&["lvcreate", "-s", "-L", "64m", "-n", &n, "vg/small"]);
        }));
        r.run(&["lvremove", "-f", &format!("vg/{n}")]);
        rvm_large.push(timed(|| {
            r.run(&["lvcreate", "-s", "-L", "64m", "-n", &n, "vg/large"]);
        }));
        r.run(&["lvremove", "-f", &format!("vg/{n}")]);
        lvm_small.push(timed(|| {
            l.run(&["lvcreate", "-Zn", "-L", "64m", "-n", &n, &l.vg]);
        }));
        l.run(&["lvremove", "-f", &format!("{}/{n}", l.vg)]);
        lvm_large.push(timed(|| {
            l.run(&["lvcreate", "-Zn", "-L", "64g", "-n", &n, &l.vg]);
        }));
        l.run(&["lvremove", "-f", &format!("{}/{n}", l.vg)]);
    }
    let min = |v: &Vec<Duration>| v.iter().min().copied().unwrap_or_default();
    let (rs_min, rl_min, ls_min, ll_min) = (
        min(&rvm_small),
        min(&rvm_large),
        min(&lvm_small),
        min(&lvm_large),
    );
    let (rs, rl, ls, ll) = (
        median(rvm_small),
        median(rvm_large),
        median(lvm_small),
        median(lvm_large),
    );
    println!(
        "snapshot creation, {runs} runs each (whole command, process start to exit), median / min:"
    );
    println!(
        "  rvm lvcreate -s -L 64m of a 64 MiB origin   {:8.2} / {:6.2} ms",
        ms(rs),
        ms(rs_min)
    );
    println!(
        "  rvm lvcreate -s -L 64m of a 64 GiB origin   {:8.2} / {:6.2} ms",
        ms(rl),
        ms(rl_min)
    );
    println!(
        "  LVM2 lvcreate -L 64m (activation=0)          {:8.2} / {:6.2} ms",
        ms(ls),
        ms(ls_min)
    );
    println!(
        "  LVM2 lvcreate -L 64g (activation=0)          {:8.2} / {:6.2} ms",
        ms(ll),
        ms(ll_min)
    );
    println!(
        "  (LVM2 cannot make a snapshot without device-mapper; its plain lvcreate is the peer)"
    );
    println!(
        "  ratio rvm/LVM2, median: {:.3}x (small origin), {:.3}x (large origin); min: {:.3}x, {:.3}x; goal <= 0.2x",
        ms(rs) / ms(ls),
        ms(rl) / ms(ll),
        ms(rs_min) / ms(ls_min),
        ms(rl_min) / ms(ll_min)
    );
    println!(
        "  large/small origin for rvm: {:.2}x median, {:.2}x min (goal: independent of the origin's size)",
        ms(rl) / ms(rs),
        ms(rl_min) / ms(rs_min)
    );
}

/// Writes `size` bytes of pseudo-random data, or (sparse) 1 MiB of it every 16 MiB.
fn make_source(path: &Path, size: u64, sparse: bool) {
    use std::io::Write;
    let f = std::fs::File::create(path).expect("source");
    f.set_len(size).expect("size");
    let mut w = std::io::BufWriter::with_capacity(8 * MIB as usize, &f);
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut block = vec![0u8; MIB as usize];
    for i in 0..size / MIB {
        for b in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes());
        }
        if sparse && i % 16 != 0 {
            continue;
        }
        use std::io::Seek;
        w.seek(std::io::SeekFrom::Start(i * MIB)).expect("seek");
        w.write_all(&block).expect("write");
    }
    w.flush().expect("flush");
    drop(w);
    f.sync_all().expect("sync");
}

fn mibps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / MIB as f64 / d.as_secs_f64()
}

fn best(runs: u64, mut f: impl FnMut()) -> Duration {
    (0..runs).map(|_| timed(&mut f)).min().unwrap_or_default()
}

fn copying(mib: u64) {
    let size = mib * MIB;
    let r = Rvm::new();
    let pv = r.path("pv.img");
    std::fs::File::create(&pv)
        .and_then(|f| f.set_len(size + GIB))
        .expect("PV file");
    r.run(&["vgcreate", "vg", pv.to_str().unwrap()]);
    r.run(&["lvcreate", "-L", &format!("{mib}m"), "-n", "lv", "vg"]);
    let src = r.path("src.img");
    let sparse = r.path("sparse.img");
    make_source(&src, size, false);
    make_source(&sparse, size, true);
    // The peers copy the same bytes to and from the same place: the LV's range of the PV.
    let pe_start = r
        .run(&[
            "pvs",
            "--noheadings",
            "--units",
            "b",
            "--nosuffix",
            "-o",
            "pe_start",
        ])
        .trim()
        .to_string();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let runs = 3;
    let rvm_in = best(runs, || {
        r.run(&["copy", &s(&src), "vg/lv"]);
    });
    let dd_in = best(runs, || {
        sh(
            "dd",
            &[
                &format!("if={}", s(&src)),
                &format!("of={}", s(&pv)),
                &format!("seek={pe_start}"),
                "oflag=seek_bytes",
                "bs=1M",
                "conv=notrunc,fsync",
                "status=none",
            ],
        );
    });
    let out = r.path("out.img");
    let rvm_out = best(runs, || {
        r.run(&["copy", "vg/lv", &s(&out)]);
    });
    let dd_out = best(runs, || {
        sh(
            "dd",
            &[
                &format!("if={}", s(&pv)),
                &format!("of={}", s(&out)),
                &format!("skip={pe_start}"),
                &format!("count={size}"),
                "iflag=skip_bytes,count_bytes",
                "bs=1M",
                "conv=fsync",
                "status=none",
            ],
        );
    });
    let cp_out = best(runs, || {
        sh("cp", &["--sparse=always", &s(&src), &s(&out)]);
        sh("sync", &[&s(&out)]);
    });
    let rvm_sparse = best(runs, || {
        r.run(&["copy", &s(&sparse), &s(&out)]);
    });
    let cp_sparse = best(runs, || {
        sh("cp", &["--sparse=always", &s(&sparse), &s(&out)]);
        sh("sync", &[&s(&out)]);
    });
    println!("copy throughput, {mib} MiB, best of {runs}, page-cached source, durable at the end:");
    let row = |what: &str, rvm: Duration, peer_name: &str, peer: Duration| {
        println!(
            "  {what:<28} rvm {:8.0} MiB/s   {peer_name:<22} {:8.0} MiB/s   ratio {:.2}x",
            mibps(size, rvm),
            mibps(size, peer),
            peer.as_secs_f64() / rvm.as_secs_f64()
        );
    };
    row("file -> LV", rvm_in, "dd into the PV range", dd_in);
    row("LV -> file", rvm_out, "dd from the PV range", dd_out);
    row("LV -> file", rvm_out, "cp --sparse=always (file)", cp_out);
    row(
        "sparse file -> file (1/16)",
        rvm_sparse,
        "cp --sparse=always+sync",
        cp_sparse,
    );
    println!("  (ratio is peer time / rvm time: above 1 means rvm is faster)");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let quick = !std::env::args().any(|a| a == "--bench");
    if quick {
        // Under `cargo test` this file is a smoke test: sizes too small to judge.
        copying(16);
        return;
    }
    creation(env_num("RUNS", 15));
    copying(env_num("COPY_MIB", 1024));
}
