//! A merge in a process killed with SIGKILL resumes in the next process and ends with the
//! origin equal to the snapshot plus every write the killed process flushed.
//!
//! The test re-runs its own binary as the child (RVM_MERGE_CHILD names the directory).

mod engine_support;
use engine_support::*;
use rvm::block::FileDevice;
use rvm::engine::{
    EngineSettings, HostError, MetadataHost, Origin, OriginSpec, Piece, SnapshotSpec, Volume,
};
use rvm::format::id::Id;
use rvm::meta::model::SnapshotInfo;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const ORIGIN: u64 = 32 * MIB;
const STORE: u64 = 40 * MIB;

/// The VG as files: the ids, and markers the host writes durably.
struct FileHost {
    dir: PathBuf,
}

fn durable_write(path: &Path, text: &str) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f.sync_all().unwrap();
}

impl MetadataHost for FileHost {
    fn extend_snapshot(&self, _: &Id, _: u64) -> Result<Vec<Piece>, HostError> {
        Err("fixed size".into())
    }
    fn merge_started(&self, _: &Id) -> Result<(), HostError> {
        durable_write(&self.dir.join("merging"), "1");
        Ok(())
    }
    fn merge_finished(&self, _: &Id) -> Result<(), HostError> {
        durable_write(&self.dir.join("finished"), "1");
        Ok(())
    }
}

fn specs(dir: &Path) -> (OriginSpec, Vec<SnapshotSpec>, Arc<FileHost>) {
    let ids = std::fs::read_to_string(dir.join("ids")).unwrap();
    let mut it = ids.split_whitespace().map(|s| s.parse::<Id>().unwrap());
    let (oid, sid) = (it.next().unwrap(), it.next().unwrap());
    let dev: Arc<dyn rvm::block::BlockDevice> =
        Arc::new(FileDevice::open(&dir.join("pv.img")).unwrap());
    let origin = OriginSpec {
        id: oid,
        pieces: vec![Piece {
            device: dev.clone(),
            lv_offset: 0,
            dev_offset: 0,
            len: ORIGIN,
        }],
        read_only: false,
    };
    let mut snaps = Vec::new();
    if !dir.join("finished").exists() {
        snaps.push(SnapshotSpec {
            id: sid,
            info: SnapshotInfo {
                origin: oid,
                chunk_size: 4096,
                store_id: 1,
                merging: dir.join("merging").exists(),
            },
            pieces: vec![Piece {
                device: dev,
                lv_offset: 0,
                dev_offset: ORIGIN,
                len: STORE,
            }],
            read_only: true,
        });
    }
    let host = Arc::new(FileHost {
        dir: dir.to_path_buf(),
    });
    (origin, snaps, host)
}

fn settings() -> EngineSettings {
    EngineSettings {
        merge_commit_chunks: 64,
        ..EngineSettings::default()
    }
}

/// The child: starts (or resumes) the merge, then writes distinct chunks, logging each
/// before it is written ("w") and after a flush covered it ("f"), until it is killed.
fn child(dir: &Path) {
    let (o, s, host) = specs(dir);
    let origin = Origin::open(o, s.clone(), settings(), host).unwrap();
    if !s[0].info.merging {
        origin.start_merge(&s[0].id).unwrap();
    }
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join("writes"))
        .unwrap();
    let mut rng = Rng(std::process::id() as u64);
    let mut pending = Vec::new();
    for i in 0..100_000u32 {
        let chunk = rng.below(ORIGIN / 4096);
        writeln!(log, "w {chunk} {i}").unwrap();
        origin
            .write_at(&pattern(1000 + i, chunk * 4096, 4096), chunk * 4096, false)
            .unwrap();
        pending.push((chunk, i));
        if i % 8 == 7 {
            origin.flush().unwrap();
            for (c, t) in pending.drain(..) {
                writeln!(log, "f {c} {t}").unwrap();
            }
            log.sync_data().unwrap();
        }
    }
    std::thread::sleep(Duration::from_secs(3600));
}

#[test]
fn a_killed_merge_resumes() {
    if let Some(dir) = std::env::var_os("RVM_MERGE_CHILD") {
        child(Path::new(&dir));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::File::create(dir.join("pv.img"))
        .unwrap()
        .set_len(ORIGIN + STORE)
        .unwrap();
    durable_write(
        &dir.join("ids"),
        &format!("{} {}", Id::random(), Id::random()),
    );
    let (o, s, host) = specs(dir);
    let base = pattern(1, 0, ORIGIN as usize);
    {
        let origin = Origin::open(o, Vec::new(), settings(), host).unwrap();
        origin.write_at(&base, 0, false).unwrap();
        origin.create_snapshot(s[0].clone()).unwrap();
        origin
            .write_at(&pattern(2, 0, ORIGIN as usize), 0, false)
            .unwrap();
        origin.close().unwrap();
    }
    let mut interrupted = false;
    for round in 0..3u64 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "a_killed_merge_resumes", "--nocapture"])
            .env("RVM_MERGE_CHILD", dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it merge and write for a while, then SIGKILL it mid-flight.
        let mut waited = 0;
        while !dir.join("merging").exists() && waited < 3000 {
            std::thread::sleep(Duration::from_millis(2));
            waited += 1;
        }
        std::thread::sleep(Duration::from_millis(2 + round * 40));
        child.kill().unwrap();
        child.wait().unwrap();
        if dir.join("finished").exists() {
            break;
        }
        interrupted = true;
    }
    assert!(dir.join("merging").exists(), "the merge had started");
    assert!(interrupted, "a kill landed before the merge finished");
    let (o, s, host) = specs(dir);
    let origin = Origin::open(o, s, settings(), host).unwrap();
    assert!(origin.wait_merge(Duration::from_secs(120)));
    assert!(dir.join("finished").exists());
    assert!(origin.snapshot_ids().is_empty(), "the snapshot is gone");
    // Expected: the snapshot's content, then the writes in log order. A chunk whose last
    // write was not flushed may hold that write or the one before.
    let mut want: Vec<Vec<u8>> = base.chunks(4096).map(|c| c.to_vec()).collect();
    let mut maybe: Vec<Option<Vec<u8>>> = vec![None; want.len()];
    let log = std::fs::read_to_string(dir.join("writes")).unwrap();
    let mut written = std::collections::HashMap::new();
    for line in log.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 3 {
            continue; // a line torn by the kill
        }
        let (c, t): (u64, u32) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let data = pattern(1000 + t, c * 4096, 4096);
        match f[0] {
            "w" => {
                written.insert(c, t);
                maybe[c as usize] = Some(data);
            }
            _ if written.get(&c) == Some(&t) => {
                want[c as usize] = data;
                maybe[c as usize] = None;
            }
            _ => {}
        }
    }
    let got = read_all(&origin);
    let mut flushed = 0;
    for (i, g) in got.chunks(4096).enumerate() {
        let ok = g == &want[i][..] || maybe[i].as_deref() == Some(g);
        assert!(ok, "chunk {i} lost its merged or flushed content");
        flushed += (want[i] != base[i * 4096..(i + 1) * 4096]) as usize;
    }
    let _ = flushed;
}
