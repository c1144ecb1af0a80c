//! Helpers for the snapshot and copy tests that drive the `rvm` binary: deterministic
//! data, images written with `rvm copy`, scattered writes through rvm's own host API (a
//! small helper for writes `rvm copy` cannot express), and report fields.
#![allow(dead_code)]

use crate::common::*;
use rvm::engine::Volume;
use rvm::host::{HostProvider, Hosts};
use rvm::meta::config::Config;
use rvm::meta::Env;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Deterministic pseudo-random bytes (xorshift64*), different for every seed.
pub fn data(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Writes `bytes` to a file in the sandbox and returns its `./name` form for `rvm copy`.
pub fn image(s: &Sandbox, name: &str, bytes: &[u8]) -> String {
    std::fs::write(s.path(name), bytes).unwrap();
    format!("./{name}")
}

/// The LV's content, read back with `rvm copy VG/LV ./file`.
pub fn read_lv(s: &Sandbox, lv: &str) -> Vec<u8> {
    let name = format!("read-{}.img", lv.replace('/', "-"));
    s.ok(&["copy", lv, &format!("./{name}")]);
    std::fs::read(s.path(&name)).unwrap()
}

/// Asserts two images are equal, naming the first differing byte.
pub fn assert_image(what: &str, got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    if let Some(i) = got.iter().zip(want).position(|(a, b)| a != b) {
        panic!(
            "{what}: first difference at byte {i} (got {:#x}, want {:#x})",
            got[i], want[i]
        );
    }
}

/// An environment for the sandbox, as the binary would build it.
pub fn env(s: &Sandbox) -> Env {
    let conf = std::fs::read_to_string(s.sys().join("rvm.conf")).unwrap_or_default();
    Env::new(s.sys(), s.path("run"), Config::parse(&conf).unwrap(), false)
}

/// Writes each `(offset, bytes)` into LV `vg/lv` through rvm's host API, flushes, and
/// closes, as a short-lived rvm command would.
pub fn write_lv(s: &Sandbox, vg: &str, lv: &str, writes: &[(u64, Vec<u8>)]) {
    let hosts = Hosts::direct();
    let mut env = env(s);
    env.observer = Some(hosts.observer());
    let host = hosts.host(&env, vg).unwrap();
    let vol = host.volume(&env, lv).unwrap();
    for (off, bytes) in writes {
        vol.write_at(bytes, *off, false).unwrap();
    }
    vol.flush().unwrap();
    drop(vol);
    let done = hosts.finish();
    assert!(done.error.is_none(), "{:?}", done.error);
}

/// One report field of one LV (`lvs --noheadings -o FIELD VG/LV`), trimmed.
pub fn field(s: &Sandbox, lv: &str, name: &str) -> String {
    s.ok(&["lvs", "-a", "--noheadings", "-o", name, lv])
        .trim()
        .to_string()
}

/// Names of the LVs of a VG, hidden ones bracketed as `lvs -a` shows them.
pub fn lv_names(s: &Sandbox, vg: &str) -> Vec<String> {
    s.ok(&["lvs", "-a", "--noheadings", "-o", "lv_name", vg])
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Bytes a file occupies on disk.
pub fn allocated(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().blocks() * 512
}

/// The PV files of the sandbox with their bytes, for "nothing changed" checks.
pub fn pv_bytes(files: &[PathBuf]) -> Vec<Vec<u8>> {
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// Polls `done` every 50 ms for up to `secs` seconds.
pub fn wait_until(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if done() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    done()
}
