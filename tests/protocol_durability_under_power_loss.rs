//! The durability each protocol promises, under power loss at a random write of the
//! server's devices: an origin with a snapshot (so writes go through copy-on-write and
//! group commit) is served over NBD and over iSCSI by the real servers; a client writes,
//! sometimes with FUA, and flushes (NBD FLUSH, SCSI SYNCHRONIZE CACHE), each request
//! waiting for its reply. Power fails (unflushed writes dropped, reordered, torn); the
//! origin is reopened. Every write acknowledged with FUA or before an acknowledged flush is
//! there, every other sector holds its last durable value or a later write, and the
//! snapshot still reads exactly its point in time. With the iSCSI write cache disabled
//! (MODE SELECT, WCE=0) every acknowledged write is durable.
//!
//! `RVM_DURABILITY_SEEDS` sets how many seeds run (default 40 per test); a failure
//! names its seed.

mod crash_support;
mod engine_support;
mod iscsi_common;
mod nbd_common;

use crash_support::{pattern, SectorModel};
use engine_support::{read_all, Rig};
use rvm::block::{CrashPlan, FaultDomain};
use rvm::engine::Volume;
use std::sync::Arc;
use std::time::Duration;

const ORIGIN: u64 = 1 << 20;

/// What a client can ask of the server.
trait Client {
    /// Ok when the server acknowledged the write.
    fn write(&mut self, off: u64, data: &[u8], fua: bool) -> bool;
    fn flush(&mut self) -> bool;
}

