//! Shared helpers for the integration tests: a sandbox with its own RVM_SYSTEM_DIR and
//! RVM_RUN_DIR, sparse PV files, and runners that check LVM2's exit-code conventions.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const RVM: &str = env!("CARGO_BIN_EXE_rvm");

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sys")).unwrap();
        std::fs::create_dir_all(dir.path().join("run")).unwrap();
        Sandbox { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn sys(&self) -> PathBuf {
        self.path("sys")
    }

    /// A sparse file of `size` bytes.
    pub fn file(&self, name: &str, size: u64) -> PathBuf {
        let p = self.path(name);
        std::fs::File::create(&p).unwrap().set_len(size).unwrap();
        p
    }

    /// A command with the sandbox's environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(RVM);
        c.args(args)
            .env("RVM_SYSTEM_DIR", self.sys())
            .env("RVM_RUN_DIR", self.path("run"))
            .current_dir(self.dir.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "rvm {args:?} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    /// Runs and asserts LVM2's failure convention: exit 5 and exactly one line on stderr.
    /// Returns that line.
    pub fn fail(&self, args: &[&str]) -> String {
        let o = self.run(args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(5), "rvm {args:?} should fail: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "rvm {args:?}: one stderr line expected: {err:?}"
        );
        err.trim().to_string()
    }

    /// Stderr of a successful run.
    pub fn ok_stderr(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "rvm {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stderr).unwrap()
    }

    /// The VG as `vgcfgbackup` writes it (JSON), independent of the report format.
    pub fn vg_json(&self, vg: &str) -> serde_json::Value {
        let f = self.path(&format!("{vg}.json"));
        self.ok(&["vgcfgbackup", "-f", f.to_str().unwrap(), vg]);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        v["vg"].clone()
    }

    /// LV names and extent counts of a VG, sorted by name.
    pub fn lv_sizes(&self, vg: &str) -> Vec<(String, u64)> {
        let v = self.vg_json(vg);
        let mut out: Vec<(String, u64)> = v["lvs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|lv| {
                let n: u64 = lv["segments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s[1].as_u64().unwrap())
                    .sum();
                (lv["name"].as_str().unwrap().to_string(), n)
            })
            .collect();
        out.sort();
        out
    }

    /// `n` PV files of `size` bytes, pvcreated, and a VG over them.
    pub fn vg(&self, name: &str, n: usize, size: u64) -> Vec<PathBuf> {
        let files: Vec<PathBuf> = (0..n)
            .map(|i| self.file(&format!("{name}-pv{i}.img"), size))
            .collect();
        let mut args = vec!["vgcreate", name];
        let strs: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        args.extend(strs.iter().map(String::as_str));
        self.ok(&args);
        files
    }
}

/// Contents of every file under `dir` (names and bytes), for before/after comparisons.
pub fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(tree(&p));
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

/// Overwrites `len` bytes at `offset` of a file with zeros.
pub fn zero(path: &Path, offset: u64, len: u64) {
    use std::os::unix::fs::FileExt;
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.write_all_at(&vec![0u8; len as usize], offset).unwrap();
}

pub const GIB: u64 = 1 << 30;
pub const MIB: u64 = 1 << 20;
