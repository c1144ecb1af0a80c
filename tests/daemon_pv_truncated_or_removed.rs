//! A PV file truncated or removed under a running `rvm serve`: a VG over two PV files,
//! one LV on each, both exported over NBD, clients connected to both.
//! - Truncated to nothing: the LV on it answers with I/O errors on connections that stay
//!   usable. A write may extend the file again, but the flush that would vouch for it
//!   fails, and from then on so does everything on that PV, so its data never reads back
//!   as the zeros of the re-extended file.
//! - Cut through its LV: what is left reads correctly, reads past the end fail, and a
//!   flush after a write past the cut fails. The PV is shorter than its label says, so it
//!   counts as missing: nothing writes its tail metadata past the end (which would fill
//!   the cut with zeros and pass vgck).
//! - Removed (unlinked): the daemon still holds the open file, so its LV keeps working
//!   until the daemon stops, as LVM2's device-mapper tables do.
//!
//! In every case the other LV's clients are not disturbed, reports answer with a warning,
//! changes to the VG are refused, SIGTERM stops the daemon promptly (exit status 5 and a
//! log line when a volume could not be flushed), and after a restart the LV on the
//! damaged PV is not served while the other is.

mod common;
mod daemon_common;
mod nbd_common;
use common::*;
use daemon_common::*;
use nbd_common::RawClient;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const EIO: u32 = 5;

fn pattern(seed: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 9) as u8 | 1)
        .collect()
}

/// A VG over two 256 MiB PV files, LV `a` (128 MiB) on the first and `b` (128 MiB) on the
/// second, both exported and each holding 4 MiB of known data, with a client connected to
/// each.
struct Rig {
    s: Sandbox,
    pvs: Vec<PathBuf>,
    d: Daemon,
    a: RawClient,
    b: RawClient,
    data_a: Vec<u8>,
    data_b: Vec<u8>,
}

fn rig() -> Rig {
    let s = Sandbox::new();
    let pvs = s.vg("vg0", 2, 256 << 20);
    for (lv, pv) in [("a", &pvs[0]), ("b", &pvs[1])] {
        s.ok(&[
            "lvcreate",
            "-L",
            "128m",
            "-n",
            lv,
            "vg0",
            pv.to_str().unwrap(),
        ]);
        s.ok(&["nbd", "export", &format!("vg0/{lv}")]);
    }
    let d = Daemon::start(&s);
    let mut a = RawClient::connect(d.nbd, "vg0/a", true);
    let mut b = RawClient::connect(d.nbd, "vg0/b", true);
    let (data_a, data_b) = (pattern(1, 4 << 20), pattern(2, 4 << 20));
    assert_eq!(a.write(0, &data_a), 0);
    assert_eq!(b.write(0, &data_b), 0);
    assert_eq!(a.flush(), 0);
    assert_eq!(b.flush(), 0);
    Rig {
        s,
        pvs,
        d,
        a,
        b,
        data_a,
        data_b,
    }
}

/// Asserts equal bytes without printing megabytes.
fn same(what: &str, got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    if let Some(i) = got.iter().zip(want).position(|(a, b)| a != b) {
        panic!("{what}: first difference at byte {i}");
    }
}

/// Reads, writes and flushes on `a` work and see what they should, on its old connection
/// and on a new one.
fn a_still_works(r: &mut Rig, seed: u32) {
    same("a's data", &r.a.read(0, 4 << 20).unwrap(), &r.data_a);
    let block = pattern(seed, 1 << 20);
    let off = (8 << 20) + seed as u64 * (1 << 20);
    assert_eq!(r.a.write(off, &block), 0);
    assert_eq!(r.a.flush(), 0);
    same("a's new block", &r.a.read(off, 1 << 20).unwrap(), &block);
    let mut c = RawClient::connect(r.d.nbd, "vg0/a", true);
    same("a, new connection", &c.read(off, 1 << 20).unwrap(), &block);
    assert_eq!(c.write(32 << 20, &block[..4096]), 0);
    assert_eq!(c.flush(), 0);
    c.disconnect();
}

