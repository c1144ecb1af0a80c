//! A snapshot taken through the daemon while clients write to the served origin holds
//! exactly the point in time of the command: every write acknowledged before `lvcreate -s`
//! started, none that started after it returned. fio keeps the origin busy meanwhile, and
//! the snapshot's own export reads the same bytes before and after more origin writes.

mod common;
mod daemon_common;
mod nbd_common;
use common::*;
use daemon_common::*;
use nbd_common::RawClient;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const LV: u64 = 256 << 20;
/// The tracked region at the end of the LV, written by the test's own client.
const TRACK: u64 = 16 << 20;
const BLOCK: usize = 4096;

/// One write of the tracked region: which block, its tag, when it was sent and acknowledged.
struct Write {
    block: u64,
    tag: u32,
    sent: Instant,
    acked: Instant,
}

fn block_of(tag: u32, block: u64) -> Vec<u8> {
    let mut b = vec![0u8; BLOCK];
    for (i, w) in b.chunks_mut(8).enumerate() {
        w[..4].copy_from_slice(&tag.to_le_bytes());
        w[4..].copy_from_slice(&((block as u32) ^ i as u32).to_le_bytes());
    }
    b
}

fn tag_in(b: &[u8]) -> u32 {
    u32::from_le_bytes(b[..4].try_into().unwrap())
}

#[test]
fn a_snapshot_under_write_load_holds_exactly_the_acknowledged_writes() {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&[
        "lvcreate",
        "-L",
        &format!("{}m", LV >> 20),
        "-n",
        "vol",
        "vg0",
    ]);
    s.ok(&["nbd", "export", "vg0/vol"]);
    let d = Daemon::start(&s);
    let uri = d.uri("vg0/vol");

    // fio: random writes over everything but the tracked region, for as long as it takes.
    let fio_size = format!("--size={}M", (LV - TRACK) >> 20);
    let fio = std::process::Command::new("fio")
        .args([
            "--name=load",
            "--ioengine=nbd",
            &format!("--uri={uri}"),
            "--rw=randwrite",
            "--bs=4k",
            "--iodepth=16",
            &fio_size,
            "--time_based",
            "--runtime=6",
            "--output-format=json",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("fio (tools/install-test-deps.sh installs it)");

    // The tracked writer: QD1, so each write's acknowledgement is known exactly.
    let log: Arc<Mutex<Vec<Write>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (log, stop, nbd) = (log.clone(), stop.clone(), d.nbd);
        std::thread::spawn(move || {
            let mut c = RawClient::connect(nbd, "vg0/vol", true);
            let blocks = TRACK / BLOCK as u64;
            let base = LV - TRACK;
            let mut tag = 1u32;
            while !stop.load(Ordering::Acquire) {
                let block = (tag as u64 * 7919) % blocks;
                let data = block_of(tag, block);
                let sent = Instant::now();
                assert_eq!(c.write(base + block * BLOCK as u64, &data), 0);
                let acked = Instant::now();
                log.lock().unwrap().push(Write {
                    block,
                    tag,
                    sent,
                    acked,
                });
                tag += 1;
            }
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let started = Instant::now();
    // Big enough for every chunk of the origin: an overflow would invalidate it.
    s.ok(&["lvcreate", "-s", "-L", "300m", "-n", "snap", "vg0/vol"]);
    let returned = Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    stop.store(true, Ordering::Release);
    writer.join().unwrap();
    let fio = fio.wait_with_output().unwrap();
    assert!(fio.status.success(), "fio failed: {fio:?}");
    let json = String::from_utf8_lossy(&fio.stdout);
    let v: serde_json::Value = serde_json::from_str(&json[json.find('{').unwrap()..]).unwrap();
    assert_eq!(v["jobs"][0]["error"], 0, "{json}");
    assert!(v["jobs"][0]["write"]["io_bytes"].as_u64().unwrap() > 0);

    s.ok(&["nbd", "export", "vg0/snap", "--readonly"]);
    let mut sc = RawClient::connect(d.nbd, "vg0/snap", true);
    let base = LV - TRACK;
    let image = sc.read(base, TRACK as u32).unwrap();
    let log = log.lock().unwrap();
    let (mut before, mut after) = (0, 0);
    for block in 0..TRACK / BLOCK as u64 {
        let got = &image[block as usize * BLOCK..][..BLOCK];
        let writes: Vec<&Write> = log.iter().filter(|w| w.block == block).collect();
        // The newest write acknowledged before the command started must be there, or a
        // write to this block that was in flight while the command ran.
        let floor = writes
            .iter()
            .filter(|w| w.acked < started)
            .map(|w| w.tag)
            .max()
            .unwrap_or(0);
        let tag = tag_in(got);
        if tag == 0 {
            assert_eq!(floor, 0, "block {block}: lost write {floor}");
            assert!(got.iter().all(|&b| b == 0), "block {block}: garbage");
            continue;
        }
        let w = writes
            .iter()
            .find(|w| w.tag == tag)
            .unwrap_or_else(|| panic!("block {block}: tag {tag} was never written there"));
        assert_eq!(got, &block_of(tag, block)[..], "block {block}: torn");
        assert!(
            tag >= floor,
            "block {block}: has {tag}, older than acked {floor}"
        );
        assert!(
            w.sent < returned,
            "block {block}: write {tag} started after the snapshot was taken"
        );
        if tag == floor {
            before += 1;
        } else {
            after += 1;
        }
    }
    assert!(
        before > 100,
        "too few tracked writes before the snapshot: {before}"
    );
    // Writes after the snapshot really happened, and the origin has them.
    let last = log.last().unwrap();
    assert!(last.sent > returned);
    let mut oc = RawClient::connect(d.nbd, "vg0/vol", true);
    let newest = log.iter().rev().find(|w| w.block == last.block).unwrap();
    assert_eq!(
        oc.read(base + last.block * BLOCK as u64, BLOCK as u32)
            .unwrap(),
        block_of(newest.tag, last.block)
    );
    // The snapshot is a point in time: the fio region reads the same after more writes.
    let probe = sc.read(0, 8 << 20).unwrap();
    for i in 0..64u64 {
        assert_eq!(oc.write(i * 131072, &[0xaa; BLOCK]), 0);
    }
    assert_eq!(oc.flush(), 0);
    assert_eq!(sc.read(0, 8 << 20).unwrap(), probe);
    eprintln!("tracked blocks as of the snapshot: {before}; in flight during it: {after}");
    d.stop();
}
