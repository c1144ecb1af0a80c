//! Where things live on a PV: the head label, the head metadata area, the data area, the
//! tail metadata area and the tail label.
//!
//! ```text
//! 0      4 KiB                      pe_start (1 MiB aligned)         tail_mda    tail_label  end
//! | label | head metadata area: A | B | (gap) | data area: extents ... | A | B      | label |pad|
//! ```
//!
//! Both labels name both areas, so either end alone finds all metadata; both areas hold the
//! same records, so either end alone holds the VG.

/// Size of a label block and the alignment of every metadata write.
pub const BLOCK: u64 = 4096;
/// Alignment of the data area, as LVM2 aligns `pe_start`.
pub const DATA_ALIGN: u64 = 1 << 20;
/// Default metadata area size: the head area then ends exactly at a 4 MiB `pe_start`.
/// Each of its two slots holds 2 MiB - 4 KiB; see docs/format.md for the LV capacity.
pub const DEFAULT_MDA_SIZE: u64 = (4 << 20) - BLOCK;
/// The smallest area: two slots of 8 KiB.
pub const MIN_MDA_SIZE: u64 = 4 * BLOCK;
/// The data area must hold at least this much, or the device is too small.
pub const MIN_DATA: u64 = 1 << 20;

/// Why a device cannot hold a PV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("device is too small ({size} bytes; at least {min} are needed)")]
    TooSmall { size: u64, min: u64 },
    #[error("metadata area size {0} is out of range")]
    MdaSize(u64),
}

/// The computed positions on one PV, all in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub dev_size: u64,
    /// Size of each metadata area (head and tail are equal).
    pub mda_size: u64,
    pub head_mda: u64,
    pub pe_start: u64,
    /// End of the data area: where the tail metadata area starts.
    pub data_end: u64,
    pub tail_mda: u64,
    pub tail_label: u64,
    /// Size of each of the two slots in an area.
    pub slot_size: u64,
}

fn align_up(v: u64, a: u64) -> u64 {
    v.div_ceil(a) * a
}

fn align_down(v: u64, a: u64) -> u64 {
    v / a * a
}

impl Layout {
    /// Lays out a PV of `dev_size` bytes whose areas are at least `mda_size` bytes; the head
    /// area is grown to reach the 1 MiB-aligned `pe_start`, and the tail area matches it.
    pub fn new(dev_size: u64, mda_size: u64) -> Result<Layout, LayoutError> {
        if !(MIN_MDA_SIZE..=(1 << 30)).contains(&mda_size) {
            return Err(LayoutError::MdaSize(mda_size));
        }
        let pe_start = align_up(BLOCK + mda_size, DATA_ALIGN);
        Self::with_pe_start(dev_size, pe_start)
    }

    /// Lays out a PV whose data starts at `pe_start` (a restored PV must keep its old one).
    pub fn with_pe_start(dev_size: u64, pe_start: u64) -> Result<Layout, LayoutError> {
        if pe_start % DATA_ALIGN != 0 || !(BLOCK + MIN_MDA_SIZE..=1 << 31).contains(&pe_start) {
            return Err(LayoutError::MdaSize(pe_start));
        }
        let mda_size = pe_start - BLOCK;
        let min = pe_start + MIN_DATA + mda_size + BLOCK;
        if dev_size < min {
            return Err(LayoutError::TooSmall {
                size: dev_size,
                min,
            });
        }
        let tail_label = align_down(dev_size, BLOCK) - BLOCK;
        let tail_mda = tail_label - mda_size;
        Ok(Layout {
            dev_size,
            mda_size,
            head_mda: BLOCK,
            pe_start,
            data_end: tail_mda,
            tail_mda,
            tail_label,
            slot_size: align_down(mda_size / 2, BLOCK),
        })
    }

    /// The offset where the tail label of a device of `dev_size` bytes would be.
    pub fn tail_label_of(dev_size: u64) -> Option<u64> {
        align_down(dev_size, BLOCK).checked_sub(BLOCK)
    }

    /// Byte offsets of the four slots: head A, head B, tail A, tail B.
    pub fn slots(&self) -> [u64; 4] {
        [
            self.head_mda,
            self.head_mda + self.slot_size,
            self.tail_mda,
            self.tail_mda + self.slot_size,
        ]
    }

    /// Number of whole extents of `extent_size` bytes in the data area.
    pub fn pe_count(&self, extent_size: u64) -> u64 {
        if extent_size == 0 {
            return 0;
        }
        (self.data_end - self.pe_start) / extent_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_layout_of_one_gib() {
        let l = Layout::new(1 << 30, DEFAULT_MDA_SIZE).unwrap();
        assert_eq!(l.pe_start, 4 << 20);
        assert_eq!(l.tail_label, (1 << 30) - 4096);
        assert_eq!(l.tail_mda, (1 << 30) - (4 << 20));
        assert_eq!(l.slot_size, (2 << 20) - 4096);
        assert_eq!(l.pe_count(4 << 20), 254);
        let s = l.slots();
        assert!(s[1] + l.slot_size <= l.pe_start);
        assert!(s[3] + l.slot_size <= l.tail_label);
    }

    #[test]
    fn the_first_and_last_mib_never_hold_both_copies() {
        let l = Layout::new(1 << 30, DEFAULT_MDA_SIZE).unwrap();
        let mib = 1 << 20;
        // Head slot B and tail slot A lie outside the first and the last MiB respectively.
        assert!(l.slots()[1] >= mib);
        assert!(l.slots()[2] + l.slot_size <= l.dev_size - mib);
    }

    #[test]
    fn small_devices_and_odd_sizes() {
        assert!(matches!(
            Layout::new(8 << 20, DEFAULT_MDA_SIZE),
            Err(LayoutError::TooSmall { .. })
        ));
        assert!(Layout::new(1 << 30, 100).is_err());
        let l = Layout::new((64 << 20) + 1000, 64 << 10).unwrap();
        assert_eq!(l.pe_start, 1 << 20);
        assert_eq!(l.tail_label % BLOCK, 0);
    }
}
