//! Metadata backups (`vgcfgbackup`, `$RVM_SYSTEM_DIR/backup/VG`) and archives (the VG as it
//! was before each change, `$RVM_SYSTEM_DIR/archive/VG_NNNNN-TTTTTTTTTT.vg`), in a
//! human-readable JSON form that `vgcfgrestore` reads back.
//!
//! The JSON mirrors the model through its own structs so that the model can change without
//! breaking old backups.

use super::config::Config;
use super::error::{MetaError, MetaResult};
use super::model::*;
use crate::format::id::Id;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Marks a file as an rvm VG backup.
pub const FORMAT: &str = "rvm-vg-backup";

/// A backup or archive file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupFile {
    pub format: String,
    pub version: u32,
    /// LVM2's description line: `Created *before* executing '...'`.
    pub description: String,
    pub creation_time: u64,
    pub creation_host: String,
    pub vg: BackupVg,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupVg {
    pub name: String,
    pub id: String,
    pub seqno: u64,
    pub extent_size: u64,
    pub resizeable: bool,
    pub max_lv: u32,
    pub max_pv: u32,
    pub alloc: String,
    pub creation_time: u64,
    pub creation_host: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub pvs: Vec<BackupPv>,
    pub lvs: Vec<BackupLv>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupPv {
    pub id: String,
    pub device: String,
    pub dev_size: u64,
    pub pe_start: u64,
    pub pe_count: u64,
    pub allocatable: bool,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupLv {
    pub name: String,
    pub id: String,
    pub read_only: bool,
    pub active: bool,
    pub activation_skip: bool,
    pub alloc: String,
    pub creation_time: u64,
    pub creation_host: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub snapshot: Option<BackupSnapshot>,
    /// Each segment: logical start, extent count, PV index (into `pvs`), PV start.
    pub segments: Vec<[u64; 4]>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupSnapshot {
    pub origin: String,
    pub chunk_size: u64,
    pub store_id: u32,
    pub merging: bool,
}

const POLICIES: [(AllocPolicy, &str); 5] = [
    (AllocPolicy::Inherit, "inherit"),
    (AllocPolicy::Normal, "normal"),
    (AllocPolicy::Contiguous, "contiguous"),
    (AllocPolicy::Cling, "cling"),
    (AllocPolicy::Anywhere, "anywhere"),
];

/// LVM2's name of an allocation policy.
pub fn policy_name(p: AllocPolicy) -> &'static str {
    POLICIES
        .iter()
        .find(|(q, _)| *q == p)
        .map_or("inherit", |(_, n)| n)
}

/// The policy LVM2 calls `name`.
pub fn policy_from_name(name: &str) -> Option<AllocPolicy> {
    POLICIES.iter().find(|(_, n)| *n == name).map(|(p, _)| *p)
}

fn id(s: &str, what: &str) -> MetaResult<Id> {
    s.parse()
        .map_err(|e| MetaError::Refused(format!("Backup has a bad {what} id {s}: {e}")))
}

impl BackupFile {
    /// A backup of `vg`.
    pub fn of(vg: &Vg, description: &str, now: u64, host: &str) -> BackupFile {
        BackupFile {
            format: FORMAT.into(),
            version: 1,
            description: description.into(),
            creation_time: now,
            creation_host: host.into(),
            vg: BackupVg {
                name: vg.name.clone(),
                id: vg.id.to_string(),
                seqno: vg.seqno,
                extent_size: vg.extent_size,
                resizeable: vg.resizeable,
                max_lv: vg.max_lv,
                max_pv: vg.max_pv,
                alloc: policy_name(vg.alloc).into(),
                creation_time: vg.creation_time,
                creation_host: vg.creation_host.clone(),
                tags: vg.tags.clone(),
                pvs: vg
                    .pvs
                    .iter()
                    .map(|p| BackupPv {
                        id: p.id.to_string(),
                        device: p.device.display().to_string(),
                        dev_size: p.dev_size,
                        pe_start: p.pe_start,
                        pe_count: p.pe_count,
                        allocatable: p.allocatable,
                        tags: p.tags.clone(),
                    })
                    .collect(),
                lvs: vg
                    .lvs
                    .iter()
                    .map(|l| BackupLv {
                        name: l.name.clone(),
                        id: l.id.to_string(),
                        read_only: l.permission == Permission::ReadOnly,
                        active: l.active,
                        activation_skip: l.activation_skip,
                        alloc: policy_name(l.alloc).into(),
                        creation_time: l.creation_time,
                        creation_host: l.creation_host.clone(),
                        tags: l.tags.clone(),
                        snapshot: l.snapshot().map(|s| BackupSnapshot {
                            origin: s.origin.to_string(),
                            chunk_size: s.chunk_size,
                            store_id: s.store_id,
                            merging: s.merging,
                        }),
                        segments: l
                            .segments
                            .iter()
                            .map(|s| [s.lv_start, s.count, s.pv as u64, s.pv_start])
                            .collect(),
                    })
                    .collect(),
            },
        }
    }

    /// The VG this backup describes (PVs unplaced; the caller validates it).
    pub fn to_vg(&self) -> MetaResult<Vg> {
        if self.format != FORMAT || self.version != 1 {
            return Err(MetaError::Refused(
                "File is not an rvm VG backup (version 1).".into(),
            ));
        }
        let b = &self.vg;
        let policy = |s: &str| {
            policy_from_name(s)
                .ok_or_else(|| MetaError::Refused(format!("Unknown allocation policy {s}")))
        };
        Ok(Vg {
            name: b.name.clone(),
            id: id(&b.id, "VG")?,
            seqno: b.seqno,
            extent_size: b.extent_size,
            resizeable: b.resizeable,
            max_lv: b.max_lv,
            max_pv: b.max_pv,
            alloc: policy(&b.alloc)?,
            creation_time: b.creation_time,
            creation_host: b.creation_host.clone(),
            tags: b.tags.clone(),
            pvs: b
                .pvs
                .iter()
                .map(|p| {
                    Ok(Pv {
                        id: id(&p.id, "PV")?,
                        device: PathBuf::from(&p.device),
                        dev_size: p.dev_size,
                        pe_start: p.pe_start,
                        pe_count: p.pe_count,
                        allocatable: p.allocatable,
                        missing: false,
                        tags: p.tags.clone(),
                    })
                })
                .collect::<MetaResult<_>>()?,
            lvs: b
                .lvs
                .iter()
                .map(|l| {
                    Ok(Lv {
                        name: l.name.clone(),
                        id: id(&l.id, "LV")?,
                        permission: if l.read_only {
                            Permission::ReadOnly
                        } else {
                            Permission::ReadWrite
                        },
                        active: l.active,
                        activation_skip: l.activation_skip,
                        alloc: policy(&l.alloc)?,
                        creation_time: l.creation_time,
                        creation_host: l.creation_host.clone(),
                        tags: l.tags.clone(),
                        kind: match &l.snapshot {
                            None => LvKind::Linear,
                            Some(s) => LvKind::Snapshot(SnapshotInfo {
                                origin: id(&s.origin, "origin")?,
                                chunk_size: s.chunk_size,
                                store_id: s.store_id,
                                merging: s.merging,
                            }),
                        },
                        segments: l
                            .segments
                            .iter()
                            .map(|s| Segment {
                                lv_start: s[0],
                                count: s[1],
                                pv: s[2] as usize,
                                pv_start: s[3],
                            })
                            .collect(),
                    })
                })
                .collect::<MetaResult<_>>()?,
        })
    }

    /// Reads a backup or archive file.
    pub fn read(path: &Path) -> MetaResult<BackupFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                MetaError::Refused(format!("Couldn't find backup file {}", path.display()))
            } else {
                MetaError::io(path, e)
            }
        })?;
        serde_json::from_str(&text).map_err(|e| {
            MetaError::Refused(format!("Couldn't read backup file {}: {e}", path.display()))
        })
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> MetaResult<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| MetaError::io(dir, e))?;
        }
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| MetaError::Refused(format!("Cannot encode backup: {e}")))?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text + "\n").map_err(|e| MetaError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| MetaError::io(path, e))
    }
}

