//! The export configuration as commands change it and the daemon serves it: NBD exports by
//! name and the iSCSI targets. Every verb checks before it changes, so an error leaves the
//! configuration as it was.

use super::{ExportError, ExportResult};
use crate::format::id::Id;
use crate::iscsi::config::{normalize_name, IscsiConfig, LunConfig};
use crate::meta::names::{check_lv_name, check_vg_name};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Longest export name the NBD protocol carries (NBD_MAX_STRING).
pub const MAX_NBD_NAME: usize = 4096;

/// One NBD export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NbdExport {
    /// `VG/LV` as it was exported: for the user, and for finding the LV when `lv_id` is absent.
    pub volume: String,
    /// The LV's id, which renames keep: the export follows it, never a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lv_id: Option<String>,
    /// Refuse writes even when the LV accepts them.
    #[serde(default)]
    pub read_only: bool,
}

/// Everything rvm exports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportConfig {
    /// By export name (the name clients ask for; it never changes with the LV's name).
    pub nbd: BTreeMap<String, NbdExport>,
    pub iscsi: IscsiConfig,
}

/// A place where an LV is exported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExportUse {
    Nbd(String),
    Lun { target: String, lun: u64 },
}

impl fmt::Display for ExportUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportUse::Nbd(name) => write!(f, "NBD export \"{name}\""),
            ExportUse::Lun { target, lun } => write!(f, "iSCSI target {target} LUN {lun}"),
        }
    }
}

/// How an export names its LV: `VG/LV` as given, and the id when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LvRef<'a> {
    pub volume: &'a str,
    pub lv_id: Option<&'a str>,
}

