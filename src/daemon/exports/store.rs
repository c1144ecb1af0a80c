//! `$RVM_SYSTEM_DIR/exports.json`: the export configuration on disk (docs/exports.md).
//!
//! - The file carries a format version; a newer one is refused, never rewritten.
//! - A damaged file is an error naming it; it is never silently reset to empty.
//! - Changes are made under an exclusive flock (`$RVM_RUN_DIR/lock/exports`) held from load
//!   to write, so concurrent commands never lose each other's changes; readers need no lock
//!   because the file is only ever replaced whole.
//! - A write goes to a temporary file that is flushed, renamed over the old one, and then
//!   the directory is flushed: a crash leaves the old file or the new one, never a mix.
//! - The file holds CHAP secrets, so it is created readable by its owner only.

use super::model::{ExportConfig, NbdExport};
use super::{ExportError, ExportResult};
use crate::iscsi::config::IscsiConfig;
use crate::meta::lock::{self, LockGuard, LockMode};
use crate::meta::Env;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// File name within `$RVM_SYSTEM_DIR`.
pub const FILE: &str = "exports.json";
/// The format version this rvm writes and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;
/// Lock name under `$RVM_RUN_DIR/lock`.
const LOCK_NAME: &str = "exports";
/// Where a new version is written before it replaces the file.
const TMP_NAME: &str = ".exports.json.tmp";

/// The file as written: a record separate from the model, converted in [`decode`] and
/// [`encode`] only.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportsFile {
    version: u64,
    #[serde(default)]
    nbd: BTreeMap<String, NbdExport>,
    #[serde(default)]
    iscsi: IscsiConfig,
}

/// Only the version, read first so that a newer file is refused for its version and not
/// for the fields this rvm does not know.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<u64>,
}

/// Decodes and validates the file's text; `path` names it in errors.
pub fn decode(path: &Path, text: &str) -> ExportResult<ExportConfig> {
    let damaged = |reason: String| ExportError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    let probe: VersionProbe = serde_json::from_str(text).map_err(|e| damaged(e.to_string()))?;
    match probe.version {
        None => return Err(damaged("no format version".into())),
        Some(0) => return Err(damaged("format version 0".into())),
        Some(v) if v > FORMAT_VERSION => {
            return Err(ExportError::NewerVersion {
                path: path.to_path_buf(),
                found: v,
            })
        }
        Some(_) => {}
    }
    let file: ExportsFile = serde_json::from_str(text).map_err(|e| damaged(e.to_string()))?;
    let config = ExportConfig {
        nbd: file.nbd,
        iscsi: file.iscsi,
    };
    config.validate().map_err(|e| damaged(e.to_string()))?;
    Ok(config)
}

/// The file's text for `config`: pretty JSON, one trailing newline.
pub fn encode(config: &ExportConfig) -> String {
    let file = ExportsFile {
        version: FORMAT_VERSION,
        nbd: config.nbd.clone(),
        iscsi: config.iscsi.clone(),
    };
    // Maps with string and integer keys of plain structs always serialize.
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// Replaces `path` with `bytes` so that a crash leaves either the old or the new content,
/// created with `mode` (the temporary file `tmp_name` sits in the same directory).
fn replace_durably(path: &Path, tmp_name: &str, bytes: &[u8], mode: u32) -> ExportResult<()> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |err| ExportError::Io { path: p, err }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = dir.join(tmp_name);
    let write = || -> std::io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(&tmp)(e));
    }
    std::fs::rename(&tmp, path).map_err(io(path))?;
    // The rename is durable only once the directory is.
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Where the export configuration lives.
#[derive(Debug, Clone)]
pub struct ExportStore {
    path: PathBuf,
    run_dir: PathBuf,
}

impl ExportStore {
    pub fn new(system_dir: &Path, run_dir: &Path) -> ExportStore {
        ExportStore {
            path: system_dir.join(FILE),
            run_dir: run_dir.to_path_buf(),
        }
    }

