//! The filesystem under a file PV fills up (ENOSPC) while `rvm serve` runs. PVs are sparse
//! files, one of them on a small tmpfs this test mounts, so writes into their holes need
//! space the filesystem no longer has:
//! - an NBD write to an LV on the full filesystem gets an I/O error reply (not a hang, not
//!   a disconnect), the same connection still reads what was written, clients of an LV on
//!   another PV are not disturbed, and writes work again once space is freed;
//! - an origin write whose copy-on-write lands on the full filesystem fails, leaves the
//!   origin unchanged and keeps the snapshot valid and at its point in time, however often
//!   clients retry;
//! - a metadata commit that meets ENOSPC fails with one line and leaves the old metadata:
//!   reports still answer meanwhile, the daemon keeps serving, and after space is freed
//!   the same command works.

mod common;
mod daemon_common;
mod nbd_common;
use common::*;
use daemon_common::*;
use nbd_common::RawClient;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ENOSPC: u32 = 28;

/// A tmpfs of a given size, mounted for the test and unmounted when it ends.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: PathBuf, size: &str) -> Tmpfs {
        std::fs::create_dir_all(&dir).unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .expect("mount(8)");
        assert!(
            out.status.success(),
            "this test needs to mount a small tmpfs (run it as root, or in a container \
             with CAP_SYS_ADMIN): mount -t tmpfs -o size={size} tmpfs {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes a file until the filesystem is full; returns its path.
    fn fill(&self) -> PathBuf {
        let p = self.path("filler");
        let mut f = std::fs::File::create(&p).unwrap();
        let block = vec![0x5au8; 1 << 20];
        loop {
            match f.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                Err(e) => panic!("filling {}: {e}", p.display()),
            }
        }
        // Smaller writes take the last partial megabyte.
        loop {
            match f.write(&block[..4096]) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
        assert_eq!(free_bytes(&self.dir), 0, "the filesystem is not full");
        p
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = std::process::Command::new("umount")
            .arg(&self.dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // Something still has a file open there (a daemon that failed to stop):
            // detach it now, the kernel frees it when the last user goes.
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(&self.dir)
                .status();
        }
    }
}

fn free_bytes(dir: &Path) -> u64 {
    let st = nix::sys::statvfs::statvfs(dir).unwrap();
    st.blocks_available() as u64 * st.fragment_size() as u64
}

fn pattern(seed: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 11) as u8 | 1)
        .collect()
}

/// Runs `f` and asserts it finished within `secs`: an error reply must not be a hang.
fn timed<T>(what: &str, secs: u64, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    assert!(
        t.elapsed() < Duration::from_secs(secs),
        "{what} took {:?}",
        t.elapsed()
    );
    r
}

/// A sandbox whose VG `vg0` has a PV on a 32 MiB tmpfs (larger than the tmpfs, and
/// sparse) and one in the sandbox; `pv_first` puts the tmpfs PV first in the VG.
fn setup(small_first: bool, extent: &str) -> (Sandbox, Tmpfs, PathBuf, PathBuf) {
    let s = Sandbox::new();
    let fs = Tmpfs::mount(s.path("small"), "32m");
    let small = fs.path("pv-small.img");
    std::fs::File::create(&small)
        .unwrap()
        .set_len(256 << 20)
        .unwrap();
    let big = s.file("pv-big.img", 256 << 20);
    let (first, second) = match small_first {
        true => (&small, &big),
        false => (&big, &small),
    };
    s.ok(&[
        "vgcreate",
        "-s",
        extent,
        "vg0",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
    ]);
    (s, fs, small, big)
}