impl<'a> LvRef<'a> {
    pub fn of_nbd(e: &'a NbdExport) -> LvRef<'a> {
        LvRef {
            volume: &e.volume,
            lv_id: e.lv_id.as_deref(),
        }
    }

    pub fn of_lun(l: &'a LunConfig) -> LvRef<'a> {
        LvRef {
            volume: &l.volume,
            lv_id: l.lv_id.as_deref(),
        }
    }

    /// The id, when present and well formed (`validate` refuses a malformed one).
    pub fn id(&self) -> Option<Id> {
        self.lv_id.and_then(|s| s.parse().ok())
    }
}

/// An LV that exists, as a command found it in its VG: what a new export records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLv {
    /// `VG/LV`, current.
    pub volume: String,
    pub id: Id,
}

/// Checks an NBD export name: what the protocol can carry and a terminal can show.
pub fn check_nbd_name(name: &str) -> ExportResult<()> {
    if name.is_empty() || name.len() > MAX_NBD_NAME || name.chars().any(char::is_control) {
        return Err(ExportError::BadNbdName(name.to_string()));
    }
    Ok(())
}

/// Splits `VG/LV`, checking both names as LVM2 does.
pub fn split_volume(volume: &str) -> ExportResult<(&str, &str)> {
    let bad = || ExportError::BadVolume(volume.to_string());
    let (vg, lv) = volume.split_once('/').ok_or_else(bad)?;
    check_vg_name(vg).map_err(|_| bad())?;
    check_lv_name(lv).map_err(|_| bad())?;
    Ok((vg, lv))
}

fn check_ref(what: impl Fn() -> String, r: LvRef<'_>) -> ExportResult<()> {
    split_volume(r.volume)?;
    if let Some(id) = r.lv_id {
        if id.parse::<Id>().is_err() {
            return Err(ExportError::BadLvId {
                what: what(),
                id: id.to_string(),
            });
        }
    }
    Ok(())
}

impl ExportConfig {
    /// Every LV reference, with the export that holds it, NBD first.
    pub fn lv_refs(&self) -> Vec<(ExportUse, LvRef<'_>)> {
        let mut out: Vec<(ExportUse, LvRef<'_>)> = self
            .nbd
            .iter()
            .map(|(n, e)| (ExportUse::Nbd(n.clone()), LvRef::of_nbd(e)))
            .collect();
        for (t, tc) in &self.iscsi.targets {
            for (lun, l) in &tc.luns {
                let u = ExportUse::Lun {
                    target: t.clone(),
                    lun: *lun,
                };
                out.push((u, LvRef::of_lun(l)));
            }
        }
        out
    }

    /// Each reference's name and id slot, for recording ids of hand-written entries.
    pub(super) fn id_slots(&mut self) -> Vec<(&str, &mut Option<String>)> {
        let mut out: Vec<(&str, &mut Option<String>)> = self
            .nbd
            .values_mut()
            .map(|e| (e.volume.as_str(), &mut e.lv_id))
            .collect();
        for t in self.iscsi.targets.values_mut() {
            for l in t.luns.values_mut() {
                out.push((l.volume.as_str(), &mut l.lv_id));
            }
        }
        out
    }

    /// `rvm nbd export VG/LV [--name NAME] [--readonly]`; the name defaults to `VG/LV`.
    pub fn nbd_export(
        &mut self,
        lv: &FoundLv,
        name: Option<&str>,
        read_only: bool,
    ) -> ExportResult<String> {
        let name = name.unwrap_or(&lv.volume).to_string();
        check_nbd_name(&name)?;
        if self.nbd.contains_key(&name) {
            return Err(ExportError::NbdExists(name));
        }
        self.nbd.insert(
            name.clone(),
            NbdExport {
                volume: lv.volume.clone(),
                lv_id: Some(lv.id.to_string()),
                read_only,
            },
        );
        Ok(name)
    }

    /// `rvm nbd unexport NAME`.
    pub fn nbd_unexport(&mut self, name: &str) -> ExportResult<NbdExport> {
        self.nbd
            .remove(name)
            .ok_or_else(|| ExportError::NbdNotFound(name.to_string()))
    }

    /// `rvm iscsi lun add IQN VG/LV [--lun N]`: returns the target's normalized name and
    /// the LUN number (the lowest free one when none was asked for).
    pub fn lun_add(
        &mut self,
        iqn: &str,
        lv: &FoundLv,
        lun: Option<u64>,
    ) -> ExportResult<(String, u64)> {
        let target = normalize_name(iqn)?;
        let n = self.iscsi.add_lun(&target, &lv.volume, lun)?;
        if let Some(l) = self
            .iscsi
            .targets
            .get_mut(&target)
            .and_then(|t| t.luns.get_mut(&n))
        {
            l.lv_id = Some(lv.id.to_string());
        }
        Ok((target, n))
    }

    /// Removes the given exports (NBD exports, LUNs); unknown ones are ignored.
    pub fn remove_uses(&mut self, uses: &[ExportUse]) {
        for u in uses {
            match u {
                ExportUse::Nbd(name) => {
                    self.nbd.remove(name);
                }
                ExportUse::Lun { target, lun } => {
                    if let Some(t) = self.iscsi.targets.get_mut(target) {
                        t.luns.remove(lun);
                    }
                }
            }
        }
    }

    /// Checks a whole configuration, as loaded or about to be written.
    pub fn validate(&self) -> ExportResult<()> {
        for (name, e) in &self.nbd {
            check_nbd_name(name)?;
            check_ref(|| format!("NBD export \"{name}\""), LvRef::of_nbd(e))?;
        }
        self.iscsi.validate()?;
        for (use_, r) in self.lv_refs() {
            if let ExportUse::Lun { .. } = use_ {
                check_ref(|| use_.to_string(), r)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "iqn.2026-11.org.example:vol1";

    fn lv(volume: &str) -> FoundLv {
        FoundLv {
            volume: volume.into(),
            id: Id::random(),
        }
    }

    #[test]
    fn nbd_names_default_to_the_volume_and_are_unique() {
        let mut c = ExportConfig::default();
        let a = lv("vg0/a");
        assert_eq!(c.nbd_export(&a, None, false).unwrap(), "vg0/a");
        assert_eq!(c.nbd_export(&a, Some("disk"), true).unwrap(), "disk");
        let before = c.clone();
        assert!(matches!(
            c.nbd_export(&a, Some("disk"), false),
            Err(ExportError::NbdExists(_))
        ));
        assert!(matches!(
            c.nbd_export(&a, Some(""), false),
            Err(ExportError::BadNbdName(_))
        ));
        assert!(matches!(
            c.nbd_export(&a, Some("a\nb"), false),
            Err(ExportError::BadNbdName(_))
        ));
        assert!(c
            .nbd_export(&a, Some(&"x".repeat(MAX_NBD_NAME + 1)), false)
            .is_err());
        assert_eq!(c, before);
        assert!(c.nbd["disk"].read_only);
        assert_eq!(c.nbd["disk"].lv_id, Some(a.id.to_string()));
        c.validate().unwrap();
        c.nbd_unexport("disk").unwrap();
        assert!(matches!(
            c.nbd_unexport("disk"),
            Err(ExportError::NbdNotFound(_))
        ));
    }

    #[test]
    fn luns_record_the_lv_id_and_uses_are_listed() {
        let mut c = ExportConfig::default();
        c.iscsi.create_target(T).unwrap();
        let a = lv("vg0/a");
        assert_eq!(c.lun_add(T, &a, None).unwrap(), (T.to_string(), 0));
        assert_eq!(c.lun_add(T, &a, Some(5)).unwrap().1, 5);
        assert_eq!(c.lun_add(T, &a, None).unwrap().1, 1);
        c.nbd_export(&a, None, false).unwrap();
        let uses: Vec<ExportUse> = c.lv_refs().into_iter().map(|(u, _)| u).collect();
        assert_eq!(uses.len(), 4);
        assert_eq!(uses[0].to_string(), "NBD export \"vg0/a\"");
        assert_eq!(uses[1].to_string(), format!("iSCSI target {T} LUN 0"));
        assert!(c
            .lv_refs()
            .iter()
            .all(|(_, r)| r.id() == Some(a.id) && r.volume == "vg0/a"));
        c.remove_uses(&uses[..2]);
        assert!(c.nbd.is_empty());
        assert_eq!(c.iscsi.targets[T].luns.len(), 2);
        c.validate().unwrap();
    }

    #[test]
    fn validate_refuses_bad_volumes_and_ids() {
        let mut c = ExportConfig::default();
        c.nbd.insert(
            "x".into(),
            NbdExport {
                volume: "novg".into(),
                lv_id: None,
                read_only: false,
            },
        );
        assert!(matches!(c.validate(), Err(ExportError::BadVolume(_))));
        c.nbd.get_mut("x").unwrap().volume = "vg0/a".into();
        c.validate().unwrap();
        c.nbd.get_mut("x").unwrap().lv_id = Some("not-an-id".into());
        assert!(matches!(c.validate(), Err(ExportError::BadLvId { .. })));
        for bad in ["vg0/", "/a", "vg0/a/b", "vg 0/a"] {
            assert!(split_volume(bad).is_err(), "{bad}");
        }
    }
}
