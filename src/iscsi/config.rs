//! The iSCSI export configuration: targets, their LUNs, ACLs and CHAP secrets. The daemon
//! persists it with serde and the CLI edits it through the methods here, which validate every
//! change before making it, so a bad argument changes nothing.
//!
//! Discovery CHAP is configured like a target's, under the reserved name [`DISCOVERY`]
//! (`rvm iscsi auth discovery --user U --password P`): when set, every discovery session must
//! authenticate with it.

use super::chap::{ChapError, Credentials, Secret};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The name that `auth` commands use for discovery sessions.
pub const DISCOVERY: &str = "discovery";
/// The ACL entry that admits every initiator.
pub const ACL_ALL: &str = "ALL";
/// Highest LUN number (flat space addressing).
pub const MAX_LUN: u64 = 16383;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{0:?} is not a valid iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16|32 hex>)"
    )]
    BadName(String),
    #[error("target {0} already exists")]
    TargetExists(String),
    #[error("target {0} does not exist")]
    NoTarget(String),
    #[error("LUN {lun} of target {target} is already in use")]
    LunInUse { target: String, lun: u64 },
    #[error("LUN {lun} of target {target} does not exist")]
    NoLun { target: String, lun: u64 },
    #[error("LUN number {0} is above {MAX_LUN}")]
    LunRange(u64),
    #[error("target {0} has no free LUN number")]
    LunsFull(String),
    #[error("ACL of {target} already has {initiator}")]
    AclExists { target: String, initiator: String },
    #[error("ACL of {target} has no entry {initiator}")]
    NoAcl { target: String, initiator: String },
    #[error("{0:?} is not a valid volume name (VG/LV)")]
    BadVolume(String),
    #[error("CHAP: {0}")]
    Chap(#[from] ChapError),
}

/// One direction of CHAP as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapUser {
    pub user: String,
    pub password: String,
}

/// CHAP for a target or for discovery; `mutual` is how the target proves itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapAuth {
    #[serde(flatten)]
    pub initiator: ChapUser,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutual: Option<ChapUser>,
}

impl ChapAuth {
    /// The runtime form, validated (secret lengths, distinct mutual secret).
    pub fn credentials(&self) -> Result<Credentials, ChapError> {
        let c = Credentials {
            incoming: Secret {
                user: self.initiator.user.clone(),
                secret: self.initiator.password.as_bytes().to_vec(),
            },
            outgoing: self.mutual.as_ref().map(|m| Secret {
                user: m.user.clone(),
                secret: m.password.as_bytes().to_vec(),
            }),
        };
        c.validate()?;
        Ok(c)
    }
}

/// One LUN: the LV it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LunConfig {
    /// `VG/LV` as it was mapped.
    pub volume: String,
    /// The LV's id, which renames keep; the daemon opens the LV by it when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lv_id: Option<String>,
}

/// One target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(default)]
    pub luns: BTreeMap<u64, LunConfig>,
    /// Initiator names, or [`ACL_ALL`]. Empty admits nobody.
    #[serde(default)]
    pub acl: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<ChapAuth>,
}

/// Every target, keyed by its IQN, plus discovery CHAP.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IscsiConfig {
    #[serde(default)]
    pub targets: BTreeMap<String, TargetConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_auth: Option<ChapAuth>,
}

/// Validates an iSCSI name (RFC 3720 §3.2.6) and returns its normalized (lowercase) form.
pub fn normalize_name(name: &str) -> Result<String, ConfigError> {
    let bad = || ConfigError::BadName(name.to_string());
    let lower = name.to_ascii_lowercase();
    if lower.len() > 223 || !lower.is_ascii() {
        return Err(bad());
    }
    let hex_of = |s: &str, lens: &[usize]| {
        lens.contains(&s.len()) && s.bytes().all(|c| c.is_ascii_hexdigit())
    };
    if let Some(rest) = lower.strip_prefix("iqn.") {
        // iqn.YYYY-MM.reversed.domain[:anything]
        let (date, tail) = rest.split_at_checked(7).ok_or_else(bad)?;
        let d = date.as_bytes();
        let date_ok = d[..4].iter().all(u8::is_ascii_digit)
            && d[4] == b'-'
            && d[5..].iter().all(u8::is_ascii_digit);
        let domain = tail.strip_prefix('.').ok_or_else(bad)?;
        let host = domain.split(':').next().unwrap_or("");
        let chars_ok = lower
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".-:".contains(&c));
        if date_ok && !host.is_empty() && chars_ok {
            return Ok(lower);
        }
        return Err(bad());
    }
    if let Some(h) = lower.strip_prefix("eui.") {
        if hex_of(h, &[16]) {
            return Ok(lower);
        }
    }
    if let Some(h) = lower.strip_prefix("naa.") {
        if hex_of(h, &[16, 32]) {
            return Ok(lower);
        }
    }
    Err(bad())
}