/// Runs an rvm command through the daemon; returns (exit code, stdout, stderr).
fn run(s: &Sandbox, args: &[&str]) -> (i32, String, String) {
    let o = s.run(args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Reports answer, naming the PV's trouble; a change to the VG is refused, its last line
/// saying why.
fn reports_warn_and_changes_are_refused(s: &Sandbox) {
    let (code, out, err) = run(s, &["lvs", "--noheadings", "-o", "lv_name", "vg0"]);
    assert_eq!(code, 0, "lvs: {err}");
    assert_eq!(out.split_whitespace().collect::<Vec<_>>(), ["a", "b"]);
    assert!(err.contains("WARNING"), "lvs gave no warning: {err:?}");
    let (code, out, err) = run(s, &["vgs", "--noheadings", "-o", "vg_name", "vg0"]);
    assert_eq!(code, 0, "vgs: {err}");
    assert_eq!(out.trim(), "vg0");
    let (code, _, err) = run(s, &["lvcreate", "-L", "4m", "-n", "c", "vg0"]);
    assert_eq!(code, 5, "lvcreate on a VG with a damaged PV: {err}");
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.contains("while PVs are missing")),
        "{err}"
    );
}

/// SIGTERM: the daemon exits within the wait `stop_with` allows, without a panic.
fn stop(d: Daemon) -> (std::process::ExitStatus, String) {
    let t = Instant::now();
    let (status, log) = d.stop_with(nix::sys::signal::Signal::SIGTERM);
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "shutdown took {:?}",
        t.elapsed()
    );
    assert!(!log.contains("panicked"), "{log}");
    assert!(log.contains("rvm serve: stopping"), "{log}");
    (status, log)
}

#[test]
fn a_truncated_pv_gives_its_lv_errors_and_leaves_the_rest_serving() {
    let mut r = rig();
    // The whole file goes: b's data and both of the PV's metadata copies.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&r.pvs[1])
        .unwrap();
    f.set_len(0).unwrap();
    drop(f);

    // A write may extend the file again (nothing tells a write that the file shrank,
    // short of a syscall per write), but the flush that would vouch for it cannot...
    let w = r.b.write(1 << 20, &pattern(3, 4096));
    assert!(w == 0 || w == EIO, "write: error {w}");
    assert_eq!(r.b.flush(), EIO, "a flush on a truncated PV succeeded");
    // ...and from then on b's data is an error, never the zeros of the re-extended file.
    for off in [0, 1 << 20, 3 << 20] {
        match r.b.read(off, 4096) {
            Err(e) => assert_eq!(e, EIO),
            Ok(got) => panic!(
                "read at {off} of a truncated PV succeeded (zeros: {})",
                got.iter().all(|&x| x == 0)
            ),
        }
    }
    assert_eq!(r.b.write(2 << 20, &pattern(4, 4096)), EIO);
    // The connection stays usable, and new ones to b are answered, with errors.
    assert_eq!(r.b.read(0, 4096).unwrap_err(), EIO);
    let mut b2 = RawClient::connect(r.d.nbd, "vg0/b", true);
    assert_eq!(b2.read(0, 4096).unwrap_err(), EIO);

    a_still_works(&mut r, 1);
    reports_warn_and_changes_are_refused(&r.s);
    a_still_works(&mut r, 2);

    let Rig {
        s, d, a, b, data_a, ..
    } = r;
    drop((a, b, b2));
    let (status, log) = stop(d);
    // b could not be flushed; that is reported, and a's data is safe.
    assert!(
        !status.success() && log.contains("flush"),
        "exit {status} although b could not be flushed: {log}"
    );
    let img = s.path("a.raw");
    s.ok(&["copy", "vg0/a", img.to_str().unwrap()]);
    same(
        "a after the stop",
        &std::fs::read(&img).unwrap()[..4 << 20],
        &data_a,
    );
    restarted_serves_only_a(&s, &data_a);
}

