//! The command-line grammar: one clap struct per LVM2 command, sharing the common flags.
//! Abbreviated long options (`--unit=g`, `--noheading`) come from `infer_long_args`.

use super::exports::args::{IscsiCmd, NbdCmd};
use super::report::ReportArgs;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;

/// Flags every command accepts, as LVM2's do.
#[derive(Debug, Clone, Default, Args)]
pub struct Common {
    /// More detail (repeatable).
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub verbose: u8,
    /// Less output (repeatable).
    #[arg(short = 'q', long = "quiet", action = ArgAction::Count)]
    pub quiet: u8,
    /// Debug output (accepted for compatibility).
    #[arg(short = 'd', long = "debug", action = ArgAction::Count)]
    pub debug: u8,
    /// Never write metadata, not even repairs.
    #[arg(long)]
    pub readonly: bool,
    /// Configuration in LVM2 syntax, overriding rvm.conf.
    #[arg(long = "config")]
    pub config: Option<String>,
    /// Accepted for compatibility; rvm has no lvmetad or lvmpolld.
    #[arg(long = "nolocking", hide = true)]
    pub nolocking: bool,
}

/// `-f` and `-y`, for the commands where LVM2 takes them.
#[derive(Debug, Clone, Default, Args)]
pub struct Force {
    /// Override checks (repeat for more force).
    #[arg(short = 'f', long = "force", action = ArgAction::Count)]
    pub force: u8,
    /// Answer yes to every prompt.
    #[arg(short = 'y', long = "yes")]
    pub yes: bool,
}

/// rvm: a logical volume manager with LVM2's commands.
#[derive(Debug, Parser)]
#[command(
    name = "rvm",
    infer_long_args = true,
    disable_version_flag = true,
    subcommand_required = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// Arguments of pvs, vgs and lvs.
#[derive(Debug, Clone, Args)]
pub struct ReportCmd {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Include hidden and orphan objects (accepted; rvm has no hidden LVs).
    #[arg(short = 'a', long = "all")]
    pub all: bool,
    /// Objects to report on (PV paths, VG names, or VG/LV).
    pub names: Vec<String>,
}

/// Arguments of the display commands.
#[derive(Debug, Clone, Args)]
pub struct DisplayCmd {
    #[command(flatten)]
    pub common: Common,
    /// Report options, for `-C` (and `--units` for the display text).
    #[command(flatten)]
    pub report: ReportArgs,
    /// Columns: print the report (`pvs`/`vgs`/`lvs`) instead.
    #[arg(short = 'C', long = "columns")]
    pub columns: bool,
    /// Include hidden LVs.
    #[arg(short = 'a', long = "all")]
    pub all: bool,
    /// Show the extent mapping.
    #[arg(short = 'm', long = "maps")]
    pub maps: bool,
    /// Colon-separated output (accepted).
    #[arg(short = 'c', long = "colon")]
    pub colon: bool,
    /// Short form.
    #[arg(short = 's', long = "short")]
    pub short: bool,
    pub names: Vec<String>,
}

