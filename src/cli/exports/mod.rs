//! `rvm nbd ...` and `rvm iscsi ...`: edit the export configuration
//! (`daemon::exports`), whether or not the daemon runs.
//!
//! Every change is made under the exports lock: load, check (the LV exists, names are well
//! formed and free), change, write durably, then tell the sink (a running daemon applies it
//! live). A refusal writes nothing. Command code keeps no process-global state, so the daemon
//! can run the same commands in-process with its own [`Ctx`].

pub mod args;
mod guard;
mod list;

pub use guard::ExportGuard;

use super::lv::parse_lv_spec;
use super::{CliError, CliResult, Ctx};
use crate::daemon::exports::model::{split_volume, FoundLv};
use crate::daemon::exports::resolve::{current_name, pin_ids};
use crate::daemon::exports::{ExportConfig, ExportError, ExportStore, ExportTxn};
use crate::iscsi::config::{normalize_name, ChapAuth, ChapUser, ConfigError, ACL_ALL, DISCOVERY};
use crate::meta::model::Vg;
use crate::meta::MetaError;
use args::{AclCmd, IscsiCmd, LunCmd, NbdCmd, TargetCmd};
use std::io::Write;

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> CliError {
        CliError::Exports(e.into())
    }
}

/// Writes a committed change and tells the sink. A sink that fails leaves the change saved
/// (it is served at the daemon's next start) and the user warned.
fn commit(ctx: &Ctx<'_>, txn: &mut ExportTxn) -> Result<(), ExportError> {
    let before = txn.before().clone();
    if txn.commit()? {
        if let Err(e) = ctx.exports.exports_changed(&before, &txn.config) {
            ctx.env.warn(format!(
                "WARNING: The change is saved, but the running daemon did not apply it: {e}"
            ));
        }
    }
    Ok(())
}

/// A change that names no LV.
fn edit<T>(
    ctx: &Ctx<'_>,
    change: impl FnOnce(&mut ExportConfig) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let mut txn = ExportStore::of(ctx.env).begin()?;
    let t = change(&mut txn.config)?;
    commit(ctx, &mut txn)?;
    Ok(t)
}

/// A change that names LVs: they are looked up in the VGs as they are now (under the
/// exports lock, which comes before the VG locks), and entries still lacking an LV id get it.
fn edit_with_lvs<T>(
    ctx: &Ctx<'_>,
    change: impl FnOnce(&mut ExportConfig, &[Vg]) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let mut txn = ExportStore::of(ctx.env).begin()?;
    let view = ctx.env.read_all()?;
    let t = change(&mut txn.config, &view.vgs)?;
    pin_ids(&mut txn.config, &view.vgs);
    commit(ctx, &mut txn)?;
    Ok(t)
}

/// The LV `spec` (`VG/LV` or `/dev/VG/LV`) names, or LVM2's words for why there is none.
fn find_lv(vgs: &[Vg], spec: &str) -> Result<FoundLv, CliError> {
    let (vg_name, lv_name) = parse_lv_spec(spec);
    let lv_name = lv_name.ok_or_else(|| ExportError::BadVolume(spec.to_string()))?;
    split_volume(&format!("{vg_name}/{lv_name}"))?;
    let vg = vgs
        .iter()
        .find(|v| v.name == vg_name)
        .ok_or_else(|| MetaError::VgNotFound(vg_name.clone()))?;
    let lv = vg.lv(&lv_name).ok_or(MetaError::LvNotFound {
        vg: vg_name,
        lv: lv_name,
    })?;
    Ok(FoundLv {
        volume: current_name(vg, lv),
        id: lv.id,
    })
}

/// Runs `rvm nbd ...`.
pub fn nbd(cmd: NbdCmd, ctx: &Ctx<'_>, out: &mut dyn Write) -> CliResult {
    match cmd {
        NbdCmd::Export {
            volume,
            name,
            readonly,
            ..
        } => {
            let (name, lv) = edit_with_lvs(ctx, |c, vgs| {
                let lv = find_lv(vgs, &volume)?;
                Ok((c.nbd_export(&lv, name.as_deref(), readonly)?, lv))
            })?;
            let ro = if readonly { " (read-only)" } else { "" };
            writeln!(
                out,
                "  NBD export \"{name}\" created for {}{ro}.",
                lv.volume
            )?;
        }
        NbdCmd::Unexport { name, .. } => {
            edit(ctx, |c| Ok(c.nbd_unexport(&name)?))?;
            writeln!(out, "  NBD export \"{name}\" removed.")?;
        }
        NbdCmd::List { .. } => list::nbd(ctx, out)?,
    }
    Ok(())
}

