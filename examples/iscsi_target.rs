//! A stand-alone iSCSI target over files, until `rvm serve` wires the server in: used by
//! `tools/bench-iscsi.sh` and for trying initiators by hand.
//!
//! iscsi_target ADDR:PORT IQN FILE [FILE...] [--acl INITIATOR|ALL]... [--chap USER PASS]
//!              [--mutual USER PASS] [--digests]
//! Each FILE becomes a LUN (0, 1, ...). Runs until stdin closes or SIGTERM.

use rvm::block::FileDevice;
use rvm::engine::{LinearVolume, Piece, Volume};
use rvm::iscsi::config::{ChapAuth, ChapUser};
use rvm::iscsi::params::DigestPolicy;
use rvm::iscsi::server::{Server, ServerOptions};
use std::sync::Arc;

fn main() {
    if let Err(e) = run() {
        eprintln!("iscsi_target: {e}");
        std::process::exit(5);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: iscsi_target ADDR:PORT IQN FILE... [--acl NAME]... [--chap U P] [--mutual U P] [--digests]";
    let mut pos = Vec::new();
    let mut acl = Vec::new();
    let mut chap = None;
    let mut mutual = None;
    let mut digests = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--acl" => acl.push(it.next().ok_or(usage)?),
            "--chap" => chap = Some((it.next().ok_or(usage)?, it.next().ok_or(usage)?)),
            "--mutual" => mutual = Some((it.next().ok_or(usage)?, it.next().ok_or(usage)?)),
            "--digests" => digests = true,
            _ => pos.push(a),
        }
    }
    if pos.len() < 3 {
        return Err(usage.into());
    }
    let mut opts = ServerOptions::new(pos[0].parse()?);
    if digests {
        opts.limits.header_digest = DigestPolicy::Prefer;
        opts.limits.data_digest = DigestPolicy::Prefer;
    }
    let server = Server::start(opts)?;
    let iqn = &pos[1];
    server.create_target(iqn)?;
    for (lun, path) in pos[2..].iter().enumerate() {
        let dev = Arc::new(FileDevice::open(std::path::Path::new(path))?);
        let len = std::fs::metadata(path)?.len();
        let mut id = [b'0'; 32];
        for (i, b) in format!("{:032x}", lun as u128 + 1).bytes().enumerate() {
            id[i] = b;
        }
        let piece = Piece {
            device: dev,
            lv_offset: 0,
            dev_offset: 0,
            len,
        };
        let vol: Arc<dyn Volume> = Arc::new(LinearVolume::new(vec![piece], id, false)?);
        server.add_lun(iqn, lun as u64, path, vol, false)?;
    }
    if acl.is_empty() {
        acl.push("ALL".to_string());
    }
    let auth = chap.map(|(u, p)| ChapAuth {
        initiator: ChapUser {
            user: u,
            password: p,
        },
        mutual: mutual.map(|(u, p)| ChapUser {
            user: u,
            password: p,
        }),
    });
    server.set_access(iqn, None, acl, auth.as_ref())?;
    println!("{}", server.local_addr());
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink)? > 0 {
        sink.clear();
    }
    server.shutdown()?;
    Ok(())
}
