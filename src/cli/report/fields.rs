//! The field table, row for row LVM2 2.03.16's lib/report/columns.h: section, value type,
//! heading, minimum width, name, getter and description. `-o`, `-O`, `-S`, `-o help` and
//! every output format are driven by it; a new field is one row.

use super::ctx::{Ctx, Key};
use super::values::{
    bin_false, bin_undef, empty, empty_list, lv, minus_one, pv, seg, undef_num, undef_pct, vg,
};

/// Writes a field's text for one row and returns how it sorts.
pub(super) type Getter = for<'a> fn(&Ctx<'a>, &mut String) -> Key<'a>;

/// LVM2's report object types; each field belongs to one, and `-o help` groups by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Lvs,
    LvsInfo,
    LvsStatus,
    LvsInfoStatus,
    Label,
    Pvs,
    Vgs,
    Segs,
    PvSegs,
}

impl Section {
    pub const ALL: [Section; 9] = [
        Section::Vgs,
        Section::Lvs,
        Section::LvsInfo,
        Section::LvsStatus,
        Section::LvsInfoStatus,
        Section::Pvs,
        Section::Label,
        Section::Segs,
        Section::PvSegs,
    ];

    /// The section's title in `-o help`.
    pub fn desc(self) -> &'static str {
        match self {
            Section::Vgs => "Volume Group",
            Section::Lvs => "Logical Volume",
            Section::LvsInfo => "Logical Volume Device Info",
            Section::LvsStatus => "Logical Volume Device Status",
            Section::LvsInfoStatus => "Logical Volume Device Info and Status Combined",
            Section::Pvs => "Physical Volume",
            Section::Label => "Physical Volume Label",
            Section::Segs => "Logical Volume Segment",
            Section::PvSegs => "Physical Volume Segment",
        }
    }

    /// The field-name prefix of the section (`lv_all`, `-o name` in lvs).
    pub fn prefix(self) -> &'static str {
        match self {
            Section::Vgs => "vg_",
            Section::Lvs | Section::LvsInfo | Section::LvsStatus | Section::LvsInfoStatus => "lv_",
            Section::Pvs | Section::Label => "pv_",
            Section::Segs => "seg_",
            Section::PvSegs => "pvseg_",
        }
    }

    /// The section as a bit of a report-type set.
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// Value types: they choose alignment, sorting and how `-S` parses values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VType {
    Str,
    /// Numbers, binary flags and signed numbers (LVM2's NUM, BIN, SNUM).
    Num,
    Size,
    Percent,
    Time,
    StrList,
}

impl VType {
    /// LVM2 right-aligns numbers and sizes and left-aligns everything else.
    pub fn right_aligned(self) -> bool {
        matches!(self, VType::Num | VType::Size)
    }
}

/// One row of the table.
pub(super) struct Field {
    pub section: Section,
    pub vtype: VType,
    pub heading: &'static str,
    /// Minimum column width: the table's width, or the heading's when the table says 0.
    pub width: usize,
    pub id: &'static str,
    pub get: Getter,
    pub desc: &'static str,
}

macro_rules! field {
    ($sec:ident, $vt:ident, $head:expr, $w:expr, $id:expr, $get:expr, $desc:expr) => {
        Field {
            section: Section::$sec,
            vtype: VType::$vt,
            heading: $head,
            width: if $w == 0 { $head.len() } else { $w },
            id: $id,
            get: $get,
            desc: $desc,
        }
    };
}

