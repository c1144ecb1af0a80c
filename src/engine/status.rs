//! Snapshot status for reports: from a live engine, or cheaply from a store's header.

use super::core::Snap;
use super::host::EngineResult;
use super::linear::Piece;
use super::origin::Origin;
use super::store::read_header;
use crate::format::cow::{FLAG_INVALID, FLAG_MERGING};
use crate::format::id::Id;
use std::sync::atomic::Ordering;

/// What `lvs` shows of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotStatus {
    pub snapshot: Id,
    pub chunk_size: u64,
    /// Store size in chunks.
    pub store_chunks: u64,
    /// Chunks in use: header, log areas, own copies and borrowed copies.
    pub used_chunks: u64,
    /// Origin chunks with an exception.
    pub exceptions: u64,
    /// False after an overflow (lv_attr `I`).
    pub valid: bool,
    /// lv_attr `S`.
    pub merging: bool,
    pub merge_total: u64,
    pub merged: u64,
}

impl SnapshotStatus {
    /// LVM2's `data_percent`/`snap_percent` of a snapshot: store use. During a merge LVM2
    /// shows what is left to merge, which this follows.
    pub fn data_percent(&self) -> f64 {
        if !self.valid {
            return 100.0;
        }
        if self.store_chunks == 0 {
            return 0.0;
        }
        let used = if self.merging {
            let left = self.merge_total.saturating_sub(self.merged);
            self.used_chunks * left / self.merge_total.max(1)
        } else {
            self.used_chunks
        };
        used as f64 * 100.0 / self.store_chunks as f64
    }

    /// Merge progress in percent (100 when nothing is left).
    pub fn merge_percent(&self) -> f64 {
        if self.merge_total == 0 {
            return 100.0;
        }
        self.merged as f64 * 100.0 / self.merge_total as f64
    }
}

impl Snap {
    pub(crate) fn status(&self) -> SnapshotStatus {
        let (used, total) = self.store.usage();
        let h = self.store.header_state();
        SnapshotStatus {
            snapshot: self.id,
            chunk_size: self.chunk_size(),
            store_chunks: total,
            used_chunks: used,
            exceptions: self.table.len(),
            valid: self.is_valid(),
            merging: self.is_merging(),
            merge_total: h.merge_total,
            merged: self.merged.load(Ordering::Acquire),
        }
    }
}

impl Origin {
    /// A snapshot's live status.
    pub fn status(&self, id: &Id) -> Option<SnapshotStatus> {
        let st = self.core.state();
        st.snaps.iter().find(|s| s.id == *id).map(|s| s.status())
    }

    /// Every snapshot's live status, oldest first.
    pub fn statuses(&self) -> Vec<SnapshotStatus> {
        self.core.state().snaps.iter().map(|s| s.status()).collect()
    }
}

/// A snapshot's status from its store's header alone (two sectors), for reports when no
/// engine has the origin open. Use and merge progress are as of the last commit.
pub fn read_snapshot_status(snapshot: &Id, pieces: &[Piece]) -> EngineResult<SnapshotStatus> {
    let h = read_header(pieces, snapshot)?;
    let bytes: u64 = pieces.iter().map(|p| p.len).sum();
    Ok(SnapshotStatus {
        snapshot: *snapshot,
        chunk_size: h.chunk_size as u64,
        store_chunks: bytes / h.chunk_size as u64,
        used_chunks: h.used_chunks,
        exceptions: h.exceptions,
        valid: h.flags & FLAG_INVALID == 0,
        merging: h.flags & FLAG_MERGING != 0,
        merge_total: h.merge_total,
        merged: h.merged,
    })
}