/// Where backups and archives go, following `backup/backup_dir` and `backup/archive_dir`.
pub fn backup_dir(system_dir: &Path, config: &Config) -> PathBuf {
    config
        .str("backup/backup_dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| system_dir.join("backup"))
}

pub fn archive_dir(system_dir: &Path, config: &Config) -> PathBuf {
    config
        .str("backup/archive_dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| system_dir.join("archive"))
}

/// Archives `vg` (as it is before a change) and prunes old archives: files are kept while
/// they are younger than `retain_days` or among the newest `retain_min`, as LVM2 does.
pub fn archive(
    system_dir: &Path,
    config: &Config,
    vg: &Vg,
    description: &str,
    now: u64,
    host: &str,
) -> MetaResult<()> {
    if config.int_or("backup/archive", 1) == 0 {
        return Ok(());
    }
    let dir = archive_dir(system_dir, config);
    let path = dir.join(format!("{}_{:05}-{now}.vg", vg.name, vg.seqno));
    BackupFile::of(vg, description, now, host).write(&path)?;
    let retain_min = config.int_or("backup/retain_min", 10).max(0) as usize;
    let retain_days = config.int_or("backup/retain_days", 30).max(0) as u64;
    let mut mine = list_archives(&dir, &vg.name);
    mine.sort_by_key(|(seq, time, _)| std::cmp::Reverse((*time, *seq)));
    for (_, time, path) in mine.into_iter().skip(retain_min) {
        if now.saturating_sub(time) >= retain_days * 86_400 {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

/// Archive files of VG `name` as (seqno, time, path).
pub fn list_archives(dir: &Path, name: &str) -> Vec<(u64, u64, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let prefix = format!("{name}_");
    let mut out = Vec::new();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().to_string();
        let Some(rest) = file
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".vg"))
        else {
            continue;
        };
        let Some((seq, time)) = rest.split_once('-') else {
            continue;
        };
        if let (Ok(seq), Ok(time)) = (seq.parse(), time.parse()) {
            out.push((seq, time, e.path()));
        }
    }
    out.sort();
    out
}

/// Writes the current backup of `vg` (after a change, when `backup/backup` is on).
pub fn backup(
    system_dir: &Path,
    config: &Config,
    vg: &Vg,
    description: &str,
    now: u64,
    host: &str,
) -> MetaResult<()> {
    if config.int_or("backup/backup", 1) == 0 {
        return Ok(());
    }
    let path = backup_dir(system_dir, config).join(&vg.name);
    BackupFile::of(vg, description, now, host).write(&path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::convert::from_record;

    #[test]
    fn json_round_trips_the_model() {
        let id = |c: u8| Id::from_bytes(&[c; 32]).unwrap();
        let rec = crate::format::record::VgRecord {
            name: "vg".into(),
            id: id(b'V'),
            seqno: 9,
            extent_size: 4 << 20,
            flags: 1,
            max_lv: 3,
            max_pv: 0,
            alloc: 2,
            creation_time: 5,
            creation_host: "h".into(),
            tags: vec!["t".into()],
            pvs: vec![crate::format::record::PvRecord {
                id: id(b'P'),
                device_hint: "/dev/x".into(),
                dev_size: 1 << 30,
                pe_start: 4 << 20,
                pe_count: 254,
                flags: 1,
                tags: vec![],
            }],
            lvs: vec![],
        };
        let vg = from_record(&rec);
        let file = BackupFile::of(&vg, "d", 1, "h");
        let text = serde_json::to_string(&file).unwrap();
        let back: BackupFile = serde_json::from_str(&text).unwrap();
        assert_eq!(back.to_vg().unwrap(), vg);
        let mut bad = back.clone();
        bad.vg.alloc = "sideways".into();
        assert!(bad.to_vg().is_err());
        bad.format = "other".into();
        assert!(bad.to_vg().is_err());
    }
}