/// Size arguments shared by lvcreate and the resize commands.
#[derive(Debug, Clone, Default, Args)]
pub struct SizeArgs {
    /// Size with a unit (binary; MiB when none), optionally prefixed by + or -.
    #[arg(short = 'L', long = "size", allow_hyphen_values = true)]
    pub size: Option<String>,
    /// Extents: N, N%VG, N%FREE, N%PVS, N%ORIGIN, optionally prefixed by + or -.
    #[arg(short = 'l', long = "extents", allow_hyphen_values = true)]
    pub extents: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Initialise PVs.
    Pvcreate {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        /// Give the PV this id (with --restorefile to replace a lost PV).
        #[arg(short = 'u', long = "uuid")]
        uuid: Option<String>,
        /// A VG backup naming the PV's id, whose data start is kept.
        #[arg(long = "restorefile")]
        restorefile: Option<PathBuf>,
        #[arg(long = "norestorefile")]
        norestorefile: bool,
        /// Size of each metadata area.
        #[arg(long = "metadatasize")]
        metadatasize: Option<String>,
        /// Accepted for LVM2 compatibility: rvm always keeps two areas.
        #[arg(long = "pvmetadatacopies")]
        pvmetadatacopies: Option<u32>,
        #[arg(long = "dataalignment")]
        dataalignment: Option<String>,
        #[arg(short = 'Z', long = "zero")]
        zero: Option<String>,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Wipe PV labels.
    Pvremove {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Report on PVs.
    Pvs(ReportCmd),
    /// Display PV attributes.
    Pvdisplay(DisplayCmd),
    /// List all PVs.
    Pvscan {
        #[command(flatten)]
        common: Common,
        #[arg(long = "cache")]
        cache: bool,
        #[arg(short = 's', long = "short")]
        short: bool,
        #[arg(short = 'e', long = "exported")]
        exported: bool,
        #[arg(short = 'n', long = "novolumegroup")]
        novolumegroup: bool,
    },
    /// Resize a PV after its device changed size.
    Pvresize {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        #[arg(long = "setphysicalvolumesize")]
        setphysicalvolumesize: Option<String>,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Check PV labels and metadata.
    Pvck {
        #[command(flatten)]
        common: Common,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Create a VG.
    Vgcreate {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        /// Extent size (binary units, MiB when none).
        #[arg(short = 's', long = "physicalextentsize")]
        extent_size: Option<String>,
        #[arg(long = "metadatasize")]
        metadatasize: Option<String>,
        #[arg(long = "pvmetadatacopies")]
        pvmetadatacopies: Option<u32>,
        #[arg(short = 'l', long = "maxlogicalvolumes")]
        max_lv: Option<u32>,
        #[arg(short = 'p', long = "maxphysicalvolumes")]
        max_pv: Option<u32>,
        #[arg(long = "addtag")]
        addtag: Vec<String>,
        #[arg(long = "alloc")]
        alloc: Option<String>,
        #[arg(short = 'Z', long = "zero")]
        zero: Option<String>,
        name: String,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Add PVs to a VG.
    Vgextend {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        #[arg(long = "metadatasize")]
        metadatasize: Option<String>,
        #[arg(long = "pvmetadatacopies")]
        pvmetadatacopies: Option<u32>,
        #[arg(short = 'Z', long = "zero")]
        zero: Option<String>,
        name: String,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Remove PVs from a VG.
    Vgreduce {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        /// Remove every unused PV.
        #[arg(short = 'a', long = "all")]
        all: bool,
        /// Remove PVs that are missing (and, with --force, LVs on them).
        #[arg(long = "removemissing")]
        removemissing: bool,
        #[arg(long = "mirrorsonly")]
        mirrorsonly: bool,
        name: String,
        paths: Vec<PathBuf>,
    },
    /// Remove VGs.
    Vgremove {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Rename a VG.
    Vgrename {
        #[command(flatten)]
        common: Common,
        old: String,
        new: String,
    },
    /// Report on VGs.
    Vgs(ReportCmd),
    /// Display VG attributes.
    Vgdisplay(DisplayCmd),
    /// Change VG attributes.
    Vgchange {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        #[arg(short = 'a', long = "activate")]
        activate: Option<String>,
        #[arg(short = 'x', long = "resizeable")]
        resizeable: Option<String>,
        #[arg(short = 'K', long = "ignoreactivationskip")]
        ignore_skip: bool,
        #[arg(long = "addtag")]
        addtag: Vec<String>,
        #[arg(long = "deltag")]
        deltag: Vec<String>,
        #[arg(short = 'l', long = "logicalvolume")]
        max_lv: Option<u32>,
        #[arg(short = 'p', long = "maxphysicalvolumes")]
        max_pv: Option<u32>,
        #[arg(long = "alloc")]
        alloc: Option<String>,
        #[arg(long = "refresh")]
        refresh: bool,
        names: Vec<String>,
    },
    /// Check VG metadata.
    Vgck {
        #[command(flatten)]
        common: Common,
        names: Vec<String>,
    },
    /// Back up VG metadata.
    Vgcfgbackup {
        #[command(flatten)]
        common: Common,
        /// Output file; `%s` is replaced by the VG name.
        #[arg(short = 'f', long = "file")]
        file: Option<String>,
        names: Vec<String>,
    },
    /// Restore VG metadata from a backup.
    Vgcfgrestore {
        #[command(flatten)]
        common: Common,
        #[arg(short = 'f', long = "file")]
        file: Option<PathBuf>,
        /// List the backups and archives of the VG.
        #[arg(short = 'l', long = "list")]
        list: bool,
        name: String,
    },
    /// Create an LV.
    Lvcreate {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        #[command(flatten)]
        size: SizeArgs,
        #[arg(short = 'n', long = "name")]
        name: Option<String>,
        #[arg(short = 's', long = "snapshot")]
        snapshot: bool,
        /// LV type: `linear` (or `striped` with one stripe); `snapshot` as `-s`.
        #[arg(long = "type")]
        lv_type: Option<String>,
        #[arg(short = 'c', long = "chunksize")]
        chunksize: Option<String>,
        #[arg(short = 'p', long = "permission")]
        permission: Option<String>,
        #[arg(short = 'a', long = "activate")]
        activate: Option<String>,
        #[arg(short = 'k', long = "setactivationskip")]
        set_skip: Option<String>,
        #[arg(short = 'K', long = "ignoreactivationskip")]
        ignore_skip: bool,
        #[arg(short = 'Z', long = "zero")]
        zero: Option<String>,
        #[arg(short = 'W', long = "wipesignatures")]
        wipe: Option<String>,
        #[arg(short = 'i', long = "stripes")]
        stripes: Option<u32>,
        #[arg(long = "addtag")]
        addtag: Vec<String>,
        #[arg(long = "alloc")]
        alloc: Option<String>,
        #[arg(short = 'C', long = "contiguous")]
        contiguous: Option<String>,
        #[arg(short = 'r', long = "readahead")]
        readahead: Option<String>,
        /// VG (or VG/LV, or origin VG/LV for snapshots), then PVs to allocate from.
        args: Vec<String>,
    },
    /// Remove LVs.
    Lvremove {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Grow an LV.
    Lvextend(ResizeCmd),
    /// Shrink an LV.
    Lvreduce(ResizeCmd),
    /// Grow or shrink an LV.
    Lvresize(ResizeCmd),
    /// Rename an LV.
    Lvrename {
        #[command(flatten)]
        common: Common,
        #[arg(required = true, num_args = 2..=3)]
        args: Vec<String>,
    },
    /// Change LV attributes.
    Lvchange {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        #[arg(short = 'a', long = "activate")]
        activate: Option<String>,
        #[arg(short = 'p', long = "permission")]
        permission: Option<String>,
        #[arg(short = 'k', long = "setactivationskip")]
        set_skip: Option<String>,
        #[arg(short = 'K', long = "ignoreactivationskip")]
        ignore_skip: bool,
        #[arg(long = "addtag")]
        addtag: Vec<String>,
        #[arg(long = "deltag")]
        deltag: Vec<String>,
        #[arg(long = "refresh")]
        refresh: bool,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Convert LVs: merge snapshots back into their origins.
    Lvconvert {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        force: Force,
        /// Merge each snapshot into its origin (also `--mergesnapshot`).
        #[arg(long = "merge", visible_alias = "mergesnapshot")]
        merge: bool,
        /// Seconds between progress lines while waiting for a merge.
        #[arg(short = 'i', long = "interval")]
        interval: Option<u64>,
        /// Start the merge and return; it finishes in a background process.
        #[arg(short = 'b', long = "background")]
        background: bool,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Finish a background operation (as LVM2's lvmpolld runs it): `--polloperation merge`.
    #[command(hide = true)]
    Lvpoll {
        #[command(flatten)]
        common: Common,
        #[arg(long = "polloperation")]
        polloperation: String,
        #[arg(short = 'i', long = "interval")]
        interval: Option<u64>,
        #[arg(long = "handlemissingpvs")]
        handlemissingpvs: bool,
        /// The origin whose merge to finish (VG/LV).
        name: String,
    },
    /// Copy between files and LVs (`VG/LV`; a path starting with `/` or `./` is a file),
    /// skipping holes, with a progress bar on a terminal.
    Copy {
        #[command(flatten)]
        common: Common,
        /// Source: a file or VG/LV.
        src: String,
        /// Destination: a file (created or truncated to the source's size) or VG/LV
        /// (never resized).
        dst: String,
    },
    /// Report on LVs.
    Lvs(ReportCmd),
    /// Display LV attributes.
    Lvdisplay(DisplayCmd),
    /// Export LVs over NBD (with or without `rvm serve` running).
    #[command(subcommand)]
    Nbd(NbdCmd),
    /// Export LVs over iSCSI: targets, LUNs, ACLs, CHAP (with or without `rvm serve`).
    #[command(subcommand)]
    Iscsi(IscsiCmd),
    /// The daemon: serve the configured exports over NBD and iSCSI until SIGTERM or
    /// SIGINT (SIGHUP re-reads exports.json); while it runs, rvm commands go through it.
    Serve {
        #[command(flatten)]
        common: Common,
        /// NBD listen address.
        #[arg(
            long = "nbd",
            value_name = "ADDR:PORT",
            default_value = "127.0.0.1:10809"
        )]
        nbd: String,
        /// iSCSI portal.
        #[arg(
            long = "iscsi",
            value_name = "ADDR:PORT",
            default_value = "0.0.0.0:3260"
        )]
        iscsi: String,
    },
    /// Print the version.
    Version {
        #[command(flatten)]
        common: Common,
    },
}

/// Arguments of lvextend, lvreduce and lvresize.
#[derive(Debug, Clone, Args)]
pub struct ResizeCmd {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub force: Force,
    #[command(flatten)]
    pub size: SizeArgs,
    /// Resize the filesystem too: not supported by rvm.
    #[arg(short = 'r', long = "resizefs")]
    pub resizefs: bool,
    #[arg(short = 'n', long = "nofsck")]
    pub nofsck: bool,
    #[arg(long = "alloc")]
    pub alloc: Option<String>,
    /// VG/LV, then PVs to allocate from.
    #[arg(required = true)]
    pub args: Vec<String>,
}

/// LVM2 command names rvm answers to when invoked through a symlink.
pub const COMMANDS: &[&str] = &[
    "pvcreate",
    "pvremove",
    "pvs",
    "pvdisplay",
    "pvscan",
    "pvresize",
    "pvck",
    "vgcreate",
    "vgextend",
    "vgreduce",
    "vgremove",
    "vgrename",
    "vgs",
    "vgdisplay",
    "vgchange",
    "vgck",
    "vgcfgbackup",
    "vgcfgrestore",
    "lvcreate",
    "lvremove",
    "lvextend",
    "lvreduce",
    "lvresize",
    "lvrename",
    "lvchange",
    "lvs",
    "lvdisplay",
    "lvconvert",
    "lvpoll",
];