    /// The store of `env`'s directories.
    pub fn of(env: &Env) -> ExportStore {
        ExportStore::new(&env.system_dir, &env.run_dir)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The configuration as last written; no file is an empty configuration.
    pub fn load(&self) -> ExportResult<ExportConfig> {
        self.load_with_bytes().map(|(c, _)| c)
    }

    /// The configuration and the file's bytes (`None` when there is no file).
    fn load_with_bytes(&self) -> ExportResult<(ExportConfig, Option<Vec<u8>>)> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                let text = std::str::from_utf8(&bytes).map_err(|_| ExportError::Damaged {
                    path: self.path.clone(),
                    reason: "not UTF-8 text".into(),
                })?;
                Ok((decode(&self.path, text)?, Some(bytes)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok((ExportConfig::default(), None))
            }
            Err(err) => Err(ExportError::Io {
                path: self.path.clone(),
                err,
            }),
        }
    }

    /// Takes the exports lock (waiting for other writers) and loads the configuration.
    pub fn begin(&self) -> ExportResult<ExportTxn> {
        let lock = lock::lock(&self.run_dir, LOCK_NAME, LockMode::Exclusive)?;
        let (config, bytes) = self.load_with_bytes()?;
        Ok(ExportTxn {
            _lock: lock,
            path: self.path.clone(),
            before: config.clone(),
            bytes,
            previous: None,
            config,
        })
    }
}

/// The configuration opened for change under the exports lock, which is held until drop.
pub struct ExportTxn {
    _lock: LockGuard,
    path: PathBuf,
    before: ExportConfig,
    /// The file's bytes as of `before` (`None`: no file).
    bytes: Option<Vec<u8>>,
    /// What the last commit replaced, for [`ExportTxn::revert`].
    previous: Option<(ExportConfig, Option<Vec<u8>>)>,
    /// What [`ExportTxn::commit`] writes.
    pub config: ExportConfig,
}

impl ExportTxn {
    /// The configuration as last committed.
    pub fn before(&self) -> &ExportConfig {
        &self.before
    }

    /// Validates and writes `config` if it changed; returns whether it did. The lock stays
    /// held, so a command can commit more than once (and put a change back).
    pub fn commit(&mut self) -> ExportResult<bool> {
        if self.config == self.before {
            return Ok(false);
        }
        self.config.validate()?;
        let bytes = encode(&self.config).into_bytes();
        replace_durably(&self.path, TMP_NAME, &bytes, 0o600)?;
        let before = std::mem::replace(&mut self.before, self.config.clone());
        let old_bytes = self.bytes.replace(bytes);
        self.previous = Some((before, old_bytes));
        Ok(true)
    }

    /// Puts back, byte for byte, the file the last commit replaced (a command whose other
    /// half failed); returns whether there was anything to put back.
    pub fn revert(&mut self) -> ExportResult<bool> {
        let Some((config, bytes)) = self.previous.take() else {
            return Ok(false);
        };
        match &bytes {
            Some(b) => replace_durably(&self.path, TMP_NAME, b, 0o600)?,
            None => match std::fs::remove_file(&self.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    return Err(ExportError::Io {
                        path: self.path.clone(),
                        err,
                    })
                }
            },
        }
        self.bytes = bytes;
        self.before = config.clone();
        self.config = config;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::exports::model::FoundLv;
    use crate::format::id::Id;

    fn sample() -> ExportConfig {
        let mut c = ExportConfig::default();
        let lv = FoundLv {
            volume: "vg0/a".into(),
            id: Id::random(),
        };
        c.nbd_export(&lv, None, true).unwrap();
        c.iscsi.create_target("iqn.2026-11.org.example:t").unwrap();
        c.lun_add("iqn.2026-11.org.example:t", &lv, Some(2))
            .unwrap();
        c
    }

    #[test]
    fn round_trip_and_version() {
        let c = sample();
        let text = encode(&c);
        assert!(text.contains("\"version\": 1"), "{text}");
        assert_eq!(decode(Path::new("x"), &text).unwrap(), c);
        let newer = text.replace("\"version\": 1", "\"version\": 2");
        let e = decode(Path::new("/e/exports.json"), &newer).unwrap_err();
        assert!(matches!(e, ExportError::NewerVersion { found: 2, .. }));
        assert!(e
            .to_string()
            .starts_with("/e/exports.json has format version 2"));
        // A newer file may have fields this rvm does not know: still refused for its version.
        let newer_fields = newer.replacen('{', "{\"nvme\": {},", 1);
        assert!(matches!(
            decode(Path::new("x"), &newer_fields),
            Err(ExportError::NewerVersion { .. })
        ));
    }

