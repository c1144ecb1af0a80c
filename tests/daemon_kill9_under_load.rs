//! `rvm serve` killed with SIGKILL while fio and a tracked client write to a served origin
//! with two snapshots, several times at delays drawn from a fixed seed, then restarted:
//! each snapshot still reads exactly its point in time, byte for byte; every tracked write
//! that a completed flush covered is there; every tracked block holds a value written to
//! it or its prior value (never garbage); `rvm vgck` passes on what the crash left; and the
//! restarted daemon serves again. A merge of a served origin killed midway resumes when
//! the daemon restarts, and the origin ends with the snapshot's content plus the writes
//! flushed during the merge.

mod common;
mod daemon_common;
mod nbd_common;
mod snap_support;
use common::*;
use daemon_common::*;
use nbd_common::RawClient;
use rvm::nbd::wire::{RequestHeader, CMD_FLUSH, CMD_WRITE, SIMPLE_REPLY_MAGIC};
use snap_support::{data, image, lv_names, wait_until, write_lv};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LV: u64 = 64 << 20;
/// The tracked region at the end of the origin; fio writes everything before it.
const TRACK: u64 = 8 << 20;
const BLOCK: usize = 4096;
const BLOCKS: u64 = TRACK / BLOCK as u64;
const ROUNDS: usize = 4;

/// A tracked block's content: its tag in every 8 bytes, with the block number mixed in.
fn block_of(tag: u32, block: u64) -> Vec<u8> {
    let mut b = vec![0u8; BLOCK];
    for (i, w) in b.chunks_mut(8).enumerate() {
        w[..4].copy_from_slice(&tag.to_le_bytes());
        w[4..].copy_from_slice(&((block as u32) ^ (i as u32) << 16).to_le_bytes());
    }
    b
}

/// What the tracked writer did, in order (it runs at queue depth 1).
#[derive(Debug, Clone, Copy)]
enum Event {
    /// A write was sent; `acked` once its reply said success.
    Write { block: u64, tag: u32, acked: bool },
    /// A flush completed successfully: it covers every write acknowledged before it.
    Flushed,
}

/// One NBD request on a plain (simple-reply) connection; an `Err` when the daemon is gone.
fn request(s: &mut TcpStream, command: u16, offset: u64, data: &[u8]) -> std::io::Result<u32> {
    let mut v = Vec::with_capacity(28 + data.len());
    RequestHeader {
        flags: 0,
        command,
        handle: 9,
        offset,
        len: data.len() as u32,
    }
    .encode(&mut v);
    v.extend_from_slice(data);
    s.write_all(&v)?;
    let mut r = [0u8; 16];
    s.read_exact(&mut r)?;
    assert_eq!(
        u32::from_be_bytes(r[..4].try_into().unwrap()),
        SIMPLE_REPLY_MAGIC
    );
    Ok(u32::from_be_bytes(r[4..8].try_into().unwrap()))
}

/// Writes tagged blocks of the tracked region and flushes every 8 writes, until `stop` or
/// until the daemon goes away; tags continue from `first_tag`.
fn tracked_writer(
    nbd: SocketAddr,
    seed: u64,
    first_tag: u32,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Event>>>,
) {
    let mut c = RawClient::connect(nbd, "vg0/vol", false).stream;
    let mut rng = rvm::block::SplitMix(seed);
    let mut tag = first_tag;
    while !stop.load(Ordering::Acquire) {
        let block = rng.below(BLOCKS);
        log.lock().unwrap().push(Event::Write {
            block,
            tag,
            acked: false,
        });
        let off = LV - TRACK + block * BLOCK as u64;
        match request(&mut c, CMD_WRITE, off, &block_of(tag, block)) {
            Ok(0) => {
                if let Some(Event::Write { acked, .. }) = log.lock().unwrap().last_mut() {
                    *acked = true;
                }
            }
            // An error reply is not an acknowledgement; the daemon is expected to be fine.
            Ok(e) => panic!("write of tag {tag} failed with NBD error {e}"),
            Err(_) => return,
        }
        tag += 1;
        if tag % 8 == 0 {
            match request(&mut c, CMD_FLUSH, 0, &[]) {
                Ok(0) => log.lock().unwrap().push(Event::Flushed),
                Ok(e) => panic!("flush failed with NBD error {e}"),
                Err(_) => return,
            }
        }
    }
}

