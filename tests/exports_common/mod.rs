//! Shared fixtures for the export-configuration tests: a sandbox with a VG of sparse-file
//! PVs and two LVs, and runners that check a refusal changed nothing.
#![allow(dead_code)]

#[path = "../common/mod.rs"]
mod common;
pub use common::*;

pub const T1: &str = "iqn.2026-11.org.example:vol1";
pub const T2: &str = "iqn.2026-11.org.example:vol2";
pub const KVM1: &str = "iqn.2026-11.org.example:kvm1";
/// Long enough for CHAP (12 bytes or more).
pub const SECRET: &str = "initiator-secret";
pub const MUTUAL_SECRET: &str = "target-secret-1";

/// A sandbox with VG `vg0` (one 1 GiB PV) holding `a` (40 MiB) and `b` (8 MiB, read-only).
pub fn setup() -> Sandbox {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    s.ok(&["lvcreate", "-L", "40m", "-n", "a", "vg0"]);
    s.ok(&["lvcreate", "-L", "8m", "-n", "b", "-p", "r", "vg0"]);
    s
}

/// `$RVM_SYSTEM_DIR/exports.json`.
pub fn exports_path(s: &Sandbox) -> std::path::PathBuf {
    s.sys().join("exports.json")
}

/// The file's bytes, `None` when it does not exist.
pub fn exports_bytes(s: &Sandbox) -> Option<Vec<u8>> {
    std::fs::read(exports_path(s)).ok()
}

/// The file as JSON.
pub fn exports_json(s: &Sandbox) -> serde_json::Value {
    serde_json::from_slice(&exports_bytes(s).expect("exports.json exists")).unwrap()
}

/// Runs a command that must be refused: exit 5, one stderr line containing `expect`, and
/// `exports.json` byte-identical (or still absent) afterwards. Returns the line.
pub fn refused(s: &Sandbox, args: &[&str], expect: &str) -> String {
    let before = exports_bytes(s);
    let line = s.fail(args);
    assert!(
        line.contains(expect),
        "rvm {args:?}: {line:?} lacks {expect:?}"
    );
    assert_eq!(
        exports_bytes(s),
        before,
        "rvm {args:?} changed exports.json although it failed"
    );
    line
}

/// The LV's id as `lvs` prints it.
pub fn lv_uuid(s: &Sandbox, lv: &str) -> String {
    s.ok(&["lvs", "--noheadings", "-o", "lv_uuid", lv])
        .trim()
        .to_string()
}
