//! Feature flags in three classes, as ext4 and qcow2 keep them: an rvm that meets an
//! incompatible feature it does not know refuses to open the block, one that meets an
//! unknown read-only-compatible feature opens it read-only, and unknown compatible features
//! are ignored.

use super::codec::DecodeError;

/// The three feature words of a block header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features {
    pub incompat: u64,
    pub ro_compat: u64,
    pub compat: u64,
}

/// Incompatible features this rvm understands (none are defined yet).
pub const KNOWN_INCOMPAT: u64 = 0;
/// Read-only-compatible features this rvm understands (none are defined yet).
pub const KNOWN_RO_COMPAT: u64 = 0;

/// Names of the bits in `mask`, for error messages ("bit 3, bit 40").
pub fn describe(mask: u64) -> String {
    (0..64)
        .filter(|b| mask & (1 << b) != 0)
        .map(|b| format!("bit {b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Features {
    /// Refuses blocks that need features this rvm does not have.
    pub fn check_incompat(&self) -> Result<(), DecodeError> {
        let unknown = self.incompat & !KNOWN_INCOMPAT;
        if unknown != 0 {
            return Err(DecodeError::IncompatFeatures(unknown));
        }
        Ok(())
    }

    /// Read-only-compatible features this rvm does not know: if non-zero, the VG may be read
    /// but not changed.
    pub fn unknown_ro_compat(&self) -> u64 {
        self.ro_compat & !KNOWN_RO_COMPAT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let f = Features {
            incompat: 0,
            ro_compat: 0b100,
            compat: u64::MAX,
        };
        assert!(f.check_incompat().is_ok());
        assert_eq!(f.unknown_ro_compat(), 0b100);
        assert_eq!(describe(0b101), "bit 0, bit 2");
    }
}