fn normalize_acl_entry(initiator: &str) -> Result<String, ConfigError> {
    if initiator.eq_ignore_ascii_case(ACL_ALL) {
        Ok(ACL_ALL.to_string())
    } else {
        normalize_name(initiator)
    }
}

impl IscsiConfig {
    pub fn target(&self, iqn: &str) -> Result<&TargetConfig, ConfigError> {
        let n = normalize_name(iqn)?;
        self.targets.get(&n).ok_or(ConfigError::NoTarget(n))
    }

    fn target_mut(&mut self, iqn: &str) -> Result<(String, &mut TargetConfig), ConfigError> {
        let n = normalize_name(iqn)?;
        match self.targets.get_mut(&n) {
            Some(t) => Ok((n, t)),
            None => Err(ConfigError::NoTarget(n)),
        }
    }

    /// `rvm iscsi target create IQN`.
    pub fn create_target(&mut self, iqn: &str) -> Result<String, ConfigError> {
        let n = normalize_name(iqn)?;
        if self.targets.contains_key(&n) {
            return Err(ConfigError::TargetExists(n));
        }
        self.targets.insert(n.clone(), TargetConfig::default());
        Ok(n)
    }

    /// `rvm iscsi target delete IQN`.
    pub fn delete_target(&mut self, iqn: &str) -> Result<TargetConfig, ConfigError> {
        let n = normalize_name(iqn)?;
        self.targets.remove(&n).ok_or(ConfigError::NoTarget(n))
    }

    /// `rvm iscsi lun add IQN VG/LV [--lun N]`; returns the LUN number (lowest free if none
    /// was asked for).
    pub fn add_lun(
        &mut self,
        iqn: &str,
        volume: &str,
        lun: Option<u64>,
    ) -> Result<u64, ConfigError> {
        let valid_volume = volume
            .split_once('/')
            .is_some_and(|(vg, lv)| !vg.is_empty() && !lv.is_empty() && !lv.contains('/'));
        if !valid_volume {
            return Err(ConfigError::BadVolume(volume.to_string()));
        }
        let (n, t) = self.target_mut(iqn)?;
        let lun = match lun {
            Some(l) if l > MAX_LUN => return Err(ConfigError::LunRange(l)),
            Some(l) if t.luns.contains_key(&l) => {
                return Err(ConfigError::LunInUse { target: n, lun: l })
            }
            Some(l) => l,
            None => (0..=MAX_LUN)
                .find(|l| !t.luns.contains_key(l))
                .ok_or(ConfigError::LunsFull(n))?,
        };
        t.luns.insert(
            lun,
            LunConfig {
                volume: volume.to_string(),
                lv_id: None,
            },
        );
        Ok(lun)
    }

    /// `rvm iscsi lun remove IQN N`.
    pub fn remove_lun(&mut self, iqn: &str, lun: u64) -> Result<LunConfig, ConfigError> {
        let (n, t) = self.target_mut(iqn)?;
        t.luns
            .remove(&lun)
            .ok_or(ConfigError::NoLun { target: n, lun })
    }

    /// `rvm iscsi acl add IQN INITIATOR|ALL`.
    pub fn acl_add(&mut self, iqn: &str, initiator: &str) -> Result<(), ConfigError> {
        let entry = normalize_acl_entry(initiator)?;
        let (n, t) = self.target_mut(iqn)?;
        if !t.acl.insert(entry.clone()) {
            return Err(ConfigError::AclExists {
                target: n,
                initiator: entry,
            });
        }
        Ok(())
    }

