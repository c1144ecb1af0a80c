//! Snapshot speed, measured in one run against its peers (issue 3, Speed): rvm with fewer
//! snapshots, qcow2 with an internal snapshot (qemu-img bench), qemu-img commit and a plain
//! sequential copy. Everything runs on file-backed PVs in one temporary directory (page
//! cache), through the engine API, with several threads issuing I/O.
//!
//! `cargo bench --bench snapshot` runs the full sizes (`tools/bench-snapshot.sh`); under
//! `cargo test` the same code runs at toy sizes as a smoke test and prints no verdicts.

use rvm::block::{BlockDevice, FileDevice};
use rvm::engine::{
    EngineSettings, HostError, MetadataHost, Origin, OriginSpec, Piece, SnapshotSpec, Volume,
};
use rvm::format::id::Id;
use rvm::meta::model::SnapshotInfo;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;

/// A file PV that counts flushes, for the flushes-per-10,000-writes figure.
struct Counting {
    inner: FileDevice,
    flushes: AtomicU64,
}

impl BlockDevice for Counting {
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.inner.read_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.inner.write_at(buf, offset)
    }
    fn flush(&self) -> io::Result<()> {
        self.flushes.fetch_add(1, Ordering::Relaxed);
        self.inner.flush()
    }
    fn discard(&self, offset: u64, len: u64) -> io::Result<()> {
        self.inner.discard(offset, len)
    }
    fn name(&self) -> String {
        self.inner.name()
    }
}

/// Bump-allocates LVs on one PV and plays the metadata host.
struct Pv {
    dev: Arc<Counting>,
    next: Mutex<u64>,
}

impl Pv {
    fn piece(&self, len: u64) -> Piece {
        let mut n = self.next.lock().unwrap();
        let p = Piece {
            device: self.dev.clone(),
            lv_offset: 0,
            dev_offset: *n,
            len,
        };
        *n += len;
        p
    }
}

impl MetadataHost for Pv {
    fn extend_snapshot(&self, _: &Id, _: u64) -> Result<Vec<Piece>, HostError> {
        Err("the benchmark sizes stores to fit".into())
    }
    fn merge_started(&self, _: &Id) -> Result<(), HostError> {
        Ok(())
    }
    fn merge_finished(&self, _: &Id) -> Result<(), HostError> {
        Ok(())
    }
}

struct Sizes {
    origin: u64,
    writes: u64,
    merge: u64,
    threads: u64,
    full: bool,
}

fn pv(dir: &Path, name: &str, size: u64) -> Arc<Pv> {
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().set_len(size).unwrap();
    Arc::new(Pv {
        dev: Arc::new(Counting {
            inner: FileDevice::open(&path).unwrap(),
            flushes: AtomicU64::new(0),
        }),
        next: Mutex::new(0),
    })
}

fn open_origin(pv: &Arc<Pv>, size: u64) -> Origin {
    let spec = OriginSpec {
        id: Id::random(),
        pieces: vec![pv.piece(size)],
        read_only: false,
    };
    let mut settings = EngineSettings::default();
    if let Some(n) = std::env::var("RVM_BENCH_MERGE_CHUNKS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        settings.merge_commit_chunks = n;
    }
    Origin::open(spec, Vec::new(), settings, pv.clone()).unwrap()
}

fn snapshot(pv: &Arc<Pv>, origin: &Origin, store: u64, store_id: u32) -> Id {
    let spec = SnapshotSpec {
        id: Id::random(),
        info: SnapshotInfo {
            origin: origin.id(),
            chunk_size: 4096,
            store_id,
            merging: false,
        },
        pieces: vec![pv.piece(store)],
        // Writable, as `lvcreate -s` makes them by default; they share copies all the same.
        read_only: false,
    };
    origin.create_snapshot(spec).unwrap().id()
}

/// Distinct random 4 KiB-aligned offsets, a deterministic shuffle.
fn offsets(size: u64, n: u64, seed: u64) -> Vec<u64> {
    let chunks = size / 4096;
    let mut all: Vec<u64> = (0..chunks).collect();
    let mut s = seed;
    for i in (1..all.len()).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        all.swap(i, (s >> 33) as usize % (i + 1));
    }
    all.truncate(n as usize);
    all.into_iter().map(|c| c * 4096).collect()
}