#[test]
fn writes_to_a_full_filesystem_fail_and_the_daemon_keeps_serving() {
    let (s, fs, small, big) = setup(true, "4m");
    s.ok(&[
        "lvcreate",
        "-L",
        "64m",
        "-n",
        "a",
        "vg0",
        small.to_str().unwrap(),
    ]);
    s.ok(&[
        "lvcreate",
        "-L",
        "32m",
        "-n",
        "b",
        "vg0",
        big.to_str().unwrap(),
    ]);
    s.ok(&["nbd", "export", "vg0/a"]);
    s.ok(&["nbd", "export", "vg0/b"]);
    let d = Daemon::start(&s);
    let mut a = RawClient::connect(d.nbd, "vg0/a", true);
    let mut b = RawClient::connect(d.nbd, "vg0/b", true);
    let early = pattern(1, 4 << 20);
    assert_eq!(a.write(0, &early), 0);
    assert_eq!(a.flush(), 0);
    assert_eq!(b.write(0, &pattern(2, 1 << 20)), 0);
    assert_eq!(b.flush(), 0);

    let filler = fs.fill();
    // A write into a hole of the PV file needs space: the client gets ENOSPC, quickly.
    for i in 0..4u64 {
        let e = timed("a write on a full filesystem", 10, || {
            a.write((32 << 20) + i * (1 << 20), &pattern(3, 1 << 20))
        });
        assert_eq!(e, ENOSPC, "write {i} on a full filesystem");
    }
    // The same connection still works: what was written reads back, and a flush (which
    // covers only acknowledged writes) succeeds.
    assert_eq!(a.read(0, 4 << 20).unwrap(), early);
    assert_eq!(a.flush(), 0);
    // Rewriting data that has its space succeeds even now.
    let rewritten = pattern(4, 1 << 20);
    assert_eq!(a.write(0, &rewritten), 0);
    assert_eq!(a.flush(), 0);
    // The other LV and new connections are not disturbed; commands still answer.
    let block = pattern(5, 1 << 20);
    assert_eq!(b.write(1 << 20, &block), 0);
    assert_eq!(b.flush(), 0);
    assert_eq!(b.read(1 << 20, 1 << 20).unwrap(), block);
    nbd_common::assert_healthy(d.nbd, "vg0/b");
    let mut a2 = RawClient::connect(d.nbd, "vg0/a", true);
    assert_eq!(a2.read(1 << 20, 3 << 20).unwrap(), early[1 << 20..]);
    let lvs = s.ok(&["lvs", "--noheadings", "-o", "lv_name", "vg0"]);
    assert_eq!(lvs.split_whitespace().collect::<Vec<_>>(), ["a", "b"]);

    // Space comes back: so do writes.
    std::fs::remove_file(&filler).unwrap();
    let late = pattern(6, 1 << 20);
    assert_eq!(a.write(32 << 20, &late), 0);
    assert_eq!(a.flush(), 0);
    assert_eq!(a.read(32 << 20, 1 << 20).unwrap(), late);
    a.disconnect();
    a2.disconnect();
    b.disconnect();
    d.stop();

    // What was acknowledged and flushed is there, read without the daemon.
    let img = s.path("a.raw");
    s.ok(&["copy", "vg0/a", img.to_str().unwrap()]);
    let img = std::fs::read(&img).unwrap();
    assert_eq!(&img[..1 << 20], &rewritten[..]);
    assert_eq!(&img[1 << 20..4 << 20], &early[1 << 20..]);
    assert_eq!(&img[32 << 20..33 << 20], &late[..]);
    s.ok(&["vgck", "vg0"]);
}

/// Snapshot usage as `lvs` reports it (Data%).
fn snap_percent(s: &Sandbox) -> f64 {
    s.ok(&["lvs", "--noheadings", "-o", "data_percent", "vg0/snap"])
        .trim()
        .parse()
        .unwrap()
}

/// The snapshot is active and valid (lv_attr's state is `a`, not `I`).
fn assert_valid(s: &Sandbox) {
    let attr = s.ok(&["lvs", "--noheadings", "-o", "lv_attr", "vg0/snap"]);
    assert!(
        attr.trim().starts_with("swi-a"),
        "the snapshot lost validity: {attr}"
    );
}