#[rustfmt::skip]
pub(super) static FIELDS: &[Field] = &[
    // Logical Volume fields.
    field!(Lvs, Str, "LV UUID", 38, "lv_uuid", lv::uuid, "Unique identifier."),
    field!(Lvs, Str, "LV", 4, "lv_name", lv::name, "Name.  LVs created for internal use are enclosed in brackets."),
    field!(Lvs, Str, "LV", 4, "lv_full_name", lv::full_name, "Full name of LV including its VG, namely VG/LV."),
    field!(Lvs, Str, "Path", 0, "lv_path", lv::path, "Full pathname for LV. Blank for internal LVs."),
    field!(Lvs, Str, "DMPath", 0, "lv_dm_path", lv::dm_path, "Internal device-mapper pathname for LV (in /dev/mapper directory)."),
    field!(Lvs, Str, "Parent", 0, "lv_parent", empty, "For LVs that are components of another LV, the parent LV."),
    field!(Lvs, StrList, "Layout", 10, "lv_layout", lv::layout, "LV layout."),
    field!(Lvs, StrList, "Role", 10, "lv_role", lv::role, "LV role."),
    field!(Lvs, Num, "InitImgSync", 10, "lv_initial_image_sync", bin_false, "Set if mirror/RAID images underwent initial resynchronization."),
    field!(Lvs, Num, "ImgSynced", 10, "lv_image_synced", bin_false, "Set if mirror/RAID image is synchronized."),
    field!(Lvs, Num, "Merging", 10, "lv_merging", lv::merging, "Set if snapshot LV is being merged to origin."),
    field!(Lvs, Num, "Converting", 0, "lv_converting", bin_false, "Set if LV is being converted."),
    field!(Lvs, Str, "AllocPol", 10, "lv_allocation_policy", lv::allocation_policy, "LV allocation policy."),
    field!(Lvs, Num, "AllocLock", 10, "lv_allocation_locked", bin_false, "Set if LV is locked against allocation changes."),
    field!(Lvs, Num, "FixMin", 10, "lv_fixed_minor", bin_false, "Set if LV has fixed minor number assigned."),
    field!(Lvs, Num, "SkipAct", 15, "lv_skip_activation", lv::skip_activation, "Set if LV is skipped on activation."),
    field!(Lvs, Num, "AutoAct", 0, "lv_autoactivation", lv::autoactivation, "Set if LV autoactivation is enabled."),
    field!(Lvs, Str, "WhenFull", 15, "lv_when_full", empty, "For thin pools, behavior when full."),
    field!(Lvs, Str, "Active", 0, "lv_active", lv::active, "Active state of the LV."),
    field!(Lvs, Num, "ActLocal", 10, "lv_active_locally", lv::active_locally, "Set if the LV is active locally."),
    field!(Lvs, Num, "ActRemote", 10, "lv_active_remotely", lv::active_remotely, "Set if the LV is active remotely."),
    field!(Lvs, Num, "ActExcl", 10, "lv_active_exclusively", lv::active_exclusively, "Set if the LV is active exclusively."),
    field!(Lvs, Num, "Maj", 0, "lv_major", minus_one, "Persistent major number or -1 if not persistent."),
    field!(Lvs, Num, "Min", 0, "lv_minor", minus_one, "Persistent minor number or -1 if not persistent."),
    field!(Lvs, Size, "Rahead", 0, "lv_read_ahead", lv::read_ahead, "Read ahead setting in current units."),
    field!(Lvs, Size, "LSize", 0, "lv_size", lv::size_field, "Size of LV in current units."),
    field!(Lvs, Size, "MSize", 0, "lv_metadata_size", undef_num, "For thin and cache pools, the size of the LV that holds the metadata."),
    field!(Lvs, Num, "#Seg", 0, "seg_count", lv::seg_count, "Number of segments in LV."),
    field!(Lvs, Str, "Origin", 0, "origin", lv::origin, "For snapshots and thins, the origin device of this LV."),
    field!(Lvs, Str, "Origin UUID", 38, "origin_uuid", lv::origin_uuid, "For snapshots and thins, the UUID of origin device of this LV."),
    field!(Lvs, Size, "OSize", 0, "origin_size", lv::origin_size, "For snapshots, the size of the origin device of this LV."),
    field!(Lvs, StrList, "Ancestors", 0, "lv_ancestors", lv::ancestors, "LV ancestors ignoring any stored history of the ancestry chain."),
    field!(Lvs, StrList, "FAncestors", 0, "lv_full_ancestors", lv::ancestors, "LV ancestors including stored history of the ancestry chain."),
    field!(Lvs, StrList, "Descendants", 0, "lv_descendants", lv::descendants, "LV descendants ignoring any stored history of the ancestry chain."),
    field!(Lvs, StrList, "FDescendants", 0, "lv_full_descendants", lv::descendants, "LV descendants including stored history of the ancestry chain."),
    field!(Lvs, Num, "Mismatches", 0, "raid_mismatch_count", undef_num, "For RAID, number of mismatches found or repaired."),
    field!(Lvs, Str, "SyncAction", 0, "raid_sync_action", empty, "For RAID, the current synchronization action being performed."),
    field!(Lvs, Num, "WBehind", 0, "raid_write_behind", undef_num, "For RAID1, the number of outstanding writes allowed to writemostly devices."),
    field!(Lvs, Num, "MinSync", 0, "raid_min_recovery_rate", undef_num, "For RAID1, the minimum recovery I/O load in kiB/sec/disk."),
    field!(Lvs, Num, "MaxSync", 0, "raid_max_recovery_rate", undef_num, "For RAID1, the maximum recovery I/O load in kiB/sec/disk."),
    field!(Lvs, Str, "IntegMode", 0, "raidintegritymode", empty, "The integrity mode"),
    field!(Lvs, Num, "IntegBlkSize", 0, "raidintegrityblocksize", minus_one, "The integrity block size"),
    field!(Lvs, Num, "IntegMismatches", 0, "integritymismatches", undef_num, "The number of integrity mismatches."),
    field!(Lvs, Str, "Move", 0, "move_pv", empty, "For pvmove, Source PV of temporary LV created by pvmove."),
    field!(Lvs, Str, "Move UUID", 38, "move_pv_uuid", empty, "For pvmove, the UUID of Source PV of temporary LV created by pvmove."),
    field!(Lvs, Str, "Convert", 0, "convert_lv", empty, "For lvconvert, Name of temporary LV created by lvconvert."),
    field!(Lvs, Str, "Convert UUID", 38, "convert_lv_uuid", empty, "For lvconvert, UUID of temporary LV created by lvconvert."),
    field!(Lvs, Str, "Log", 0, "mirror_log", empty, "For mirrors, the LV holding the synchronisation log."),
    field!(Lvs, Str, "Log UUID", 38, "mirror_log_uuid", empty, "For mirrors, the UUID of the LV holding the synchronisation log."),
    field!(Lvs, Str, "Data", 0, "data_lv", empty, "For cache/thin/vdo pools, the LV holding the associated data."),
    field!(Lvs, Str, "Data UUID", 38, "data_lv_uuid", empty, "For cache/thin/vdo pools, the UUID of the LV holding the associated data."),
    field!(Lvs, Str, "Meta", 0, "metadata_lv", empty, "For cache/thin pools, the LV holding the associated metadata."),
    field!(Lvs, Str, "Meta UUID", 38, "metadata_lv_uuid", empty, "For cache/thin pools, the UUID of the LV holding the associated metadata."),
    field!(Lvs, Str, "Pool", 0, "pool_lv", empty, "For cache/thin/vdo volumes, the cache/thin/vdo pool LV for this volume."),
    field!(Lvs, Str, "Pool UUID", 38, "pool_lv_uuid", empty, "For cache/thin/vdo volumes, the UUID of the cache/thin/vdo pool LV for this volume."),
    field!(Lvs, StrList, "LV Tags", 0, "lv_tags", lv::lv_tags, "Tags, if any."),
    field!(Lvs, Str, "LProfile", 0, "lv_profile", empty, "Configuration profile attached to this LV."),
    field!(Lvs, Str, "LLockArgs", 0, "lv_lockargs", empty, "Lock args of the LV used by lvmlockd."),
    field!(Lvs, Time, "CTime", 26, "lv_time", lv::time, "Creation time of the LV, if known"),
    field!(Lvs, Time, "RTime", 26, "lv_time_removed", lv::time_removed, "Removal time of the LV, if known"),
    field!(Lvs, Str, "Host", 10, "lv_host", lv::host, "Creation host of the LV, if known."),
    field!(Lvs, StrList, "Modules", 0, "lv_modules", lv::modules, "Kernel device-mapper modules required for this LV."),
    field!(Lvs, Num, "Historical", 0, "lv_historical", lv::historical, "Set if the LV is historical."),
    field!(Lvs, Num, "WCacheBlkSize", 0, "writecache_block_size", minus_one, "The writecache block size"),
    // Logical Volume Device Info fields.
    field!(LvsInfo, Num, "KMaj", 0, "lv_kernel_major", minus_one, "Currently assigned major number or -1 if LV is not active."),
    field!(LvsInfo, Num, "KMin", 0, "lv_kernel_minor", minus_one, "Currently assigned minor number or -1 if LV is not active."),
    field!(LvsInfo, Size, "KRahead", 0, "lv_kernel_read_ahead", minus_one, "Currently-in-use read ahead setting in current units."),
    field!(LvsInfo, Str, "LPerms", 8, "lv_permissions", lv::permissions, "LV permissions."),
    field!(LvsInfo, Num, "Suspended", 10, "lv_suspended", lv::suspended, "Set if LV is suspended."),
    field!(LvsInfo, Num, "LiveTable", 20, "lv_live_table", lv::live_table, "Set if LV has live table present."),
    field!(LvsInfo, Num, "InactiveTable", 20, "lv_inactive_table", lv::inactive_table, "Set if LV has inactive table present."),
    field!(LvsInfo, Num, "DevOpen", 10, "lv_device_open", lv::device_open, "Set if LV device is open."),
    // Logical Volume Device Status fields.
    field!(LvsStatus, Percent, "Data%", 6, "data_percent", lv::data_percent, "For snapshot, cache and thin pools and volumes, the percentage full if LV is active."),
    field!(LvsStatus, Percent, "Snap%", 6, "snap_percent", lv::data_percent, "For snapshots, the percentage full if LV is active."),
    field!(LvsStatus, Percent, "Meta%", 6, "metadata_percent", undef_pct, "For cache and thin pools, the percentage of metadata full if LV is active."),
    field!(LvsStatus, Percent, "Cpy%Sync", 0, "copy_percent", undef_pct, "For Cache, RAID, mirrors and pvmove, current percentage in-sync."),
    field!(LvsStatus, Percent, "Cpy%Sync", 0, "sync_percent", undef_pct, "For Cache, RAID, mirrors and pvmove, current percentage in-sync."),
    field!(LvsStatus, Num, "CacheTotalBlocks", 0, "cache_total_blocks", undef_num, "Total cache blocks."),
    field!(LvsStatus, Num, "CacheUsedBlocks", 16, "cache_used_blocks", undef_num, "Used cache blocks."),
    field!(LvsStatus, Num, "CacheDirtyBlocks", 0, "cache_dirty_blocks", undef_num, "Dirty cache blocks."),
    field!(LvsStatus, Num, "CacheReadHits", 16, "cache_read_hits", undef_num, "Cache read hits."),
    field!(LvsStatus, Num, "CacheReadMisses", 16, "cache_read_misses", undef_num, "Cache read misses."),
    field!(LvsStatus, Num, "CacheWriteHits", 16, "cache_write_hits", undef_num, "Cache write hits."),
    field!(LvsStatus, Num, "CacheWriteMisses", 0, "cache_write_misses", undef_num, "Cache write misses."),
    field!(LvsStatus, StrList, "KCacheSettings", 18, "kernel_cache_settings", empty_list, "Cache settings/parameters as set in kernel, including default values (cached segments only)."),
    field!(LvsStatus, Str, "KCachePolicy", 18, "kernel_cache_policy", empty, "Cache policy used in kernel."),
    field!(LvsStatus, Num, "KMFmt", 0, "kernel_metadata_format", undef_num, "Cache metadata format used in kernel."),
    field!(LvsStatus, Str, "Health", 15, "lv_health_status", lv::health, "LV health status."),
    field!(LvsStatus, Str, "KDiscards", 0, "kernel_discards", empty, "For thin pools, how discards are handled in kernel."),
    field!(LvsStatus, Num, "CheckNeeded", 15, "lv_check_needed", bin_undef, "For thin pools and cache volumes, whether metadata check is needed."),
    field!(LvsStatus, Num, "MergeFailed", 15, "lv_merge_failed", lv::merge_failed, "Set if snapshot merge failed."),
    field!(LvsStatus, Num, "SnapInvalid", 15, "lv_snapshot_invalid", lv::snapshot_invalid, "Set if snapshot LV is invalid."),
    field!(LvsStatus, Str, "VDOOperatingMode", 0, "vdo_operating_mode", empty, "For vdo pools, its current operating mode."),
    field!(LvsStatus, Str, "VDOCompressionState", 0, "vdo_compression_state", empty, "For vdo pools, whether compression is running."),
    field!(LvsStatus, Str, "VDOIndexState", 0, "vdo_index_state", empty, "For vdo pools, state of index for deduplication."),
    field!(LvsStatus, Num, "VDOUsedSize", 0, "vdo_used_size", undef_num, "For vdo pools, currently used space."),
    field!(LvsStatus, Num, "VDOSaving%", 0, "vdo_saving_percent", undef_num, "For vdo pools, percentage of saved space."),
    field!(LvsStatus, Num, "WCacheTotalBlocks", 0, "writecache_total_blocks", undef_num, "Total writecache blocks."),
    field!(LvsStatus, Num, "WCacheFreeBlocks", 0, "writecache_free_blocks", undef_num, "Total writecache free blocks."),
    field!(LvsStatus, Num, "WCacheWritebackBlocks", 0, "writecache_writeback_blocks", undef_num, "Total writecache writeback blocks."),
    field!(LvsStatus, Num, "WCacheErrors", 0, "writecache_error", undef_num, "Total writecache errors."),
    // Logical Volume Device Info and Status Combined fields.
    field!(LvsInfoStatus, Str, "Attr", 0, "lv_attr", lv::attr, "Various attributes - see man page."),
    // Physical Volume Label fields.
    field!(Label, Str, "Fmt", 0, "pv_fmt", pv::fmt, "Type of metadata."),
    field!(Label, Str, "PV UUID", 38, "pv_uuid", pv::uuid, "Unique identifier."),
    field!(Label, Size, "DevSize", 0, "dev_size", pv::dev_size, "Size of underlying device in current units."),
    field!(Label, Str, "PV", 10, "pv_name", pv::name, "Name."),
    field!(Label, Str, "Maj", 0, "pv_major", pv::major, "Device major number."),
    field!(Label, Str, "Min", 0, "pv_minor", pv::minor, "Device minor number."),
    field!(Label, Size, "PMdaFree", 9, "pv_mda_free", pv::mda_free, "Free metadata area space on this device in current units."),
    field!(Label, Size, "PMdaSize", 9, "pv_mda_size", pv::mda_size, "Size of smallest metadata area on this device in current units."),
    field!(Label, Num, "PExtVsn", 0, "pv_ext_vsn", pv::ext_vsn, "PV header extension version."),
    // Physical Volume fields.
    field!(Pvs, Num, "1st PE", 7, "pe_start", pv::pe_start, "Offset to the start of data on the underlying device."),
    field!(Pvs, Size, "PSize", 0, "pv_size", pv::pv_size, "Size of PV in current units."),
    field!(Pvs, Size, "PFree", 0, "pv_free", pv::pv_free, "Total amount of unallocated space in current units."),
    field!(Pvs, Size, "Used", 0, "pv_used", pv::pv_used, "Total amount of allocated space in current units."),
    field!(Pvs, Str, "Attr", 0, "pv_attr", pv::attr, "Various attributes - see man page."),
    field!(Pvs, Num, "Allocatable", 0, "pv_allocatable", pv::allocatable_field, "Set if this device can be used for allocation."),
    field!(Pvs, Num, "Exported", 10, "pv_exported", pv::exported, "Set if this device is exported."),
    field!(Pvs, Num, "Missing", 10, "pv_missing", pv::missing_field, "Set if this device is missing in system."),
    field!(Pvs, Num, "PE", 3, "pv_pe_count", pv::pe_count, "Total number of Physical Extents."),
    field!(Pvs, Num, "Alloc", 0, "pv_pe_alloc_count", pv::pe_alloc_count, "Total number of allocated Physical Extents."),
    field!(Pvs, StrList, "PV Tags", 0, "pv_tags", pv::pv_tags, "Tags, if any."),
    field!(Pvs, Num, "#PMda", 0, "pv_mda_count", pv::mda_count, "Number of metadata areas on this device."),
    field!(Pvs, Num, "#PMdaUse", 0, "pv_mda_used_count", pv::mda_count, "Number of metadata areas in use on this device."),
    field!(Pvs, Size, "BA Start", 0, "pv_ba_start", vg::zero_size, "Offset to the start of PV Bootloader Area on the underlying device in current units."),
    field!(Pvs, Size, "BA Size", 0, "pv_ba_size", vg::zero_size, "Size of PV Bootloader Area in current units."),
    field!(Pvs, Num, "PInUse", 0, "pv_in_use", pv::in_use, "Set if PV is used."),
    field!(Pvs, Num, "Duplicate", 0, "pv_duplicate", pv::duplicate, "Set if PV is an unchosen duplicate."),
    field!(Pvs, Str, "DeviceID", 0, "pv_device_id", empty, "Device ID such as the WWID."),
    field!(Pvs, Str, "DeviceIDType", 0, "pv_device_id_type", empty, "Type of device ID such as WWID."),
    // Volume Group fields.
    field!(Vgs, Str, "Fmt", 0, "vg_fmt", vg::fmt, "Type of metadata."),
    field!(Vgs, Str, "VG UUID", 38, "vg_uuid", vg::uuid, "Unique identifier."),
    field!(Vgs, Str, "VG", 0, "vg_name", vg::name, "Name."),
    field!(Vgs, Str, "Attr", 5, "vg_attr", vg::attr, "Various attributes - see man page."),
    field!(Vgs, Str, "VPerms", 10, "vg_permissions", vg::permissions, "VG permissions."),
    field!(Vgs, Num, "Extendable", 0, "vg_extendable", vg::extendable, "Set if VG is extendable."),
    field!(Vgs, Num, "Exported", 10, "vg_exported", vg::exported, "Set if VG is exported."),
    field!(Vgs, Num, "AutoAct", 0, "vg_autoactivation", vg::autoactivation, "Set if VG autoactivation is enabled."),
    field!(Vgs, Num, "Partial", 10, "vg_partial", vg::partial, "Set if VG is partial."),
    field!(Vgs, Str, "AllocPol", 10, "vg_allocation_policy", vg::allocation_policy, "VG allocation policy."),
    field!(Vgs, Num, "Clustered", 10, "vg_clustered", vg::clustered, "Set if VG is clustered."),
    field!(Vgs, Num, "Shared", 7, "vg_shared", vg::shared, "Set if VG is shared."),
    field!(Vgs, Size, "VSize", 0, "vg_size", vg::size_field, "Total size of VG in current units."),
    field!(Vgs, Size, "VFree", 0, "vg_free", vg::free, "Total amount of free space in current units."),
    field!(Vgs, Str, "SYS ID", 0, "vg_sysid", empty, "System ID of the VG indicating which host owns it."),
    field!(Vgs, Str, "System ID", 0, "vg_systemid", empty, "System ID of the VG indicating which host owns it."),
    field!(Vgs, Str, "LockType", 0, "vg_lock_type", empty, "Lock type of the VG used by lvmlockd."),
    field!(Vgs, Str, "VLockArgs", 0, "vg_lock_args", empty, "Lock args of the VG used by lvmlockd."),
    field!(Vgs, Size, "Ext", 0, "vg_extent_size", vg::extent_size, "Size of Physical Extents in current units."),
    field!(Vgs, Num, "#Ext", 0, "vg_extent_count", vg::extent_count, "Total number of Physical Extents."),
    field!(Vgs, Num, "Free", 0, "vg_free_count", vg::free_count, "Total number of unallocated Physical Extents."),
    field!(Vgs, Num, "MaxLV", 0, "max_lv", vg::max_lv, "Maximum number of LVs allowed in VG or 0 if unlimited."),
    field!(Vgs, Num, "MaxPV", 0, "max_pv", vg::max_pv, "Maximum number of PVs allowed in VG or 0 if unlimited."),
    field!(Vgs, Num, "#PV", 0, "pv_count", vg::pv_count, "Number of PVs in VG."),
    field!(Vgs, Num, "#PV Missing", 0, "vg_missing_pv_count", vg::missing_pv_count, "Number of PVs in VG which are missing."),
    field!(Vgs, Num, "#LV", 0, "lv_count", vg::lv_count, "Number of LVs."),
    field!(Vgs, Num, "#SN", 0, "snap_count", vg::snap_count, "Number of snapshots."),
    field!(Vgs, Num, "Seq", 0, "vg_seqno", vg::seqno, "Revision number of internal metadata.  Incremented whenever it changes."),
    field!(Vgs, StrList, "VG Tags", 0, "vg_tags", vg::vg_tags, "Tags, if any."),
    field!(Vgs, Str, "VProfile", 0, "vg_profile", empty, "Configuration profile attached to this VG."),
    field!(Vgs, Num, "#VMda", 0, "vg_mda_count", vg::mda_count, "Number of metadata areas on this VG."),
    field!(Vgs, Num, "#VMdaUse", 0, "vg_mda_used_count", vg::mda_count, "Number of metadata areas in use on this VG."),
    field!(Vgs, Size, "VMdaFree", 9, "vg_mda_free", vg::mda_free, "Free metadata area space for this VG in current units."),
    field!(Vgs, Size, "VMdaSize", 9, "vg_mda_size", vg::mda_size, "Size of smallest metadata area for this VG in current units."),
    field!(Vgs, Num, "#VMdaCps", 0, "vg_mda_copies", vg::mda_copies, "Target number of in use metadata areas in the VG."),
    // Logical Volume Segment fields.
    field!(Segs, Str, "Type", 0, "segtype", seg::segtype, "Type of LV segment."),
    field!(Segs, Num, "#Str", 0, "stripes", seg::stripes, "Number of stripes or mirror/raid1 legs."),
    field!(Segs, Num, "#DStr", 0, "data_stripes", seg::stripes, "Number of data stripes or mirror/raid1 legs."),
    field!(Segs, Size, "RSize", 0, "reshape_len", undef_num, "Size of out-of-place reshape space in current units."),
    field!(Segs, Num, "RSize", 0, "reshape_len_le", undef_num, "Size of out-of-place reshape space in logical extents."),
    field!(Segs, Num, "#Cpy", 0, "data_copies", seg::data_copies, "Number of data copies."),
    field!(Segs, Num, "DOff", 0, "data_offset", undef_num, "Data offset on each image device."),
    field!(Segs, Num, "NOff", 0, "new_data_offset", undef_num, "New data offset after any reshape on each image device."),
    field!(Segs, Num, "#Par", 0, "parity_chunks", seg::parity_chunks, "Number of (rotating) parity chunks."),
    field!(Segs, Size, "Stripe", 0, "stripe_size", vg::zero_size, "For stripes, amount of data placed on one device before switching to the next."),
    field!(Segs, Size, "Region", 0, "region_size", vg::zero_size, "For mirrors/raids, the unit of data per leg when synchronizing devices."),
    field!(Segs, Size, "Chunk", 0, "chunk_size", seg::chunk_size, "For snapshots, the unit of data used when tracking changes."),
    field!(Segs, Num, "#Thins", 0, "thin_count", undef_num, "For thin pools, the number of thin volumes in this pool."),
    field!(Segs, Str, "Discards", 0, "discards", empty, "For thin pools, how discards are handled."),
    field!(Segs, Num, "CMFmt", 0, "cache_metadata_format", undef_num, "For cache, metadata format in use."),
    field!(Segs, Str, "CacheMode", 0, "cache_mode", empty, "For cache, how writes are cached."),
    field!(Segs, Num, "Zero", 0, "zero", bin_undef, "For thin pools and volumes, if zeroing is enabled."),
    field!(Segs, Num, "TransId", 0, "transaction_id", undef_num, "For thin pools, the transaction id and creation transaction id for thins."),
    field!(Segs, Num, "ThId", 0, "thin_id", undef_num, "For thin volume, the thin device id."),
    field!(Segs, Size, "Start", 0, "seg_start", seg::start, "Offset within the LV to the start of the segment in current units."),
    field!(Segs, Num, "Start", 0, "seg_start_pe", seg::start_pe, "Offset within the LV to the start of the segment in physical extents."),
    field!(Segs, Size, "SSize", 0, "seg_size", seg::size_field, "Size of segment in current units."),
    field!(Segs, Size, "SSize", 0, "seg_size_pe", seg::size_pe, "Size of segment in physical extents."),
    field!(Segs, StrList, "Seg Tags", 0, "seg_tags", empty_list, "Tags, if any."),
    field!(Segs, StrList, "PE Ranges", 0, "seg_pe_ranges", seg::pe_ranges, "Ranges of Physical Extents of underlying devices in command line format (deprecated, use seg_le_ranges for common format)."),
    field!(Segs, StrList, "LE Ranges", 0, "seg_le_ranges", seg::pe_ranges, "Ranges of Logical Extents of underlying devices in command line format."),
    field!(Segs, StrList, "Metadata LE Ranges", 0, "seg_metadata_le_ranges", empty_list, "Ranges of Logical Extents of underlying metadata devices in command line format."),
    field!(Segs, StrList, "Devices", 0, "devices", seg::devices, "Underlying devices used with starting extent numbers."),
    field!(Segs, StrList, "Metadata Devs", 0, "metadata_devices", empty_list, "Underlying metadata devices used with starting extent numbers."),
    field!(Segs, Str, "Monitor", 0, "seg_monitor", empty, "Dmeventd monitoring status of the segment."),
    field!(Segs, Str, "CachePolicy", 0, "cache_policy", empty, "The cache policy (cached segments only)."),
    field!(Segs, StrList, "CacheSettings", 0, "cache_settings", empty_list, "Cache settings/parameters (cached segments only)."),
    field!(Segs, Num, "VDOCompression", 0, "vdo_compression", undef_num, "Set for compressed LV (vdopool)."),
    field!(Segs, Num, "VDODeduplication", 0, "vdo_deduplication", undef_num, "Set for deduplicated LV (vdopool)."),
    field!(Segs, Num, "VDOMetadataHints", 0, "vdo_use_metadata_hints", undef_num, "Use REQ_SYNC for writes (vdopool)."),
    field!(Segs, Num, "VDOMinimumIOSize", 0, "vdo_minimum_io_size", undef_num, "Minimum acceptable IO size (vdopool)."),
    field!(Segs, Size, "VDOBlockMapCacheSize", 0, "vdo_block_map_cache_size", undef_num, "Allocated caching size (vdopool)."),
    field!(Segs, Num, "VDOBlockMapEraLength", 0, "vdo_block_map_era_length", undef_num, "Speed of cache writes (vdopool)."),
    field!(Segs, Num, "VDOSparseIndex", 0, "vdo_use_sparse_index", undef_num, "Sparse indexing (vdopool)."),
    field!(Segs, Size, "VDOIndexMemorySize", 0, "vdo_index_memory_size", undef_num, "Allocated indexing memory (vdopool)."),
    field!(Segs, Size, "VDOSlabSize", 0, "vdo_slab_size", undef_num, "Increment size for growing (vdopool)."),
    field!(Segs, Num, "VDOAckThreads", 0, "vdo_ack_threads", undef_num, "Acknowledging threads (vdopool)."),
    field!(Segs, Num, "VDOBioThreads", 0, "vdo_bio_threads", undef_num, "IO submitting threads (vdopool)."),
    field!(Segs, Num, "VDOBioRotation", 0, "vdo_bio_rotation", undef_num, "IO enqueue (vdopool)."),
    field!(Segs, Num, "VDOCPUThreads", 0, "vdo_cpu_threads", undef_num, "CPU threads for compression and hashing (vdopool)."),
    field!(Segs, Num, "VDOHashZoneThreads", 0, "vdo_hash_zone_threads", undef_num, "Threads for subdivide parts (vdopool)."),
    field!(Segs, Num, "VDOLogicalThreads", 0, "vdo_logical_threads", undef_num, "Logical threads for subdivide parts (vdopool)."),
    field!(Segs, Num, "VDOPhysicalThreads", 0, "vdo_physical_threads", undef_num, "Physical threads for subdivide parts (vdopool)."),
    field!(Segs, Num, "VDOMaxDiscard", 0, "vdo_max_discard", undef_num, "Maximum discard size volume can recieve (vdopool)."),
    field!(Segs, Str, "VDOWritePolicy", 0, "vdo_write_policy", empty, "Specified write policy (vdopool)."),
    field!(Segs, Size, "VDOHeaderSize", 0, "vdo_header_size", undef_num, "Header size at front of vdopool."),
    // Physical Volume Segment fields.
    field!(PvSegs, Num, "Start", 0, "pvseg_start", pv::pvseg_start, "Physical Extent number of start of segment."),
    field!(PvSegs, Num, "SSize", 0, "pvseg_size", pv::pvseg_size, "Number of extents in segment."),
];
