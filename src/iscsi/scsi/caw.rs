//! Range locks that make COMPARE AND WRITE atomic against other writes to the same blocks
//! (SBC-3 §5.2) without a global lock: writes share the stripes of the regions they touch,
//! COMPARE AND WRITE holds its stripes exclusively.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

const STRIPES: usize = 16;
/// Blocks per region: 1 MiB of 512-byte blocks.
const REGION_SHIFT: u32 = 11;

pub struct RangeLocks {
    stripes: [RwLock<()>; STRIPES],
}

impl Default for RangeLocks {
    fn default() -> RangeLocks {
        RangeLocks {
            stripes: std::array::from_fn(|_| RwLock::new(())),
        }
    }
}

/// Held while a write runs.
pub struct Shared<'a> {
    _guards: [Option<RwLockReadGuard<'a, ()>>; STRIPES],
}

/// Held while COMPARE AND WRITE reads, compares and writes.
pub struct Exclusive<'a> {
    _guards: [Option<RwLockWriteGuard<'a, ()>>; STRIPES],
}

/// The stripes a range of blocks maps to, as a bit mask.
fn mask(lba: u64, blocks: u64) -> u32 {
    if blocks == 0 {
        return 0;
    }
    let first = lba >> REGION_SHIFT;
    let last = lba.saturating_add(blocks - 1) >> REGION_SHIFT;
    if last - first >= STRIPES as u64 {
        return (1 << STRIPES) - 1;
    }
    (first..=last).fold(0, |m, r| m | 1 << (r % STRIPES as u64))
}

impl RangeLocks {
    /// Locks in ascending stripe order, so two lockers can never wait on each other.
    pub fn shared(&self, lba: u64, blocks: u64) -> Shared<'_> {
        let m = mask(lba, blocks);
        Shared {
            _guards: std::array::from_fn(|i| {
                (m & 1 << i != 0).then(|| self.stripes[i].read().unwrap_or_else(|e| e.into_inner()))
            }),
        }
    }

    pub fn exclusive(&self, lba: u64, blocks: u64) -> Exclusive<'_> {
        let m = mask(lba, blocks);
        Exclusive {
            _guards: std::array::from_fn(|i| {
                (m & 1 << i != 0)
                    .then(|| self.stripes[i].write().unwrap_or_else(|e| e.into_inner()))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_cover_the_regions_touched() {
        assert_eq!(mask(0, 0), 0);
        assert_eq!(mask(0, 1), 1);
        assert_eq!(mask(2047, 2), 0b11);
        assert_eq!(mask(16 * 2048, 1), 1);
        assert_eq!(mask(0, 64 * 2048), 0xffff);
        assert_eq!(
            mask(u64::MAX - 1, 2),
            1 << ((u64::MAX >> REGION_SHIFT) % 16)
        );
    }

    #[test]
    fn exclusive_waits_for_shared_on_the_same_stripe() {
        let locks = RangeLocks::default();
        let g = locks.shared(0, 8);
        assert!(locks.stripes[0].try_write().is_err());
        assert!(locks.stripes[1].try_write().is_ok());
        drop(g);
        let _e = locks.exclusive(0, 8);
        assert!(locks.stripes[0].try_read().is_err());
    }
}