/// For each tracked block, the values it may hold after a crash: its content before the
/// round (tag 0 means "what `prior` says") unless a flushed write replaced it, the newest
/// flushed write, and every write sent after that one.
fn allowed(events: &[Event], prior: &[u32]) -> Vec<Vec<u32>> {
    let mut allowed: Vec<Vec<u32>> = prior.iter().map(|&t| vec![t]).collect();
    // Writes acknowledged since the last completed flush, not yet durable.
    let mut unflushed: Vec<(u64, u32)> = Vec::new();
    for e in events {
        match *e {
            Event::Write { block, tag, acked } => {
                allowed[block as usize].push(tag);
                if acked {
                    unflushed.push((block, tag));
                }
            }
            Event::Flushed => {
                for (block, tag) in unflushed.drain(..) {
                    // Durable now: nothing older can come back.
                    let a = &mut allowed[block as usize];
                    let at = a.iter().position(|&t| t == tag).unwrap();
                    a.drain(..at);
                }
            }
        }
    }
    allowed
}

fn nbd_read(c: &mut RawClient, offset: u64, len: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len as usize);
    let step = 4u64 << 20;
    let mut pos = offset;
    while pos < offset + len {
        let n = step.min(offset + len - pos);
        out.extend(c.read(pos, n as u32).expect("read"));
        pos += n;
    }
    out
}

fn assert_same(what: &str, got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    if let Some(i) = got.iter().zip(want).position(|(a, b)| a != b) {
        panic!(
            "{what}: first difference at byte {i} (got {:#x}, want {:#x})",
            got[i], want[i]
        );
    }
}

/// fio random writes with a flush every 16, over the untracked part of the origin; it
/// runs until the daemon is killed.
fn start_fio(uri: &str) -> std::process::Child {
    std::process::Command::new("fio")
        .args([
            "--name=load",
            "--ioengine=nbd",
            &format!("--uri={uri}"),
            "--rw=randwrite",
            "--bs=4k",
            "--iodepth=8",
            "--fsync=16",
            &format!("--size={}M", (LV - TRACK) >> 20),
            "--time_based",
            "--runtime=30",
            "--output-format=json",
            // One process, so that its connection is found under its pid.
            "--thread",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("fio (tools/install-test-deps.sh installs it)")
}

/// Whether process `pid` has an established TCP connection to `port` on this host.
fn connected_to(pid: u32, port: u16) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    let inodes: Vec<String> = fds
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
        })
        .collect();
    let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    tcp.lines().skip(1).any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f.len() > 9
            && f[2].ends_with(&format!(":{port:04X}"))
            && f[3] == "01"
            && inodes.iter().any(|i| i == f[9])
    })
}

/// How many bytes fio wrote, from its JSON output (0 if it printed none).
fn fio_bytes(out: &std::process::Output) -> u64 {
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(at) = text.find('{') else { return 0 };
    serde_json::from_str::<serde_json::Value>(&text[at..])
        .ok()
        .and_then(|v| v["jobs"][0]["write"]["io_bytes"].as_u64())
        .unwrap_or(0)
}

/// Waits for a child that lost its server, killing it if it does not notice in time.
fn reap(mut child: std::process::Child, secs: u64) -> std::process::Output {
    let until = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    child.wait_with_output().unwrap()
}