#[test]
fn copy_on_write_into_a_full_filesystem_fails_the_write_and_keeps_the_snapshot() {
    let (s, fs, small, _big) = setup(true, "4m");
    s.ok(&[
        "lvcreate",
        "-L",
        "32m",
        "-n",
        "a",
        "vg0",
        small.to_str().unwrap(),
    ]);
    s.ok(&["nbd", "export", "vg0/a"]);
    let d = Daemon::start(&s);
    let mut a = RawClient::connect(d.nbd, "vg0/a", true);
    let base = pattern(7, 8 << 20);
    assert_eq!(a.write(0, &base), 0);
    assert_eq!(a.flush(), 0);
    // The store is on the small filesystem too; 4 MiB holds about a thousand chunks.
    s.ok(&[
        "lvcreate",
        "-s",
        "-L",
        "4m",
        "-n",
        "snap",
        "vg0/a",
        small.to_str().unwrap(),
    ]);
    s.ok(&["nbd", "export", "vg0/snap", "--readonly"]);
    let used = snap_percent(&s);

    let filler = fs.fill();
    // Every origin write needs a copy into the store first, which has no space: the
    // write fails and the origin keeps its data. Clients retrying many more times than
    // the store has chunks must not use it up.
    for i in 0..3000u64 {
        let off = (i % 2048) * 4096;
        let e = a.write(off, &pattern(8, 4096));
        assert_eq!(e, ENOSPC, "origin write {i} at {off}");
    }
    assert_eq!(
        a.read(0, 8 << 20).unwrap(),
        base,
        "a failed write changed the origin"
    );
    assert_valid(&s);
    assert_eq!(snap_percent(&s), used, "failed writes used up the store");
    let mut sc = RawClient::connect(d.nbd, "vg0/snap", true);
    assert_eq!(sc.read(0, 8 << 20).unwrap(), base);

    // With space again, origin writes go through copy-on-write as usual.
    std::fs::remove_file(&filler).unwrap();
    let new = pattern(9, 1 << 20);
    assert_eq!(a.write(0, &new), 0);
    assert_eq!(a.flush(), 0);
    assert_eq!(a.read(0, 1 << 20).unwrap(), new);
    assert_eq!(sc.read(0, 8 << 20).unwrap(), base);
    a.disconnect();
    sc.disconnect();
    d.stop();
    assert_valid(&s);
    s.ok(&["vgck", "vg0"]);
}

#[test]
fn a_metadata_commit_that_hits_enospc_fails_with_one_line_and_leaves_old_metadata() {
    // The tmpfs PV second: the first PV takes the new record before the second fails.
    let (s, fs, _small, big) = setup(false, "1m");
    s.ok(&[
        "lvcreate",
        "-L",
        "8m",
        "-n",
        "b",
        "vg0",
        big.to_str().unwrap(),
    ]);
    s.ok(&["nbd", "export", "vg0/b"]);
    let d = Daemon::start(&s);
    let mut b = RawClient::connect(d.nbd, "vg0/b", true);
    let data = pattern(10, 1 << 20);
    assert_eq!(b.write(0, &data), 0);
    assert_eq!(b.flush(), 0);

    let filler = fs.fill();
    // Each LV makes the record longer; the metadata areas of a sparse PV file take
    // space as the record grows into them, so some commit meets ENOSPC.
    let mut failed = None;
    for i in 0..400 {
        let name = format!("lv{i}");
        let o = s.run(&[
            "lvcreate",
            "-L",
            "1m",
            "-n",
            &name,
            "vg0",
            big.to_str().unwrap(),
        ]);
        if !o.status.success() {
            failed = Some((name, o));
            break;
        }
    }
    let (name, o) = failed.expect("no metadata commit met ENOSPC");
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(err.contains("No space left on device"), "{err}");

    // Old metadata: the LV does not exist, reports answer (warnings allowed) and agree.
    let lvs = s.ok(&["lvs", "--noheadings", "-o", "lv_name", "vg0"]);
    assert!(
        !lvs.split_whitespace().any(|n| n == name),
        "{name} was reported as failed but exists: {lvs}"
    );
    let vgs = s.ok(&["vgs", "--noheadings", "-o", "lv_count", "vg0"]);
    let count: usize = vgs.trim().parse().unwrap();
    assert_eq!(count, lvs.split_whitespace().count());
    // The daemon serves on.
    assert_eq!(b.read(0, 1 << 20).unwrap(), data);
    assert_eq!(b.write(1 << 20, &data), 0);
    assert_eq!(b.flush(), 0);

    // Space again: the same command works, and the metadata checks out.
    std::fs::remove_file(&filler).unwrap();
    s.ok(&[
        "lvcreate",
        "-L",
        "1m",
        "-n",
        &name,
        "vg0",
        big.to_str().unwrap(),
    ]);
    let after = s.ok(&["lvs", "--noheadings", "-o", "lv_name", "vg0"]);
    assert_eq!(after.split_whitespace().count(), count + 1);
    s.ok(&["vgck", "vg0"]);
    b.disconnect();
    d.stop();
    s.ok(&["vgck", "vg0"]);
    let vgs = s.ok(&["vgs", "--noheadings", "-o", "lv_count", "vg0"]);
    assert_eq!(vgs.trim(), (count + 1).to_string());
}
