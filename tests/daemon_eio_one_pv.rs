//! EIO from one PV under the daemon. The daemon runs in-process on the sandbox's PV files,
//! each opened through a fault-injecting device (`DeviceOpener` seam), and one PV starts
//! failing every read, write and flush with EIO:
//! - the LV on that PV gets EIO replies for reads, writes and flushes, on a connection
//!   that stays usable, and works again (with its data) once the PV recovers;
//! - LVs on the other PV keep reading, writing and flushing, on old and new connections;
//! - an origin on the healthy PV whose snapshot's store is on the failing one refuses
//!   writes that need copy-on-write (an origin write never reaches the disk before its
//!   exception is durable), keeps serving reads, and its snapshot stays valid at its
//!   point in time however often clients retry; a flush that cannot commit held writes
//!   fails until the PV recovers, and then commits them;
//! - the daemon keeps serving throughout and shuts down without hanging, reporting what
//!   it could not flush.

mod common;
mod nbd_common;
use common::*;
use nbd_common::RawClient;
use rvm::block::{
    BlockDevice, DeviceOpener, FaultDevice, FaultDomain, FaultRule, FileDevice, InjectedError,
    OpKind,
};
use rvm::daemon::{Daemon, DaemonError, DaemonOptions};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const EIO: u32 = 5;

/// Opens each PV file once, behind a fault device of one domain, and hands out that
/// device to every later open of the same path (the daemon's hosts, scans, commands).
struct FaultOpener {
    domain: Arc<FaultDomain>,
    devices: Mutex<HashMap<PathBuf, Arc<FaultDevice>>>,
}

impl FaultOpener {
    /// The domain index of the device for `path`.
    fn index(&self, path: &Path) -> usize {
        let key = path.canonicalize().unwrap();
        self.devices.lock().unwrap()[&key].index()
    }

    /// Every read, write, discard and flush of `path` fails with EIO from now on.
    fn fail(&self, path: &Path) {
        let i = self.index(path);
        for kind in [OpKind::Read, OpKind::Write, OpKind::Discard] {
            self.domain
                .inject(FaultRule::range(kind, i, 0, u64::MAX, InjectedError::Eio));
        }
        self.fail_flushes(path);
    }

    /// Only flushes of `path` fail. (A range rule never matches a flush, which touches
    /// no bytes.)
    fn fail_flushes(&self, path: &Path) {
        let mut rule = FaultRule::nth(OpKind::Flush, 1, InjectedError::Eio);
        rule.device = Some(self.index(path));
        rule.persistent = true;
        self.domain.inject(rule);
    }
}

impl DeviceOpener for FaultOpener {
    fn open(&self, path: &Path, _writable: bool) -> io::Result<Arc<dyn BlockDevice>> {
        let key = path.canonicalize()?;
        let mut devices = self.devices.lock().unwrap();
        if let Some(d) = devices.get(&key) {
            return Ok(d.clone());
        }
        let dev = self.domain.add(Arc::new(FileDevice::open(&key)?));
        devices.insert(key, dev.clone());
        Ok(dev)
    }
}

fn pattern(seed: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 7) as u8 | 1)
        .collect()
}

fn same(what: &str, got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    if let Some(i) = got.iter().zip(want).position(|(a, b)| a != b) {
        panic!("{what}: first difference at byte {i}");
    }
}

struct Rig {
    s: Sandbox,
    pvs: Vec<PathBuf>,
    opener: Arc<FaultOpener>,
    daemon: Arc<Daemon>,
    nbd: std::net::SocketAddr,
}

/// VG `vg0` over two PV files; `setup` creates LVs and exports with the real binary
/// before the in-process daemon starts on fault devices.
fn rig(setup: impl FnOnce(&Sandbox, &[PathBuf])) -> Rig {
    let s = Sandbox::new();
    let pvs = s.vg("vg0", 2, 256 << 20);
    setup(&s, &pvs);
    let opener = Arc::new(FaultOpener {
        domain: FaultDomain::new(1),
        devices: Mutex::default(),
    });
    let daemon = Daemon::start(DaemonOptions {
        system_dir: s.sys(),
        run_dir: s.path("run"),
        config: rvm::meta::config::Config::default(),
        nbd: "127.0.0.1:0".parse().unwrap(),
        iscsi: "127.0.0.1:0".parse().unwrap(),
        opener: opener.clone(),
        command_grace: Duration::from_secs(1),
    })
    .unwrap();
    let nbd = daemon.addresses().0;
    Rig {
        s,
        pvs,
        opener,
        daemon,
        nbd,
    }
}

