//! lvcreate, lvremove, lvextend/lvreduce/lvresize, lvrename and lvchange.
//!
//! Plain metadata changes run here through `meta`; what needs the engine between two
//! metadata steps (snapshot creation, removal of LVs an engine or another process may
//! hold) runs through the VG's host.

mod create;
mod remove;
mod resize;

use super::args::{Cmd, SizeArgs};
use super::units::{display_size, parse_extents, parse_size, parse_yes_no, Sign};
use super::{CliError, CliResult, Ctx};
use crate::meta::model::{Permission, Vg};
use crate::meta::ops::{self, Extents, LvChange};
use crate::meta::{devices, MetaError};
use std::collections::BTreeMap;
use std::io::Write;

/// Splits `VG/LV` (or `/dev/VG/LV`) into its parts.
pub fn parse_lv_spec(s: &str) -> (String, Option<String>) {
    let s = s.strip_prefix("/dev/").unwrap_or(s);
    match s.split_once('/') {
        Some((vg, lv)) if !lv.is_empty() => (vg.to_string(), Some(lv.to_string())),
        Some((vg, _)) => (vg.to_string(), None),
        None => (s.to_string(), None),
    }
}

pub(super) fn parse_permission(s: &str) -> Result<Permission, CliError> {
    match s {
        "r" => Ok(Permission::ReadOnly),
        "rw" => Ok(Permission::ReadWrite),
        _ => Err(CliError::Usage(format!(
            "Invalid argument for --permission: {s}"
        ))),
    }
}

/// PV indices of the named paths, for allocation restricted to them.
pub(super) fn pv_indices(vg: &Vg, paths: &[String]) -> Result<Option<Vec<usize>>, CliError> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for p in paths {
        let path = devices::canonical(std::path::Path::new(p))?;
        let i = vg
            .pvs
            .iter()
            .position(|pv| pv.device == path)
            .ok_or_else(|| {
                MetaError::Refused(format!(
                    "Physical Volume \"{p}\" not found in Volume Group \"{}\".",
                    vg.name
                ))
            })?;
        out.push(i);
    }
    Ok(Some(out))
}

/// A size request from `-L`/`-l`: the sign and either bytes or an extent spec.
pub(super) enum SizeReq {
    Bytes(Sign, u64),
    Extents(Sign, Extents),
}

pub(super) fn size_req(s: &SizeArgs) -> Result<SizeReq, CliError> {
    match (&s.size, &s.extents) {
        (Some(_), Some(_)) => Err(CliError::Usage(
            "Please specify either size or extents (not both).".into(),
        )),
        (None, None) => Err(CliError::Usage(
            "Please specify either size or extents.".into(),
        )),
        (Some(l), None) => {
            let (sign, b) = parse_size(l, 'm')?;
            Ok(SizeReq::Bytes(sign, b))
        }
        (None, Some(l)) => {
            let (sign, e) = parse_extents(l)?;
            Ok(SizeReq::Extents(sign, e))
        }
    }
}

/// Extents for `bytes`, rounded up to whole extents as LVM2 does (with its message).
pub(super) fn bytes_to_extents(vg: &Vg, bytes: u64, out: &mut dyn Write) -> Result<u64, CliError> {
    let n = bytes.div_ceil(vg.extent_size);
    if n * vg.extent_size != bytes {
        writeln!(
            out,
            "  Rounding up size to full physical extent {}",
            display_size(n * vg.extent_size)
        )?;
    }
    Ok(n)
}

pub fn run(cmd: Cmd, ctx: &Ctx<'_>, out: &mut dyn Write) -> CliResult {
    let env = ctx.env;
    match cmd {
        c @ Cmd::Lvcreate { .. } => create::lvcreate(ctx, c, out),
        Cmd::Lvremove { force, names, .. } => remove::lvremove(ctx, &force, &names, out),
        Cmd::Lvextend(r) => resize::resize(ctx, r, resize::Direction::Grow, out),
        Cmd::Lvreduce(r) => resize::resize(ctx, r, resize::Direction::Shrink, out),
        Cmd::Lvresize(r) => resize::resize(ctx, r, resize::Direction::Either, out),
        Cmd::Lvrename { args, .. } => {
            let (vg, old, new) = match args.as_slice() {
                [vg, old, new] => (vg.clone(), old.clone(), new.clone()),
                [a, b] => {
                    let (vg, old) = parse_lv_spec(a);
                    let (vg2, new) = parse_lv_spec(b);
                    match (old, new) {
                        (Some(old), Some(new)) if vg == vg2 => (vg, old, new),
                        (Some(old), None) => (vg, old, vg2),
                        (Some(_), Some(_)) => {
                            return Err(CliError::Usage(
                                "Logical volume names must have the same volume group".into(),
                            ))
                        }
                        _ => {
                            return Err(CliError::Usage(
                                "Old and new logical volume names required".into(),
                            ))
                        }
                    }
                }
                _ => {
                    return Err(CliError::Usage(
                        "Old and new logical volume names required".into(),
                    ))
                }
            };
            let mut txn = env.begin(&vg)?;
            ops::rename_lv(&mut txn.vg, &old, &new)?;
            txn.commit()?;
            writeln!(
                out,
                "  Renamed \"{old}\" to \"{new}\" in volume group \"{vg}\""
            )?;
            Ok(())
        }
        Cmd::Lvchange {
            activate,
            permission,
            set_skip,
            ignore_skip,
            addtag,
            deltag,
            refresh,
            names,
            ..
        } => {
            let change = LvChange {
                permission: permission.as_deref().map(parse_permission).transpose()?,
                active: activate
                    .as_deref()
                    .map(|a| parse_yes_no("--activate", a))
                    .transpose()?,
                activation_skip: set_skip
                    .as_deref()
                    .map(|a| parse_yes_no("--setactivationskip", a))
                    .transpose()?,
                add_tags: addtag,
                del_tags: deltag,
            };
            // Activation and --refresh resume recorded merges, as LVM2's activation does.
            let resume = refresh || change.active == Some(true);
            let mut by_vg: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
            for n in &names {
                let (vg, lv) = parse_lv_spec(n);
                by_vg.entry(vg).or_default().push(lv);
            }
            for (vg_name, lvs) in by_vg {
                let mut txn = env.begin(&vg_name)?;
                let targets: Vec<String> = if lvs.iter().any(Option::is_none) {
                    txn.vg.lvs.iter().map(|l| l.name.clone()).collect()
                } else {
                    lvs.into_iter().flatten().collect()
                };
                let mut changed = Vec::new();
                for lv in &targets {
                    let mut c = change.clone();
                    let skip = txn.vg.lv(lv).is_some_and(|l| l.activation_skip);
                    if c.active == Some(true)
                        && skip
                        && !ignore_skip
                        && change.activation_skip != Some(false)
                    {
                        c.active = None;
                    }
                    if ops::change_lv(&mut txn.vg, lv, &c)? {
                        changed.push(lv.clone());
                    }
                }
                let vg = txn.commit()?;
                if resume {
                    super::merge::resume_merges(ctx, &vg, Some(&targets));
                }
                let only_activation = change.permission.is_none()
                    && change.activation_skip.is_none()
                    && change.add_tags.is_empty()
                    && change.del_tags.is_empty();
                if !only_activation {
                    for lv in changed {
                        writeln!(out, "  Logical volume {vg_name}/{lv} changed.")?;
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
