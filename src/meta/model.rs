//! The in-memory model of a volume group: what commands change and reports print.
//!
//! This is deliberately not the on-disk record (see `format::vg`): the model is free to
//! change shape, while the record's bytes are a contract. Conversion happens in one place.

use crate::format::id::Id;
use std::path::PathBuf;

/// LVM2's allocation policies; rvm honours `normal`, `anywhere` and `contiguous`, and keeps
/// the others so that reports round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllocPolicy {
    #[default]
    Inherit,
    Normal,
    Contiguous,
    Cling,
    Anywhere,
}

/// Read-write or read-only, as `lvchange -p` sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Permission {
    #[default]
    ReadWrite,
    ReadOnly,
}

/// A physical volume as a member of a VG.
#[derive(Debug, Clone, PartialEq)]
pub struct Pv {
    pub id: Id,
    /// Where the PV was last seen; a hint only, PVs are matched by `id` when scanning.
    pub device: PathBuf,
    /// Device size in bytes when last written.
    pub dev_size: u64,
    /// Byte offset of the first extent.
    pub pe_start: u64,
    /// Number of extents in the data area.
    pub pe_count: u64,
    /// False after `pvchange -x n`: no new extents are taken from this PV.
    pub allocatable: bool,
    /// Runtime only: the PV was not found when the VG was loaded.
    pub missing: bool,
    pub tags: Vec<String>,
}

/// A run of an LV's logical extents mapped onto one PV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// First logical extent of the LV that this segment maps.
    pub lv_start: u64,
    /// Number of extents.
    pub count: u64,
    /// Index into [`Vg::pvs`].
    pub pv: usize,
    /// First physical extent on that PV.
    pub pv_start: u64,
}

/// What role an LV plays besides holding data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LvKind {
    /// A plain linear volume (it becomes an origin when a snapshot names it).
    #[default]
    Linear,
    /// A copy-on-write snapshot; its own segments hold the exception store.
    Snapshot(SnapshotInfo),
}

/// The persistent description of a snapshot; live state (use, invalidity, merge progress)
/// is kept in its exception store header and read by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The origin LV's id.
    pub origin: Id,
    /// Copy-on-write granularity in bytes: a power of two from 4 KiB to 512 KiB.
    pub chunk_size: u64,
    /// Small per-VG number naming this snapshot's exception store, so that exceptions of one
    /// snapshot can point at a chunk another snapshot's store already holds.
    pub store_id: u32,
    /// `lvconvert --merge` has started; the origin reads as this snapshot until it finishes.
    pub merging: bool,
}

/// A logical volume.
#[derive(Debug, Clone, PartialEq)]
pub struct Lv {
    pub name: String,
    pub id: Id,
    pub permission: Permission,
    /// Activation state as `lvchange -a` sets it; rvm serves only active LVs.
    pub active: bool,
    /// `-k/--setactivationskip y`: skipped by `vgchange -ay` unless `-K` is given.
    pub activation_skip: bool,
    pub alloc: AllocPolicy,
    /// Seconds since the Unix epoch.
    pub creation_time: u64,
    pub creation_host: String,
    pub tags: Vec<String>,
    pub kind: LvKind,
    /// Sorted by `lv_start`, contiguous from extent 0.
    pub segments: Vec<Segment>,
}

impl Lv {
    /// Extents the LV occupies (for a snapshot: its exception store).
    pub fn extent_count(&self) -> u64 {
        self.segments.iter().map(|s| s.count).sum()
    }

    pub fn snapshot(&self) -> Option<&SnapshotInfo> {
        match &self.kind {
            LvKind::Snapshot(s) => Some(s),
            LvKind::Linear => None,
        }
    }
}

/// A volume group: PVs pooled into extents, carved into LVs.
#[derive(Debug, Clone, PartialEq)]
pub struct Vg {
    pub name: String,
    pub id: Id,
    /// Bumped by every commit; the copy with the highest verified seqno wins on load.
    pub seqno: u64,
    /// Extent size in bytes (default 4 MiB).
    pub extent_size: u64,
    /// False after `vgchange -x n`: PVs cannot be added or removed.
    pub resizeable: bool,
    /// 0 means unlimited, as in LVM2.
    pub max_lv: u32,
    pub max_pv: u32,
    pub alloc: AllocPolicy,
    pub creation_time: u64,
    pub creation_host: String,
    pub tags: Vec<String>,
    pub pvs: Vec<Pv>,
    pub lvs: Vec<Lv>,
}

impl Vg {
    pub fn lv(&self, name: &str) -> Option<&Lv> {
        self.lvs.iter().find(|lv| lv.name == name)
    }

    pub fn lv_by_id(&self, id: &Id) -> Option<&Lv> {
        self.lvs.iter().find(|lv| lv.id == *id)
    }

    /// Snapshots whose origin is `origin`, oldest first (the order they were created in).
    pub fn snapshots_of<'a>(&'a self, origin: &'a Id) -> impl Iterator<Item = &'a Lv> + 'a {
        self.lvs
            .iter()
            .filter(move |lv| lv.snapshot().is_some_and(|s| s.origin == *origin))
    }

    /// Total extents over all PVs.
    pub fn extent_count(&self) -> u64 {
        self.pvs.iter().map(|pv| pv.pe_count).sum()
    }

    /// The byte ranges of PVs that back an LV, in logical order.
    pub fn lv_map(&self, lv: &Lv) -> Vec<MapPiece> {
        lv.segments
            .iter()
            .map(|s| MapPiece {
                lv_offset: s.lv_start * self.extent_size,
                pv: s.pv,
                pv_offset: self.pvs[s.pv].pe_start + s.pv_start * self.extent_size,
                len: s.count * self.extent_size,
            })
            .collect()
    }
}

/// One contiguous byte range of an LV and where it lives; the engine builds volumes from
/// these so that it never needs to know about extents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapPiece {
    pub lv_offset: u64,
    /// Index into [`Vg::pvs`].
    pub pv: usize,
    pub pv_offset: u64,
    pub len: u64,
}

/// A PV that belongs to no VG (after pvcreate, or after vgreduce/vgremove).
#[derive(Debug, Clone, PartialEq)]
pub struct OrphanPv {
    pub id: Id,
    pub device: PathBuf,
    pub dev_size: u64,
    pub pe_start: u64,
}