fn seeds() -> u64 {
    std::env::var("RVM_DURABILITY_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40)
}

fn plan(seed: u64) -> CrashPlan {
    match seed % 3 {
        0 => CrashPlan::drop_all(),
        1 => CrashPlan {
            keep: 0.5,
            reorder: true,
            tear: true,
        },
        _ => CrashPlan {
            keep: 0.8,
            reorder: false,
            tear: true,
        },
    }
}

/// Writes and flushes until the server fails a request (power is gone) or the budget ends.
fn workload(c: &mut dyn Client, seed: u64, model: &mut SectorModel, every_write_durable: bool) {
    let mut rng = rvm::block::SplitMix(seed);
    for i in 0..400u32 {
        let tag = 10 + i;
        if rng.below(8) == 0 {
            if !c.flush() {
                return;
            }
            model.flushed();
            continue;
        }
        let len = [512usize, 4096, 8192, 1536][rng.below(4) as usize];
        let off = rng.below(ORIGIN - len as u64) / 512 * 512;
        let fua = rng.below(10) == 0;
        model.issued(off, len, tag);
        if !c.write(off, &pattern(tag, off, len), fua) {
            return;
        }
        if fua || every_write_durable {
            model.durable_write(off, len, tag);
        }
    }
}

/// Runs one seed: the origin and its snapshot served by `serve`, which runs the client
/// workload against the exported origin and shuts its server down.
fn run(seed: u64, serve: impl FnOnce(Arc<dyn Volume>, &mut SectorModel)) {
    let dom = FaultDomain::new(seed);
    let mut rig = Rig::faulty(&dom, 32 << 20, ORIGIN);
    rig.settings.commit_interval = Duration::from_millis(5);
    let origin = rig.open();
    let base = pattern(1, 0, ORIGIN as usize);
    origin.write_at(&base, 0, false).unwrap();
    let snap = rig.snapshot(&origin, 4 << 20, 4096, true);
    let snap_id = snap.id();
    drop(snap);
    let plan = plan(seed);
    dom.crash_randomly_within(600, plan);
    let mut model = SectorModel::new(ORIGIN);
    serve(Arc::new(origin.clone()), &mut model);
    // The machine dies: every thread of the old process is gone before power returns.
    let _ = origin.close();
    drop(origin);
    if !dom.crashed() {
        dom.crash_now(plan);
    }
    dom.revive();
    let origin = rig.open();
    if let Err(e) = model.check(&read_all(&origin), &base) {
        panic!("seed {seed}: origin: {e}");
    }
    let snap = origin.snapshot(&snap_id).unwrap();
    assert!(
        snap.status().valid,
        "seed {seed}: the snapshot lost validity"
    );
    assert!(
        read_all(&snap) == base,
        "seed {seed}: the snapshot is not its point in time"
    );
    origin.close().unwrap();
}

struct Nbd(nbd_common::RawClient);

impl Client for Nbd {
    fn write(&mut self, off: u64, data: &[u8], fua: bool) -> bool {
        use rvm::nbd::wire::{CMD_FLAG_FUA, CMD_WRITE};
        let flags = if fua { CMD_FLAG_FUA } else { 0 };
        self.0
            .send(CMD_WRITE, flags, 7, off, data.len() as u32, data);
        self.0.reply(0).error == 0
    }
    fn flush(&mut self) -> bool {
        self.0.flush() == 0
    }
}

#[test]
fn nbd_flush_and_fua_writes_survive_power_loss() {
    for seed in 0..seeds() {
        run(seed, |vol, model| {
            let fx = nbd_common::Fixture::new();
            fx.table.insert(
                "origin",
                rvm::nbd::Export {
                    volume: vol,
                    read_only: false,
                    description: String::new(),
                },
            );
            let mut c = Nbd(nbd_common::RawClient::connect(
                fx.addr,
                "origin",
                seed % 2 == 0,
            ));
            workload(&mut c, seed, model, false);
            fx.table.remove("origin");
            drop(c);
            drop(fx);
        });
    }
}

struct Iscsi(iscsi_common::Raw);

impl Iscsi {
    fn ok(&mut self, cdb: &[u8], flags: u8, edtl: u32, data: &[u8]) -> Option<Vec<u8>> {
        let itt = self.0.command(0, cdb, flags, edtl, data);
        match self.0.status(itt) {
            Some((0, d, _)) => Some(d),
            _ => None,
        }
    }

    /// Turns the write cache off: MODE SENSE the caching page, clear WCE, MODE SELECT it.
    fn disable_write_cache(&mut self) {
        let page = self
            .ok(&[0x1a, 0x08, 0x08, 0, 255, 0], 0xc0, 255, &[])
            .expect("MODE SENSE");
        let mut p = vec![0, 0, 0, 0];
        p.extend_from_slice(&page[4..]);
        p[4] &= 0x3f;
        p[6] &= !0x04;
        self.ok(
            &[0x15, 0x10, 0, 0, p.len() as u8, 0],
            0xa0,
            p.len() as u32,
            &p,
        )
        .expect("MODE SELECT");
        let page = self
            .ok(&[0x1a, 0x08, 0x08, 0, 255, 0], 0xc0, 255, &[])
            .unwrap();
        assert_eq!(page[6] & 0x04, 0, "WCE is off");
    }
}

impl Client for Iscsi {
    fn write(&mut self, off: u64, data: &[u8], fua: bool) -> bool {
        let lba = (off / 512) as u32;
        let blocks = (data.len() / 512) as u16;
        let mut cdb = [0u8; 10];
        cdb[0] = 0x2a;
        if fua {
            cdb[1] = 0x08;
        }
        cdb[2..6].copy_from_slice(&lba.to_be_bytes());
        cdb[7..9].copy_from_slice(&blocks.to_be_bytes());
        self.ok(&cdb, 0xa0, data.len() as u32, data).is_some()
    }
    fn flush(&mut self) -> bool {
        self.ok(&[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0x80, 0, &[])
            .is_some()
    }
}

fn iscsi_run(seed: u64, write_cache: bool) {
    run(seed, |vol, model| {
        let mut ts = iscsi_common::TestServer::start();
        let iqn = format!("iqn.2026-11.org.example:durability{seed}");
        let server = ts.server();
        server.create_target(&iqn).unwrap();
        server.add_lun(&iqn, 0, "vg/origin", vol, false).unwrap();
        server
            .set_access(&iqn, None, [iscsi_common::INITIATOR.to_string()], None)
            .unwrap();
        let mut c = Iscsi(iscsi_common::session(ts.addr, &iqn));
        let _ = c.0.tur();
        if !write_cache {
            c.disable_write_cache();
        }
        workload(&mut c, seed, model, !write_cache);
        drop(c);
        let _ = ts.server.take().unwrap().shutdown();
    });
}

#[test]
fn iscsi_synchronize_cache_and_fua_writes_survive_power_loss() {
    for seed in 0..seeds() {
        iscsi_run(seed, true);
    }
}

#[test]
fn iscsi_writes_with_the_write_cache_off_survive_power_loss() {
    for seed in 0..seeds() {
        iscsi_run(100 + seed, false);
    }
}