    #[test]
    fn damage_is_named_never_reset() {
        let text = encode(&sample());
        let bad = [
            text[..text.len() / 2].to_string(),
            text.replace("\"version\": 1,", ""),
            text.replace("\"version\": 1", "\"version\": \"one\""),
            text.replace("\"nbd\"", "\"nbdx\""),
            text.replace("vg0/a", "vg0"),
            text.replace("iqn.2026-11.org.example:t", "not-an-iqn"),
            "[]".to_string(),
            String::new(),
        ];
        for b in bad {
            let e = decode(Path::new("/s/exports.json"), &b).unwrap_err();
            assert!(matches!(e, ExportError::Damaged { .. }), "{b}: {e}");
            assert!(
                e.to_string().starts_with("/s/exports.json is damaged: "),
                "{e}"
            );
        }
    }

    #[test]
    fn commit_writes_durably_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let store = ExportStore::new(&dir.path().join("sys"), &dir.path().join("run"));
        assert_eq!(store.load().unwrap(), ExportConfig::default());
        let mut txn = store.begin().unwrap();
        assert!(
            !txn.commit().unwrap(),
            "an unchanged configuration is not written"
        );
        assert!(!store.path().exists());
        txn.config = sample();
        assert!(txn.commit().unwrap());
        let written = txn.config.clone();
        drop(txn);
        assert_eq!(store.load().unwrap(), written);
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(!dir.path().join("sys").join(TMP_NAME).exists());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let sys = dir.path().join("sys");
        let store = ExportStore::new(&sys, &dir.path().join("run"));
        let mut txn = store.begin().unwrap();
        txn.config = sample();
        txn.commit().unwrap();
        let old = std::fs::read(store.path()).unwrap();
        // The temporary file cannot be created: the write fails before touching the file.
        std::fs::create_dir(sys.join(TMP_NAME)).unwrap();
        txn.config.nbd.clear();
        let e = txn.commit().unwrap_err();
        assert!(e.to_string().contains(TMP_NAME), "{e}");
        assert_eq!(std::fs::read(store.path()).unwrap(), old);
    }

    #[test]
    fn revert_restores_the_exact_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let sys = dir.path().join("sys");
        let store = ExportStore::new(&sys, &dir.path().join("run"));
        let mut txn = store.begin().unwrap();
        assert!(!txn.revert().unwrap());
        txn.config = sample();
        txn.commit().unwrap();
        assert!(txn.revert().unwrap());
        assert!(!store.path().exists(), "there was no file before");
        // A hand-formatted file comes back as it was, not re-encoded.
        let compact = serde_json::to_string(
            &serde_json::from_str::<serde_json::Value>(&encode(&sample())).unwrap(),
        )
        .unwrap();
        std::fs::write(store.path(), &compact).unwrap();
        drop(txn);
        let mut txn = store.begin().unwrap();
        let loaded = txn.config.clone();
        txn.config.nbd.clear();
        txn.commit().unwrap();
        assert_ne!(std::fs::read_to_string(store.path()).unwrap(), compact);
        txn.revert().unwrap();
        assert_eq!(std::fs::read_to_string(store.path()).unwrap(), compact);
        assert_eq!(txn.config, loaded);
        assert_eq!(txn.before(), &loaded);
    }

    #[test]
    fn writers_are_serialized() {
        let dir = tempfile::tempdir().unwrap();
        let store = ExportStore::new(&dir.path().join("sys"), &dir.path().join("run"));
        let mut txn = store.begin().unwrap();
        txn.config
            .iscsi
            .create_target("iqn.2026-11.org.example:t")
            .unwrap();
        txn.commit().unwrap();
        drop(txn);
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let mut txn = store.begin().unwrap();
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    txn.config
                        .iscsi
                        .acl_add(
                            "iqn.2026-11.org.example:t",
                            &format!("iqn.2026-11.org.example:i{i}"),
                        )
                        .unwrap();
                    txn.commit().unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let c = store.load().unwrap();
        assert_eq!(c.iscsi.targets["iqn.2026-11.org.example:t"].acl.len(), 8);
    }
}