#[test]
fn kill9_under_fio_load_keeps_snapshots_and_flushed_writes() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "64m", "-n", "vol", "vg0"]);
    // Point A: the whole origin holds a known image.
    let a = data(1, LV as usize);
    s.ok(&["copy", &image(&s, "a.img", &a), "vg0/vol"]);
    std::fs::remove_file(s.path("a.img")).unwrap();
    s.ok(&["nbd", "export", "vg0/vol"]);
    let mut d = Daemon::start(&s);
    s.ok(&["lvcreate", "-s", "-l", "100%ORIGIN", "-n", "s1", "vg0/vol"]);
    // Point B: the first half rewritten (and flushed) over NBD, then the second snapshot.
    let mut b = a.clone();
    let mut c = RawClient::connect(d.nbd, "vg0/vol", true);
    for i in 0..32u64 {
        let chunk = data(100 + i, 1 << 20);
        assert_eq!(c.write(i << 20, &chunk), 0);
        b[(i << 20) as usize..((i + 1) << 20) as usize].copy_from_slice(&chunk);
    }
    assert_eq!(c.flush(), 0);
    c.disconnect();
    s.ok(&["lvcreate", "-s", "-l", "100%ORIGIN", "-n", "s2", "vg0/vol"]);
    s.ok(&["nbd", "export", "vg0/s1", "--readonly"]);
    s.ok(&["nbd", "export", "vg0/s2", "--readonly"]);

    // Tag 0 stands for the tracked blocks' content at point B (which is A's there).
    let mut prior = vec![0u32; BLOCKS as usize];
    let prior_bytes = |block: u64| {
        let at = (LV - TRACK + block * BLOCK as u64) as usize;
        b[at..at + BLOCK].to_vec()
    };
    let mut rng = rvm::block::SplitMix(0x006b_696c_6c39);
    let mut next_tag = 1u32;
    let (mut total_durable, mut total_fio) = (0, 0);
    for round in 0..ROUNDS {
        let fio = start_fio(&d.uri("vg0/vol"));
        let stop = Arc::new(AtomicBool::new(false));
        let log: Arc<Mutex<Vec<Event>>> = Arc::default();
        let writer = {
            let (nbd, stop, log) = (d.nbd, stop.clone(), log.clone());
            let first = next_tag;
            std::thread::spawn(move || tracked_writer(nbd, 1000 + round as u64, first, stop, log))
        };
        // Some load first, so that the kill finds copy-on-write, commits and flushes in
        // flight from both clients; then the kill at a delay from the seed.
        let until = Instant::now() + Duration::from_secs(20);
        while !connected_to(fio.id(), d.nbd.port()) || log.lock().unwrap().len() < 200 {
            assert!(
                Instant::now() < until,
                "round {round}: no load ({} tracked events)",
                log.lock().unwrap().len()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(100 + rng.below(900)));
        d.kill9();
        stop.store(true, Ordering::Release);
        writer.join().expect("tracked writer");
        let fio = reap(fio, 10);
        let events = log.lock().unwrap().clone();
        let flushes = events
            .iter()
            .filter(|e| matches!(e, Event::Flushed))
            .count();
        assert!(flushes > 10, "round {round}: only {flushes} flushes");
        next_tag += events.len() as u32 + 1;

        // What the crash left is consistent, read without the daemon.
        s.ok(&["vgck", "vg0"]);
        let attrs = s.ok(&["lvs", "--noheadings", "-o", "lv_name,lv_attr", "vg0"]);
        for lv in ["s1", "s2"] {
            let line = attrs.lines().find(|l| l.trim().starts_with(lv)).unwrap();
            assert!(
                line.contains("swi-a-s"),
                "round {round}: {lv} is not a valid snapshot: {attrs}"
            );
        }

        d = Daemon::start(&s);
        let mut c1 = RawClient::connect(d.nbd, "vg0/s1", true);
        assert_same(&format!("round {round}: s1"), &nbd_read(&mut c1, 0, LV), &a);
        c1.disconnect();
        let mut c2 = RawClient::connect(d.nbd, "vg0/s2", true);
        assert_same(&format!("round {round}: s2"), &nbd_read(&mut c2, 0, LV), &b);
        c2.disconnect();

        let allowed = allowed(&events, &prior);
        let mut oc = RawClient::connect(d.nbd, "vg0/vol", true);
        let region = nbd_read(&mut oc, LV - TRACK, TRACK);
        // Blocks whose newest flushed write is from this round (it must be there, or a
        // later write), and blocks holding a write no flush covered.
        let (mut durable, mut unflushed) = (0, 0);
        for block in 0..BLOCKS {
            let got = &region[block as usize * BLOCK..][..BLOCK];
            let ok = &allowed[block as usize];
            let value = ok.iter().copied().find(|&t| {
                let want = match t {
                    0 => prior_bytes(block),
                    t => block_of(t, block),
                };
                got == &want[..]
            });
            let Some(value) = value else {
                let tag = u32::from_le_bytes(got[..4].try_into().unwrap());
                panic!(
                    "round {round}: block {block} holds neither its last durable value nor \
                     a later write (first word {tag:#x}; allowed tags {ok:?})"
                );
            };
            if ok[0] != prior[block as usize] {
                durable += 1;
            }
            if value != ok[0] {
                unflushed += 1;
            }
            prior[block as usize] = value;
        }
        total_durable += durable;
        total_fio += fio_bytes(&fio);
        // The daemon serves again, writes included.
        let probe = block_of(0xfeed_0000 + round as u32, 0);
        assert_eq!(oc.write(0, &probe), 0);
        assert_eq!(oc.flush(), 0);
        assert_eq!(oc.read(0, BLOCK as u32).unwrap(), probe);
        oc.disconnect();
        eprintln!(
            "round {round}: {} tracked events, {flushes} flushes, fio wrote {} bytes; \
             {durable} blocks with a flushed write checked, {unflushed} holding unflushed ones",
            events.len(),
            fio_bytes(&fio)
        );
    }
    assert!(
        total_durable > 100,
        "few flushed writes checked: {total_durable}"
    );
    assert!(total_fio > 0, "fio wrote nothing");
    d.stop();
    s.ok(&["vgck", "vg0"]);
}