/// Shuts the daemon down within a bound, returning its result.
fn shutdown(daemon: Arc<Daemon>) -> Result<(), DaemonError> {
    let t = Instant::now();
    let r = daemon.shutdown();
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "shutdown took {:?}",
        t.elapsed()
    );
    drop(daemon);
    r
}

#[test]
fn eio_from_one_pv_fails_only_its_lv() {
    let r = rig(|s, pvs| {
        for (lv, pv) in [("a", &pvs[0]), ("b", &pvs[1])] {
            s.ok(&[
                "lvcreate",
                "-L",
                "32m",
                "-n",
                lv,
                "vg0",
                pv.to_str().unwrap(),
            ]);
            s.ok(&["nbd", "export", &format!("vg0/{lv}")]);
        }
    });
    let mut a = RawClient::connect(r.nbd, "vg0/a", true);
    let mut b = RawClient::connect(r.nbd, "vg0/b", true);
    let (data_a, data_b) = (pattern(1, 2 << 20), pattern(2, 2 << 20));
    assert_eq!(a.write(0, &data_a), 0);
    assert_eq!(b.write(0, &data_b), 0);
    assert_eq!(a.flush(), 0);
    assert_eq!(b.flush(), 0);

    r.opener.fail(&r.pvs[1]);
    // b: every kind of request fails with EIO, and the connection stays usable.
    for round in 0..3 {
        assert_eq!(b.read(0, 4096).unwrap_err(), EIO, "read, round {round}");
        assert_eq!(
            b.write(4 << 20, &pattern(3, 4096)),
            EIO,
            "write, round {round}"
        );
        assert_eq!(b.flush(), EIO, "flush, round {round}");
    }
    // A new connection to b is answered too (with errors), not refused or hung.
    let mut b2 = RawClient::connect(r.nbd, "vg0/b", true);
    assert_eq!(b2.read(4096, 4096).unwrap_err(), EIO);
    // a, on the other PV, is not disturbed: old and new connections, all requests.
    for i in 0..8u64 {
        let block = pattern(10 + i as u32, 64 << 10);
        assert_eq!(a.write((4 << 20) + i * (64 << 10), &block), 0);
        assert_eq!(a.flush(), 0);
        same(
            "a",
            &a.read((4 << 20) + i * (64 << 10), 64 << 10).unwrap(),
            &block,
        );
    }
    same("a's data", &a.read(0, 2 << 20).unwrap(), &data_a);
    let mut a2 = RawClient::connect(r.nbd, "vg0/a", true);
    same("a, new connection", &a2.read(0, 2 << 20).unwrap(), &data_a);
    assert_eq!(a2.write(16 << 20, &pattern(5, 4096)), 0);
    assert_eq!(a2.flush(), 0);
    a2.disconnect();
    // The daemon still lists and serves every export.
    let list = daemon_tool_list(r.nbd);
    assert!(list.contains("vg0/a") && list.contains("vg0/b"), "{list}");

    // The PV recovers: the same connection to b works again, with its data.
    r.opener.domain.clear_faults();
    same("b after recovery", &b.read(0, 2 << 20).unwrap(), &data_b);
    let block = pattern(4, 4096);
    assert_eq!(b.write(4 << 20, &block), 0);
    assert_eq!(b.flush(), 0);
    same("b's new block", &b.read(4 << 20, 4096).unwrap(), &block);
    assert_eq!(b2.read(0, 4096).unwrap(), data_b[..4096]);

    // Failing again at shutdown: the daemon stops, without hanging, and says that it
    // could not flush; a's data is durable.
    assert_eq!(b.write(5 << 20, &block), 0);
    r.opener.fail(&r.pvs[1]);
    drop((a, b, b2));
    let Rig { s, daemon, .. } = r;
    match shutdown(daemon) {
        Err(DaemonError::Flush(why)) => assert!(why.contains("cannot flush vg0/b"), "{why}"),
        other => panic!("shutdown with a failing PV: {other:?}"),
    }
    let img = s.path("a.raw");
    s.ok(&["copy", "vg0/a", img.to_str().unwrap()]);
    same(
        "a after shutdown",
        &std::fs::read(&img).unwrap()[..2 << 20],
        &data_a,
    );
    s.ok(&["vgck", "vg0"]);
}