    /// `rvm iscsi acl remove IQN INITIATOR|ALL`.
    pub fn acl_remove(&mut self, iqn: &str, initiator: &str) -> Result<(), ConfigError> {
        let entry = normalize_acl_entry(initiator)?;
        let (n, t) = self.target_mut(iqn)?;
        if !t.acl.remove(&entry) {
            return Err(ConfigError::NoAcl {
                target: n,
                initiator: entry,
            });
        }
        Ok(())
    }

    /// `rvm iscsi auth IQN|discovery --user .. --password .. [--mutual-..]` and `--none`.
    pub fn set_auth(&mut self, iqn: &str, auth: Option<ChapAuth>) -> Result<(), ConfigError> {
        if let Some(a) = &auth {
            a.credentials()?;
        }
        if iqn == DISCOVERY {
            self.discovery_auth = auth;
            return Ok(());
        }
        let (_, t) = self.target_mut(iqn)?;
        t.auth = auth;
        Ok(())
    }

    /// Checks a whole configuration, as loaded from disk.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, t) in &self.targets {
            if &normalize_name(name)? != name {
                return Err(ConfigError::BadName(name.clone()));
            }
            for e in &t.acl {
                normalize_acl_entry(e)?;
            }
            if let Some(a) = &t.auth {
                a.credentials()?;
            }
            if let Some(l) = t.luns.keys().find(|l| **l > MAX_LUN) {
                return Err(ConfigError::LunRange(*l));
            }
        }
        if let Some(a) = &self.discovery_auth {
            a.credentials()?;
        }
        Ok(())
    }
}

impl TargetConfig {
    /// Whether the ACL admits `initiator` (already normalized).
    pub fn admits(&self, initiator: &str) -> bool {
        self.acl.contains(ACL_ALL) || self.acl.contains(initiator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "iqn.2026-11.org.example:vol1";

    #[test]
    fn names_are_validated_and_lowercased() {
        assert_eq!(
            normalize_name("IQN.2026-11.org.Example:Vol1").unwrap(),
            "iqn.2026-11.org.example:vol1"
        );
        assert!(normalize_name("eui.0123456789ABCDEF").is_ok());
        assert!(normalize_name("naa.0123456789abcdef0123456789abcdef").is_ok());
        for bad in [
            "iqn.2026.org.x",
            "iqn.2026-11",
            "foo",
            "iqn.2026-11.x y",
            "eui.12",
        ] {
            assert!(normalize_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cli_verbs_validate_before_changing() {
        let mut c = IscsiConfig::default();
        c.create_target(T).unwrap();
        assert!(matches!(
            c.create_target(T),
            Err(ConfigError::TargetExists(_))
        ));
        assert_eq!(c.add_lun(T, "vg0/a", None).unwrap(), 0);
        assert_eq!(c.add_lun(T, "vg0/b", None).unwrap(), 1);
        assert!(matches!(
            c.add_lun(T, "vg0/c", Some(1)),
            Err(ConfigError::LunInUse { .. })
        ));
        assert!(c.add_lun(T, "nolv", None).is_err());
        c.acl_add(T, "all").unwrap();
        assert!(c.target(T).unwrap().admits("iqn.2000-01.x:anyone"));
        c.acl_remove(T, "ALL").unwrap();
        assert!(!c.target(T).unwrap().admits("iqn.2000-01.x:anyone"));
        let weak = ChapAuth {
            initiator: ChapUser {
                user: "u".into(),
                password: "short".into(),
            },
            mutual: None,
        };
        let before = c.clone();
        assert!(c.set_auth(T, Some(weak)).is_err());
        assert_eq!(c, before);
        let ok = ChapAuth {
            initiator: ChapUser {
                user: "u".into(),
                password: "long-enough-pw".into(),
            },
            mutual: None,
        };
        c.set_auth(DISCOVERY, Some(ok)).unwrap();
        assert!(c.discovery_auth.is_some());
        c.validate().unwrap();
    }

    #[test]
    fn serde_round_trip() {
        let mut c = IscsiConfig::default();
        c.create_target(T).unwrap();
        c.add_lun(T, "vg0/a", Some(3)).unwrap();
        c.acl_add(T, "iqn.2026-11.org.example:kvm1").unwrap();
        let s = serde_json::to_string(&c).unwrap();
        let back: IscsiConfig = serde_json::from_str(&s).unwrap();
        assert_eq!(back, c);
    }
}