/// Issues 4 KiB reads or writes at the offsets from `threads` threads. Returns the
/// rate over the I/O alone and over I/O plus the final flush (writes only).
fn run<V: Volume + Clone + 'static>(
    v: &V,
    offs: &[u64],
    threads: u64,
    write: bool,
    tag: u8,
) -> (f64, f64) {
    let start = Instant::now();
    std::thread::scope(|s| {
        for part in offs.chunks(offs.len().div_ceil(threads as usize)) {
            let v = v.clone();
            s.spawn(move || {
                let mut buf = vec![tag; 4096];
                for &o in part {
                    if write {
                        v.write_at(&buf, o, false).unwrap();
                    } else {
                        v.read_at(&mut buf, o).unwrap();
                    }
                }
            });
        }
    });
    let io = start.elapsed().as_secs_f64();
    if write {
        v.flush().unwrap();
    }
    let all = start.elapsed().as_secs_f64();
    let n = offs.len() as f64;
    (n / io, n / all)
}

fn show(name: &str, r: (f64, f64)) {
    println!(
        "  {name:<44} {:>9.0}/s acknowledged, {:>9.0}/s with the final flush",
        r.0, r.1
    );
}

fn fill(v: &dyn Volume, size: u64, tag: u8) {
    let buf = vec![tag; MIB as usize];
    for off in (0..size).step_by(MIB as usize) {
        v.write_at(&buf, off, false).unwrap();
    }
    v.flush().unwrap();
}

fn verdict(full: bool, name: &str, ratio: f64, goal: &str, ok: bool) {
    if full {
        let mark = if ok { "meets" } else { "MISSES" };
        println!("  {name}: {ratio:.2}x ({mark} goal {goal})");
    } else {
        println!("  {name}: {ratio:.2}x (smoke run, no verdict)");
    }
}