/// The export list as nbdinfo sees it.
fn daemon_tool_list(nbd: std::net::SocketAddr) -> String {
    nbd_common::run_ok("nbdinfo", &["--list", &format!("nbd://{nbd}")])
}

fn snap_attr(s: &Sandbox) -> String {
    s.ok(&["lvs", "--noheadings", "-o", "lv_attr", "vg0/snap"])
        .trim()
        .to_string()
}

#[test]
fn eio_from_the_pv_of_a_snapshot_store_keeps_the_snapshot_valid() {
    let base = pattern(20, 4 << 20);
    let r = rig(|s, pvs| {
        s.ok(&[
            "lvcreate",
            "-L",
            "32m",
            "-n",
            "o",
            "vg0",
            pvs[0].to_str().unwrap(),
        ]);
        s.ok(&["copy", &snap_image(s, &base), "vg0/o"]);
        // 4 MiB of store: about a thousand chunks.
        s.ok(&[
            "lvcreate",
            "-s",
            "-L",
            "4m",
            "-n",
            "snap",
            "vg0/o",
            pvs[1].to_str().unwrap(),
        ]);
        s.ok(&["nbd", "export", "vg0/o"]);
        s.ok(&["nbd", "export", "vg0/snap", "--readonly"]);
    });
    let mut o = RawClient::connect(r.nbd, "vg0/o", true);
    let mut sn = RawClient::connect(r.nbd, "vg0/snap", true);

    r.opener.fail(&r.pvs[1]);
    // Origin writes need a copy into the failing store: refused, however often retried
    // (more often than the store has chunks), and the origin keeps its data.
    for i in 0..2000u64 {
        let off = (i % 1024) * 4096;
        assert_eq!(o.write(off, &pattern(21, 4096)), EIO, "origin write {i}");
    }
    same("origin", &o.read(0, 4 << 20).unwrap(), &base);
    // The snapshot has no copies yet: it reads the origin's chunks, on the healthy PV.
    same("snapshot", &sn.read(0, 4 << 20).unwrap(), &base);

    // Recovered: the snapshot is valid and at its point in time; origin writes work.
    r.opener.domain.clear_faults();
    same(
        "snapshot after recovery",
        &sn.read(0, 4 << 20).unwrap(),
        &base,
    );
    let new = pattern(22, 1 << 20);
    assert_eq!(o.write(0, &new), 0);
    assert_eq!(o.flush(), 0);
    same(
        "snapshot after an origin write",
        &sn.read(0, 4 << 20).unwrap(),
        &base,
    );

    // Only the store's flushes fail: the copy is written and the origin write held (and
    // acknowledged), but no flush may vouch for it until the exception commits.
    r.opener.fail_flushes(&r.pvs[1]);
    let newer = pattern(23, 1 << 20);
    assert_eq!(o.write(1 << 20, &newer), 0);
    assert_eq!(
        o.flush(),
        EIO,
        "a flush vouched for an uncommitted exception"
    );
    same(
        "origin reads its held write",
        &o.read(1 << 20, 1 << 20).unwrap(),
        &newer,
    );
    same("snapshot meanwhile", &sn.read(0, 4 << 20).unwrap(), &base);
    r.opener.domain.clear_faults();
    assert_eq!(o.flush(), 0);
    drop((o, sn));

    let Rig { s, daemon, .. } = r;
    shutdown(daemon).expect("clean shutdown once the PV recovered");
    assert!(
        snap_attr(&s).starts_with("swi-a"),
        "the snapshot lost validity: {}",
        snap_attr(&s)
    );
    let img = s.path("snap.raw");
    s.ok(&["copy", "vg0/snap", img.to_str().unwrap()]);
    same(
        "snapshot after restart",
        &std::fs::read(&img).unwrap()[..4 << 20],
        &base,
    );
    let img = s.path("o.raw");
    s.ok(&["copy", "vg0/o", img.to_str().unwrap()]);
    let got = std::fs::read(&img).unwrap();
    same("origin after restart", &got[..1 << 20], &new);
    same(
        "origin's held write after restart",
        &got[1 << 20..2 << 20],
        &newer,
    );
    s.ok(&["vgck", "vg0"]);
}

/// Writes `bytes` to a file in the sandbox for `rvm copy`.
fn snap_image(s: &Sandbox, bytes: &[u8]) -> String {
    std::fs::write(s.path("base.img"), bytes).unwrap();
    "./base.img".to_string()
}
