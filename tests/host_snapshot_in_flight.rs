//! A snapshot taken (by `lvcreate -s` run in-process, as the daemon runs it) while a
//! client keeps writing to the open LV holds every write acknowledged before the command
//! started and none that started after it returned: written block by block in order, the
//! snapshot is a prefix of the writes, at least as long as what was acknowledged first.

mod common;
mod snap_support;
use common::*;
use rvm::engine::Volume;
use rvm::host::{HostProvider, Hosts};
use snap_support::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const BLOCK: usize = 4096;
const BLOCKS: u64 = 4096;

fn run(hosts: &Hosts, args: &[&str]) {
    let mut argv: Vec<std::ffi::OsString> = vec!["rvm".into()];
    argv.extend(args.iter().map(|a| a.into()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = rvm::cli::execute(argv, hosts, &mut out, &mut err, false);
    assert_eq!(code, 0, "rvm {args:?}: {}", String::from_utf8_lossy(&err));
}

fn block(i: u64) -> Vec<u8> {
    let mut b = data(i + 1, BLOCK);
    b[..8].copy_from_slice(&(i + 1).to_le_bytes());
    b
}

#[test]
fn a_snapshot_holds_every_acknowledged_write() {
    let s = Sandbox::new();
    std::env::set_var("RVM_SYSTEM_DIR", s.sys());
    std::env::set_var("RVM_RUN_DIR", s.path("run"));
    let hosts = Hosts::persistent();
    run(
        &hosts,
        &[
            "vgcreate",
            "vg",
            s.file("pv.img", 256 * MIB).to_str().unwrap(),
        ],
    );
    run(&hosts, &["lvcreate", "-L", "16m", "-n", "o", "vg"]);
    let mut env = env(&s);
    env.observer = Some(hosts.observer());
    let host = hosts.host(&env, "vg").unwrap();
    let vol = host.volume(&env, "o").unwrap();
    let acked = Arc::new(AtomicU64::new(0));
    let writer = {
        let (vol, acked) = (vol.clone(), acked.clone());
        std::thread::spawn(move || {
            for i in 0..BLOCKS {
                vol.write_at(&block(i), i * BLOCK as u64, false).unwrap();
                acked.store(i + 1, Ordering::Release);
            }
        })
    };
    while acked.load(Ordering::Acquire) < BLOCKS / 8 {
        std::thread::yield_now();
    }
    let before = acked.load(Ordering::Acquire);
    run(
        &hosts,
        &["lvcreate", "-s", "-L", "24m", "-n", "snap", "vg/o"],
    );
    let after = acked.load(Ordering::Acquire);
    writer.join().unwrap();
    let snap = host.volume(&env, "snap").unwrap();
    let mut got = vec![0u8; BLOCK];
    let mut prefix = 0;
    for i in 0..BLOCKS {
        snap.read_at(&mut got, i * BLOCK as u64).unwrap();
        if got == block(i) {
            assert_eq!(
                prefix, i,
                "block {i} is in the snapshot but block {prefix} is not"
            );
            prefix = i + 1;
        } else {
            assert!(
                got.iter().all(|&b| b == 0),
                "block {i} is torn in the snapshot"
            );
        }
    }
    eprintln!("acknowledged before {before}, after {after}; the snapshot holds {prefix}");
    assert!(
        prefix >= before && prefix <= after + 1,
        "snapshot holds {prefix} blocks; {before} were acknowledged before it, {after} after"
    );
    let mut whole = vec![0u8; BLOCK];
    for i in 0..BLOCKS {
        vol.read_at(&mut whole, i * BLOCK as u64).unwrap();
        assert_eq!(whole, block(i), "origin block {i}");
    }
    drop((vol, snap));
    assert!(hosts.close_all().error.is_none());
}
