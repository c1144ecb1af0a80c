//! The grammar of `rvm nbd ...` and `rvm iscsi ...` (brief §2, "Export configuration").

use crate::cli::args::Common;
use clap::{ArgAction, ArgGroup, Args, Subcommand};

/// The common flags of export commands. `--readonly` is not among them: on
/// `rvm nbd export` it makes the export read-only.
#[derive(Debug, Clone, Default, Args)]
pub struct ExportCommon {
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub verbose: u8,
    #[arg(short = 'q', long = "quiet", action = ArgAction::Count)]
    pub quiet: u8,
    #[arg(short = 'd', long = "debug", action = ArgAction::Count)]
    pub debug: u8,
    /// Configuration in LVM2 syntax, overriding rvm.conf.
    #[arg(long = "config")]
    pub config: Option<String>,
}

impl ExportCommon {
    /// As the flags every command has.
    pub fn common(&self) -> Common {
        Common {
            verbose: self.verbose,
            quiet: self.quiet,
            debug: self.debug,
            readonly: false,
            config: self.config.clone(),
            nolocking: false,
        }
    }
}

/// `rvm nbd ...`.
#[derive(Debug, Subcommand)]
pub enum NbdCmd {
    /// Serve an LV over NBD; the export name defaults to VG/LV.
    Export {
        #[command(flatten)]
        common: ExportCommon,
        /// The LV, as VG/LV.
        volume: String,
        /// The name clients ask for.
        #[arg(long = "name")]
        name: Option<String>,
        /// Refuse writes.
        #[arg(long = "readonly")]
        readonly: bool,
    },
    /// Stop serving an NBD export.
    Unexport {
        #[command(flatten)]
        common: ExportCommon,
        name: String,
    },
    /// List the NBD exports.
    List {
        #[command(flatten)]
        common: ExportCommon,
    },
}

/// `rvm iscsi ...`.
#[derive(Debug, Subcommand)]
pub enum IscsiCmd {
    /// Create or delete targets.
    #[command(subcommand)]
    Target(TargetCmd),
    /// Map LVs as LUNs of a target.
    #[command(subcommand)]
    Lun(LunCmd),
    /// Allow or disallow initiators (a target with no ACL entry admits nobody).
    #[command(subcommand)]
    Acl(AclCmd),
    /// Set CHAP for a target, or for discovery with the target name `discovery`.
    #[command(group(ArgGroup::new("method").required(true).args(["user", "none"])))]
    Auth {
        #[command(flatten)]
        common: ExportCommon,
        /// The target's IQN, or `discovery`.
        target: String,
        /// CHAP user the initiator logs in as.
        #[arg(long = "user", requires = "password")]
        user: Option<String>,
        /// CHAP secret of the initiator (12 to 255 bytes).
        #[arg(long = "password", requires = "user")]
        password: Option<String>,
        /// Mutual CHAP: the user the target answers as.
        #[arg(long = "mutual-user", requires_all = ["mutual_password", "user"])]
        mutual_user: Option<String>,
        /// Mutual CHAP: the target's secret (different from the initiator's).
        #[arg(long = "mutual-password", requires = "mutual_user")]
        mutual_password: Option<String>,
        /// No authentication.
        #[arg(long = "none", conflicts_with_all = ["user", "password", "mutual_user", "mutual_password"])]
        none: bool,
    },
    /// Print the targets as a tree, the way `targetcli ls` does.
    List {
        #[command(flatten)]
        common: ExportCommon,
    },
}

#[derive(Debug, Subcommand)]
pub enum TargetCmd {
    /// Create a target.
    Create {
        #[command(flatten)]
        common: ExportCommon,
        iqn: String,
    },
    /// Delete a target with its LUNs, ACL and CHAP settings.
    Delete {
        #[command(flatten)]
        common: ExportCommon,
        iqn: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LunCmd {
    /// Map an LV as a LUN (the lowest free number unless --lun is given).
    Add {
        #[command(flatten)]
        common: ExportCommon,
        iqn: String,
        /// The LV, as VG/LV.
        volume: String,
        #[arg(long = "lun")]
        lun: Option<u64>,
    },
    /// Unmap a LUN.
    Remove {
        #[command(flatten)]
        common: ExportCommon,
        iqn: String,
        lun: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AclCmd {
    /// Allow an initiator IQN, or ALL.
    Add {
        #[command(flatten)]
        common: ExportCommon,
        iqn: String,
        initiator: String,
    },
    /// Disallow an initiator IQN, or ALL.
    Remove {
        #[command(flatten)]
        common: ExportCommon,
        iqn: String,
        initiator: String,
    },
}

impl NbdCmd {
    pub fn common(&self) -> &ExportCommon {
        match self {
            NbdCmd::Export { common, .. }
            | NbdCmd::Unexport { common, .. }
            | NbdCmd::List { common } => common,
        }
    }
}

impl IscsiCmd {
    pub fn common(&self) -> &ExportCommon {
        match self {
            IscsiCmd::Target(
                TargetCmd::Create { common, .. } | TargetCmd::Delete { common, .. },
            )
            | IscsiCmd::Lun(LunCmd::Add { common, .. } | LunCmd::Remove { common, .. })
            | IscsiCmd::Acl(AclCmd::Add { common, .. } | AclCmd::Remove { common, .. })
            | IscsiCmd::Auth { common, .. }
            | IscsiCmd::List { common } => common,
        }
    }
}