/// The CHAP settings of `rvm iscsi auth`; `None` for `--none` (clap enforces the rest).
fn chap(
    user: Option<String>,
    password: Option<String>,
    mutual_user: Option<String>,
    mutual_password: Option<String>,
) -> Option<ChapAuth> {
    let initiator = ChapUser {
        user: user?,
        password: password.unwrap_or_default(),
    };
    let mutual = mutual_user.map(|user| ChapUser {
        user,
        password: mutual_password.unwrap_or_default(),
    });
    Some(ChapAuth { initiator, mutual })
}

/// An ACL entry as stored (`ALL`, or the lowercased IQN), for messages.
fn acl_entry(initiator: &str) -> String {
    if initiator.eq_ignore_ascii_case(ACL_ALL) {
        ACL_ALL.to_string()
    } else {
        normalize_name(initiator).unwrap_or_else(|_| initiator.to_string())
    }
}

/// Runs `rvm iscsi ...`.
pub fn iscsi(cmd: IscsiCmd, ctx: &Ctx<'_>, out: &mut dyn Write) -> CliResult {
    match cmd {
        IscsiCmd::Target(TargetCmd::Create { iqn, .. }) => {
            let name = edit(ctx, |c| Ok(c.iscsi.create_target(&iqn)?))?;
            writeln!(out, "  Target {name} created.")?;
        }
        IscsiCmd::Target(TargetCmd::Delete { iqn, .. }) => {
            let name = edit(ctx, |c| {
                c.iscsi.delete_target(&iqn)?;
                Ok(normalize_name(&iqn)?)
            })?;
            writeln!(out, "  Target {name} deleted.")?;
        }
        IscsiCmd::Lun(LunCmd::Add {
            iqn, volume, lun, ..
        }) => {
            let (target, n, lv) = edit_with_lvs(ctx, |c, vgs| {
                // The target's own errors (a bad or unknown IQN) come before the LV's.
                c.iscsi.target(&iqn)?;
                let lv = find_lv(vgs, &volume)?;
                let (target, n) = c.lun_add(&iqn, &lv, lun)?;
                Ok((target, n, lv))
            })?;
            writeln!(
                out,
                "  LUN {n} of target {target} created for {}.",
                lv.volume
            )?;
        }
        IscsiCmd::Lun(LunCmd::Remove { iqn, lun, .. }) => {
            let target = edit(ctx, |c| {
                c.iscsi.remove_lun(&iqn, lun)?;
                Ok(normalize_name(&iqn)?)
            })?;
            writeln!(out, "  LUN {lun} of target {target} removed.")?;
        }
        IscsiCmd::Acl(AclCmd::Add { iqn, initiator, .. }) => {
            let target = edit(ctx, |c| {
                c.iscsi.acl_add(&iqn, &initiator)?;
                Ok(normalize_name(&iqn)?)
            })?;
            let entry = acl_entry(&initiator);
            writeln!(out, "  ACL entry {entry} added to target {target}.")?;
        }
        IscsiCmd::Acl(AclCmd::Remove { iqn, initiator, .. }) => {
            let target = edit(ctx, |c| {
                c.iscsi.acl_remove(&iqn, &initiator)?;
                Ok(normalize_name(&iqn)?)
            })?;
            let entry = acl_entry(&initiator);
            writeln!(out, "  ACL entry {entry} removed from target {target}.")?;
        }
        IscsiCmd::Auth {
            target,
            user,
            password,
            mutual_user,
            mutual_password,
            ..
        } => {
            let auth = chap(user, password, mutual_user, mutual_password);
            let what = match auth.as_ref().map(|a| a.mutual.is_some()) {
                None => "Authentication disabled",
                Some(false) => "CHAP authentication set",
                Some(true) => "Mutual CHAP authentication set",
            };
            let whom = edit(ctx, |c| {
                c.iscsi.set_auth(&target, auth)?;
                if target == DISCOVERY {
                    Ok("discovery sessions".to_string())
                } else {
                    Ok(format!("target {}", normalize_name(&target)?))
                }
            })?;
            writeln!(out, "  {what} for {whom}.")?;
        }
        IscsiCmd::List { .. } => list::iscsi(ctx, out)?,
    }
    Ok(())
}