/// After a restart the LV on the damaged PV is not served, the other one is.
fn restarted_serves_only_a(s: &Sandbox, data_a: &[u8]) {
    let d = Daemon::start(s);
    let mut a = RawClient::connect(d.nbd, "vg0/a", true);
    same("a after a restart", &a.read(0, 4 << 20).unwrap(), data_a);
    a.disconnect();
    let o = tool(20, "nbdinfo", &["--size", &d.uri("vg0/b")]);
    assert!(!o.status.success(), "b is served without its PV: {o:?}");
    assert!(d.log_text().contains("vg0/b"), "{}", d.log_text());
    d.stop();
}

#[test]
fn a_removed_pv_file_keeps_serving_until_the_daemon_stops() {
    let mut r = rig();
    std::fs::remove_file(&r.pvs[1]).unwrap();

    // The daemon's open file lives on: b reads its data and takes writes.
    same("b's data", &r.b.read(0, 4 << 20).unwrap(), &r.data_b);
    let block = pattern(4, 4096);
    assert_eq!(r.b.write(1 << 20, &block), 0);
    assert_eq!(r.b.flush(), 0);
    assert_eq!(r.b.read(1 << 20, 4096).unwrap(), block);

    a_still_works(&mut r, 1);
    reports_warn_and_changes_are_refused(&r.s);
    let (_, _, err) = run(&r.s, &["vgs", "vg0"]);
    assert!(err.contains("missing PV"), "{err}");
    a_still_works(&mut r, 2);

    let Rig {
        s, d, a, b, data_a, ..
    } = r;
    drop((a, b));
    let (status, log) = stop(d);
    assert!(status.success(), "exit {status}: {log}");

    // Restarted: a is served, b is not (its PV is missing), and the log says why.
    restarted_serves_only_a(&s, &data_a);
}

#[test]
fn a_pv_cut_through_an_lv_fails_its_flushes() {
    let mut r = rig();
    // The cut goes through b (its extents run from about 1 MiB to 129 MiB of the file),
    // past the data written to it in this daemon's life.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&r.pvs[1])
        .unwrap();
    f.set_len(100 << 20).unwrap();
    drop(f);
    // Below the cut b's data is intact; past the end of the file reads fail.
    same("b below the cut", &r.b.read(0, 4 << 20).unwrap(), &r.data_b);
    assert_eq!(r.b.read(110 << 20, 4096).unwrap_err(), EIO);
    // A write past the cut extends the file again; the flush must not vouch for it.
    let w = r.b.write(120 << 20, &pattern(5, 4096));
    assert!(w == 0 || w == EIO, "write: error {w}");
    assert_eq!(
        r.b.flush(),
        EIO,
        "a flush on a PV cut through its LV succeeded"
    );
    assert_eq!(r.b.read(125 << 20, 4096).unwrap_err(), EIO);

    a_still_works(&mut r, 1);
    // The PV is shorter than its label says: it is not used (nor repaired by writing its
    // tail past the end, which would fill the cut with zeros).
    reports_warn_and_changes_are_refused(&r.s);
    let (_, _, err) = run(&r.s, &["vgs", "vg0"]);
    assert!(err.contains("was it truncated?"), "{err}");
    assert!(
        std::fs::metadata(&r.pvs[1]).unwrap().len() < 256 << 20,
        "the PV file was extended back to its old size"
    );
    a_still_works(&mut r, 2);

    let Rig {
        s, d, a, b, data_a, ..
    } = r;
    drop((a, b));
    let (status, log) = stop(d);
    assert!(
        !status.success() && log.contains("was it truncated?"),
        "exit {status} although b could not be flushed: {log}"
    );
    restarted_serves_only_a(&s, &data_a);
}