fn tool(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn first_writes(dir: &Path, z: &Sizes) -> f64 {
    println!(
        "random 4 KiB writes, {} per run, {} threads; ratios use the rate with the final flush",
        z.writes, z.threads
    );
    // Both origins on one PV file, so flushes cost the same for both. Three origins and nine
    // stores of origin + 64 MiB are carved from it; the file is sparse.
    let p = pv(dir, "first.img", z.origin * 12 + 10 * 64 * MIB);
    let origin = open_origin(&p, z.origin);
    let plain = open_origin(&p, z.origin);
    fill(&origin, z.origin, 1);
    fill(&plain, z.origin, 1);
    let pool = offsets(z.origin, z.writes * 2, 1);
    let (offs, offs8) = pool.split_at(z.writes as usize);
    let base = run(&plain, offs, z.threads, true, 2);
    show("no snapshot, first writes", base);
    snapshot(&p, &origin, z.origin + 64 * MIB, 1);
    let f0 = p.dev.flushes.load(Ordering::Relaxed);
    let one = run(&origin, offs, z.threads, true, 3);
    let flushes = p.dev.flushes.load(Ordering::Relaxed) - f0;
    show("1 snapshot, first writes", one);
    println!(
        "  device flushes per 10,000 first writes (1 snapshot): {:.1}",
        flushes as f64 * 10_000.0 / z.writes as f64
    );
    // Overwrites of chunks already copied: five rounds against the baseline, alternating
    // which goes first (the page cache's writeback drifts), and the median round's ratio.
    let mut rounds: Vec<((f64, f64), (f64, f64))> = (0..5u8)
        .map(|round| {
            if round % 2 == 0 {
                let b = run(&plain, offs, z.threads, true, 4 + round);
                (b, run(&origin, offs, z.threads, true, 4 + round))
            } else {
                let o = run(&origin, offs, z.threads, true, 4 + round);
                (run(&plain, offs, z.threads, true, 4 + round), o)
            }
        })
        .collect();
    rounds.sort_by(|a, b| (a.1 .1 / a.0 .1).total_cmp(&(b.1 .1 / b.0 .1)));
    let (plain_over, over) = rounds[rounds.len() / 2];
    show("no snapshot, overwrites (median round of 5)", plain_over);
    show("1 snapshot, overwrites of copied chunks", over);
    let one8 = {
        // The 1-snapshot figure again on fresh chunks, right before the 8-snapshot run.
        let q = open_origin(&p, z.origin);
        fill(&q, z.origin, 1);
        snapshot(&p, &q, z.origin + 64 * MIB, 10);
        let r = run(&q, offs8, z.threads, true, 9);
        q.close().unwrap();
        r
    };
    for i in 2..=8 {
        snapshot(&p, &origin, z.origin + 64 * MIB, i);
    }
    let eight = run(&origin, offs8, z.threads, true, 10);
    show("1 snapshot, first writes (second set)", one8);
    show("8 snapshots, first writes (second set)", eight);
    verdict(
        z.full,
        "1 snapshot vs none",
        one.1 / base.1,
        ">= 0.3x",
        one.1 / base.1 >= 0.3,
    );
    verdict(
        z.full,
        "8 snapshots vs 1",
        eight.1 / one8.1,
        ">= 0.8x",
        eight.1 / one8.1 >= 0.8,
    );
    verdict(
        z.full,
        "overwrites vs no snapshot",
        over.1 / plain_over.1,
        ">= 0.9x",
        over.1 / plain_over.1 >= 0.9,
    );

    // Reads of chunks no write touched since the snapshots: through one and the origin.
    let written: std::collections::HashSet<u64> = pool.iter().copied().collect();
    let untouched: Vec<u64> = offsets(z.origin, z.origin / 4096, 3)
        .into_iter()
        .filter(|o| !written.contains(o))
        .take(z.writes as usize * 8)
        .collect();
    let snap = origin.snapshot(&origin.snapshot_ids()[7]).unwrap();
    let _ = run(&origin, &untouched, z.threads, false, 0);
    // Seven rounds, alternating which goes first, and the median of the rounds' ratios:
    // a run lasts a fraction of a second, so one descheduled thread on this shared
    // machine moves a single figure a lot, and a drift moves both sides of a round alike.
    let mut rounds: Vec<(f64, f64)> = (0..7)
        .map(|round| {
            if round % 2 == 0 {
                let o = run(&origin, &untouched, z.threads, false, 0).0;
                (o, run(&snap, &untouched, z.threads, false, 0).0)
            } else {
                let s = run(&snap, &untouched, z.threads, false, 0).0;
                (run(&origin, &untouched, z.threads, false, 0).0, s)
            }
        })
        .collect();
    rounds.sort_by(|a, b| (a.1 / a.0).total_cmp(&(b.1 / b.0)));
    let (o_read, s_read) = rounds[rounds.len() / 2];
    println!(
        "  reads of unchanged chunks (median round of 7): origin {o_read:.0}/s, snapshot {s_read:.0}/s"
    );
    verdict(
        z.full,
        "snapshot reads vs origin reads",
        s_read / o_read,
        ">= 0.95x",
        s_read / o_read >= 0.95,
    );
    origin.close().unwrap();
    plain.close().unwrap();
    one.1
}

fn qcow2_first_writes(dir: &Path, z: &Sizes, rvm_one: f64) {
    let img = dir.join("q.qcow2");
    let img_s = img.to_str().unwrap();
    tool(
        Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2", img_s])
            .arg(z.origin.to_string()),
    );
    tool(
        Command::new("qemu-io")
            .args(["-f", "qcow2", "-c"])
            .arg(format!("write -P 1 0 {}", z.origin))
            .arg(img_s),
    );
    tool(Command::new("qemu-img").args(["snapshot", "-c", "s1", img_s]));
    // qemu-img bench steps sequentially; a 64 KiB step makes every write a first write
    // to its own cluster, as the random writes above are to their own chunks.
    let count = z.writes.min(z.origin / 65536);
    let t = tool(
        Command::new("qemu-img")
            .args([
                "bench",
                "-q",
                "-w",
                "-f",
                "qcow2",
                "-t",
                "writeback",
                "-d",
                "8",
                "-s",
                "4096",
                "-S",
                "65536",
                "-c",
            ])
            .arg(count.to_string())
            .arg(img_s),
    );
    let q = count as f64 / t.as_secs_f64();
    println!(
        "qcow2 with an internal snapshot: {q:.0} first writes/s (qemu-img bench, {count} writes)"
    );
    verdict(
        z.full,
        "rvm 1 snapshot vs qcow2",
        rvm_one / q,
        ">= 3x",
        rvm_one / q >= 3.0,
    );
}

fn creation(dir: &Path, z: &Sizes) {
    let p = pv(dir, "create.img", z.origin * 8 + 512 * MIB);
    let mut times = Vec::new();
    for size in [z.origin / 16, z.origin * 4] {
        let origin = open_origin(&p, size);
        let start = Instant::now();
        snapshot(&p, &origin, 64 * MIB, 1);
        times.push((size, start.elapsed()));
        origin.close().unwrap();
    }
    for (size, t) in &times {
        println!(
            "snapshot creation, origin of {} MiB: {:.2} ms",
            size / MIB,
            t.as_secs_f64() * 1e3
        );
    }
    println!("  (creation vs LVM2's lvcreate -s is measured through the CLI; hook: time `rvm lvcreate -s` against `lvcreate -s` on loop devices)");
}

fn merge(dir: &Path, z: &Sizes) {
    let size = z.merge;
    println!("merge of {} MiB of changes", size / MIB);
    let p = pv(dir, "merge.img", size * 3 + 128 * MIB);
    let origin = open_origin(&p, size);
    fill(&origin, size, 1);
    let id = snapshot(&p, &origin, size + size / 8 + 64 * MIB, 1);
    fill(&origin, size, 2);
    let start = Instant::now();
    origin.start_merge(&id).unwrap();
    let started = start.elapsed().as_secs_f64();
    assert!(origin.wait_merge(Duration::from_secs(3600)));
    origin.flush().unwrap();
    let t_merge = start.elapsed().as_secs_f64();
    println!("  (merge start took {:.3} s)", started);
    let mut b = vec![0u8; 4096];
    origin.read_at(&mut b, size / 2).unwrap();
    assert!(b.iter().all(|&x| x == 1), "merge restored the snapshot");
    origin.close().unwrap();
    println!("  rvm merge: {t_merge:.2} s");

    let base = dir.join("base.raw");
    let ov = dir.join("ov.qcow2");
    tool(
        Command::new("qemu-img")
            .args(["create", "-q", "-f", "raw"])
            .arg(&base)
            .arg(size.to_string()),
    );
    tool(
        Command::new("qemu-io")
            .args(["-f", "raw", "-c"])
            .arg(format!("write -P 1 0 {size}"))
            .arg(&base),
    );
    tool(
        Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2", "-F", "raw", "-b"])
            .arg(&base)
            .arg(&ov),
    );
    tool(
        Command::new("qemu-io")
            .args(["-f", "qcow2", "-c"])
            .arg(format!("write -P 2 0 {size}"))
            .arg(&ov),
    );
    let t_commit = tool(
        Command::new("qemu-img")
            .args(["commit", "-q", "-t", "writeback"])
            .arg(&ov),
    )
    .as_secs_f64();
    println!("  qemu-img commit: {t_commit:.2} s");

    // The copy overwrites an allocated file, as the merge and the commit do.
    let copy = dir.join("copy.raw");
    plain_copy(&base, &copy, size);
    let t_copy = plain_copy(&base, &copy, size);
    println!("  plain sequential copy (1 MiB, then fdatasync): {t_copy:.2} s");
    verdict(
        z.full,
        "merge time vs qemu-img commit",
        t_merge / t_commit,
        "<= 0.75x",
        t_merge / t_commit <= 0.75,
    );
    verdict(
        z.full,
        "merge speed vs plain copy",
        t_copy / t_merge,
        ">= 0.8x",
        t_copy / t_merge >= 0.8,
    );
}

fn plain_copy(from: &PathBuf, to: &PathBuf, size: u64) -> f64 {
    use std::os::unix::fs::FileExt;
    let src = std::fs::File::open(from).unwrap();
    let dst = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(to)
        .unwrap();
    let mut buf = vec![0u8; MIB as usize];
    let start = Instant::now();
    for off in (0..size).step_by(MIB as usize) {
        src.read_exact_at(&mut buf, off).unwrap();
        dst.write_all_at(&buf, off).unwrap();
    }
    dst.sync_data().unwrap();
    start.elapsed().as_secs_f64()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let z = if full {
        Sizes {
            origin: 1 << 30,
            writes: 20_000,
            merge: 1 << 30,
            threads: 4,
            full,
        }
    } else {
        Sizes {
            origin: 64 * MIB,
            writes: 1000,
            merge: 16 * MIB,
            threads: 2,
            full,
        }
    };
    let root = std::env::var_os("RVM_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(root).unwrap();
    println!(
        "rvm snapshot benchmark ({}), file PVs in {}",
        if full { "full" } else { "smoke" },
        dir.path().display()
    );
    println!("note: the machine is shared with other builds; figures vary between runs");
    // RVM_BENCH_ONLY=writes|merge runs one part, to iterate on it.
    let only = std::env::var("RVM_BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "writes" {
        let one = first_writes(dir.path(), &z);
        qcow2_first_writes(dir.path(), &z, one);
        creation(dir.path(), &z);
    }
    if only.is_empty() || only == "merge" {
        merge(dir.path(), &z);
    }
}
