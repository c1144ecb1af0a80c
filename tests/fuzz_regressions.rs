//! The fuzz targets as plain tests: every committed seed (`fuzz/seeds/<target>/`) and every
//! input that once made a target fail (`fuzz/regressions/<target>/`) is replayed through
//! the same target bodies the libFuzzer binaries run (`fuzz/src`), on stable, in every
//! test run. The seeds must also equal what the generator builds from today's encodings:
//! `RVM_WRITE_FUZZ_SEEDS=1 cargo test --release --test fuzz_regressions seeds_match` rewrites
//! them.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod rvm_fuzz;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn dir(kind: &str, target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target)
}

fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir(kind, target)) {
        Ok(rd) => rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

#[test]
fn seeds_match_the_generator() {
    let mut want: BTreeMap<(String, String), Vec<u8>> = BTreeMap::new();
    for (t, name, bytes) in rvm_fuzz::seeds::all() {
        want.insert((t.to_string(), name), bytes);
    }
    // (Writing races with the replay test: write with `-- seeds_match_the_generator`.)
    if std::env::var_os("RVM_WRITE_FUZZ_SEEDS").is_some() {
        for (t, _) in rvm_fuzz::TARGETS {
            let _ = std::fs::remove_dir_all(dir("seeds", t));
        }
        for ((t, name), bytes) in &want {
            std::fs::create_dir_all(dir("seeds", t)).unwrap();
            std::fs::write(dir("seeds", t).join(name), bytes).unwrap();
        }
    }
    for (t, _) in rvm_fuzz::TARGETS {
        let on_disk = files("seeds", t);
        assert!(!on_disk.is_empty(), "no seeds for {t}");
        for p in on_disk {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&p).unwrap();
            let expected = want.get(&(t.to_string(), name.clone()));
            // The engine gives every new store a random generation and every commit a
            // random nonce, so the store_open seeds differ from run to run; the target
            // fixes generations up, and only their names are pinned.
            let same = match *t {
                "store_open" => expected.is_some(),
                _ => expected == Some(&bytes),
            };
            assert!(
                same,
                "fuzz/seeds/{t}/{name} is stale: regenerate with RVM_WRITE_FUZZ_SEEDS=1"
            );
        }
    }
}

#[test]
fn seeds_and_past_findings_replay_cleanly() {
    let mut n = 0;
    for (t, run) in rvm_fuzz::TARGETS {
        for p in files("seeds", t).into_iter().chain(files("regressions", t)) {
            let bytes = std::fs::read(&p).unwrap();
            let r = std::panic::catch_unwind(|| run(&bytes));
            assert!(r.is_ok(), "{t}: {} fails", p.display());
            n += 1;
        }
    }
    assert!(n >= rvm_fuzz::TARGETS.len());
}

/// The seeds reach past the checksums and framing they are meant to reach past: the label,
/// record and store seeds decode, the NBD seeds negotiate, the iSCSI login succeeds.
#[test]
fn seeds_are_well_formed() {
    use rvm::format::cow;
    for (t, name, bytes) in rvm_fuzz::seeds::all() {
        let body = &bytes[1..];
        match (t, name.as_str()) {
            ("pv_label", "head") => {
                let mut b = body.to_vec();
                b.resize(4096, 0);
                assert!(rvm::format::label::Label::decode(&b, 0).is_ok());
            }
            ("vg_record", "record") => {
                assert!(rvm::format::record::VgRecord::decode(body, 0).is_ok());
            }
            ("store_blocks", "header") => assert!(cow::decode_header(body, 0).is_ok()),
            ("store_blocks", "log") => {
                assert!(cow::decode_log_sector(body, 0, 0x0123_4567_89ab_cdef).is_ok())
            }
            _ => {}
        }
    }
    // The raw store seed, resealed by the target's own fix-up, still decodes.
    let (header, area) = rvm_fuzz::store::fixture_bytes();
    let mut h = header.clone();
    rvm_fuzz::store::reseal(&mut h, 0x4856_4d52);
    assert_eq!(h, header, "the fix-up computes the format's checksum");
    assert!(rvm_fuzz::store::fixture_log_sectors() > 0);
    let _ = area;
    // The record seed loads as a VG on the fuzz PV.
    let r = rvm_fuzz::seeds::sample_record();
    assert!(rvm::meta::validate::validate(&rvm::meta::convert::from_record(&r)).is_ok());
}
