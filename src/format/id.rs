//! LVM2-style identifiers: 32 characters from `[a-zA-Z0-9]`, shown in 6-4-4-4-4-4-6 groups.
//!
//! rvm uses LVM2's identifier shape rather than RFC 4122 UUIDs because users and tools paste
//! `lv_uuid`/`pv_uuid` values between LVM2 and rvm (`pvcreate --uuid`, reports, scripts).

use std::fmt;
use std::str::FromStr;

/// Number of characters in an identifier, without dashes.
pub const ID_LEN: usize = 32;

/// The alphabet LVM2 draws identifier characters from.
const ALPHABET: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Group lengths of the dashed form.
const GROUPS: [usize; 7] = [6, 4, 4, 4, 4, 4, 6];

/// A PV, VG or LV identifier, stored on disk as its 32 ASCII characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id([u8; ID_LEN]);

/// Why a string or byte block is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("identifier must have 32 characters (dashes aside), found {0}")]
    Length(usize),
    #[error("identifier contains the invalid character {0:?}")]
    Character(char),
}

impl Id {
    /// Draws a fresh identifier from the operating system's CSPRNG.
    pub fn random() -> Id {
        let mut out = [0u8; ID_LEN];
        let mut filled = 0;
        while filled < ID_LEN {
            // Rejection sampling keeps every character equally likely: 62 * 4 = 248.
            for b in uuid::Uuid::new_v4().into_bytes() {
                if b < 248 && filled < ID_LEN {
                    out[filled] = ALPHABET[(b % 62) as usize];
                    filled += 1;
                }
            }
        }
        Id(out)
    }

    /// Validates raw on-disk bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Id, IdError> {
        if bytes.len() != ID_LEN {
            return Err(IdError::Length(bytes.len()));
        }
        let mut out = [0u8; ID_LEN];
        for (o, &b) in out.iter_mut().zip(bytes) {
            if !b.is_ascii_alphanumeric() {
                return Err(IdError::Character(b as char));
            }
            *o = b;
        }
        Ok(Id(out))
    }

    /// The 32 characters as stored on disk.
    pub fn as_bytes(&self) -> &[u8; ID_LEN] {
        &self.0
    }

    /// The undashed form, as `lvs` never prints it but metadata keys may use it.
    pub fn as_str(&self) -> &str {
        // Every byte is ASCII alphanumeric by construction.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut at = 0;
        for (i, len) in GROUPS.iter().enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(&self.as_str()[at..at + len])?;
            at += len;
        }
        Ok(())
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({self})")
    }
}

impl FromStr for Id {
    type Err = IdError;

    /// Accepts the dashed and the undashed form, as LVM2 does.
    fn from_str(s: &str) -> Result<Id, IdError> {
        let raw: Vec<u8> = s.bytes().filter(|&b| b != b'-').collect();
        Id::from_bytes(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_uses_lvm2_grouping() {
        let id: Id = "11g4FARLI9iOdezxaHJABhcac96o3o3t".parse().unwrap();
        assert_eq!(id.to_string(), "11g4FA-RLI9-iOde-zxaH-JABh-cac9-6o3o3t");
        assert_eq!(id.to_string().parse::<Id>().unwrap(), id);
    }

    #[test]
    fn random_ids_are_alphanumeric_and_distinct() {
        let a = Id::random();
        let b = Id::random();
        assert_ne!(a, b);
        assert!(a.as_bytes().iter().all(u8::is_ascii_alphanumeric));
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!("abc".parse::<Id>(), Err(IdError::Length(3)));
        let bad = "11g4FARLI9iOdezxaHJABhcac96o3o3!";
        assert_eq!(bad.parse::<Id>(), Err(IdError::Character('!')));
    }
}