/// An origin of 128 MiB whose snapshot holds every other 4 KiB chunk: merging it takes
/// one small copy per exception (most of a second here), long enough to kill the daemon
/// midway.
const MERGE_LV: usize = 128 << 20;

fn merging(s: &Sandbox) -> bool {
    lv_names(s, "vg0") == vec!["[snap]", "vol"]
}

#[test]
fn kill9_during_a_merge_of_a_served_origin_resumes_after_restart() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "128m", "-n", "vol", "vg0"]);
    let base = data(7, MERGE_LV);
    s.ok(&["copy", &image(&s, "base.img", &base), "vg0/vol"]);
    std::fs::remove_file(s.path("base.img")).unwrap();
    s.ok(&[
        "lvcreate",
        "-s",
        "-l",
        "100%ORIGIN",
        "-n",
        "snap",
        "vg0/vol",
    ]);
    let writes: Vec<(u64, Vec<u8>)> = (0..(MERGE_LV as u64 / 8192))
        .map(|k| (k * 8192, data(5000 + k, 4096)))
        .collect();
    write_lv(&s, "vg0", "vol", &writes);
    s.ok(&["nbd", "export", "vg0/vol"]);

    // First kill: just after the merge started in the daemon.
    let d = Daemon::start(&s);
    let _client = RawClient::connect(d.nbd, "vg0/vol", true);
    let out = s.ok(&["lvconvert", "--merge", "-b", "vg0/snap"]);
    assert!(out.contains("Merging of volume vg0/snap started."), "{out}");
    std::thread::sleep(Duration::from_millis(50));
    d.kill9();
    // The merge is recorded and unfinished: the snapshot is still there, merging.
    assert!(
        merging(&s),
        "the merge finished before the kill: {:?}",
        lv_names(&s, "vg0")
    );
    assert_eq!(
        s.ok(&["lvs", "--noheadings", "-o", "lv_attr", "vg0/vol"])
            .trim(),
        "Owi-a-s---"
    );
    s.ok(&["vgck", "vg0"]);

    // Second life: the merge resumes at start; while it runs the origin reads as the
    // snapshot, and writes made now and flushed must outlive a second kill.
    let d = Daemon::start(&s);
    assert!(
        d.log_text()
            .contains("resumed the merge of vg0/snap into vg0/vol"),
        "{}",
        d.log_text()
    );
    let mut c = RawClient::connect(d.nbd, "vg0/vol", true);
    assert_same(
        "origin during the resumed merge",
        &c.read(0, 1 << 20).unwrap(),
        &base[..1 << 20],
    );
    let mut want = base.clone();
    for i in 0..8u64 {
        // Across a chunk the snapshot has (to merge first) and one it has not.
        let off = i * (16 << 20) + 4096;
        let bytes = data(9000 + i, 8192);
        assert_eq!(c.write(off, &bytes), 0);
        want[off as usize..off as usize + 8192].copy_from_slice(&bytes);
    }
    assert_eq!(c.flush(), 0);
    d.kill9();
    let still_merging = merging(&s);
    s.ok(&["vgck", "vg0"]);

    // Third life: the merge (if the second kill interrupted it) finishes; the origin holds
    // the snapshot's content plus the flushed writes.
    let d = Daemon::start(&s);
    assert!(
        wait_until(60, || lv_names(&s, "vg0") == vec!["vol"]),
        "the resumed merge did not finish: {:?}\n{}",
        lv_names(&s, "vg0"),
        d.log_text()
    );
    let mut c = RawClient::connect(d.nbd, "vg0/vol", true);
    assert_same(
        "origin after the resumed merge",
        &nbd_read(&mut c, 0, MERGE_LV as u64),
        &want,
    );
    c.disconnect();
    d.stop();
    s.ok(&["vgck", "vg0"]);
    eprintln!("the second kill came while the merge ran: {still_merging}");
}
