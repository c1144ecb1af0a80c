//! lvcreate, lvremove, lvextend/lvreduce/lvresize, lvrename and lvchange.

use super::args::{Cmd, ResizeCmd, SizeArgs};
use super::exports::ExportGuard;
use super::units::{display_size, parse_extents, parse_size, parse_yes_no, Sign};
use super::vg::alloc_policy;
use super::{confirm, CliError, CliResult, Ctx};
use crate::meta::model::{AllocPolicy, LvKind, Permission, Vg};
use crate::meta::ops::{self, resolve_extents, Extents, LvChange, NewLv};
use crate::meta::store::{hostname, now};
use crate::meta::{devices, Env, MetaError};
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

fn parse_permission(s: &str) -> Result<Permission, CliError> {
    match s {
        "r" => Ok(Permission::ReadOnly),
        "rw" => Ok(Permission::ReadWrite),
        _ => Err(CliError::Usage(format!(
            "Invalid argument for --permission: {s}"
        ))),
    }
}

/// PV indices of the named paths, for allocation restricted to them.
fn pv_indices(vg: &Vg, paths: &[String]) -> Result<Option<Vec<usize>>, CliError> {
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
enum SizeReq {
    Bytes(Sign, u64),
    Extents(Sign, Extents),
}

fn size_req(s: &SizeArgs) -> Result<SizeReq, CliError> {
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
fn bytes_to_extents(vg: &Vg, bytes: u64, out: &mut dyn Write) -> Result<u64, CliError> {
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
        Cmd::Lvcreate {
            size,
            name,
            snapshot,
            lv_type,
            permission,
            activate,
            set_skip,
            ignore_skip: _,
            zero,
            wipe,
            stripes,
            addtag,
            alloc,
            contiguous,
            args,
            ..
        } => {
            let snapshot = snapshot || lv_type.as_deref() == Some("snapshot");
            match lv_type.as_deref() {
                None | Some("linear") | Some("striped") | Some("snapshot") => {}
                Some(t) => {
                    return Err(CliError::Usage(format!(
                        "rvm does not support LV type {t}: only linear LVs and snapshots."
                    )))
                }
            }
            if snapshot {
                return Err(CliError::Usage(
                    "Snapshots are not supported by this rvm yet.".into(),
                ));
            }
            if stripes.is_some_and(|s| s > 1) {
                return Err(CliError::Usage(
                    "rvm makes linear LVs only (no --stripes).".into(),
                ));
            }
            for (opt, v) in [("--zero", &zero), ("--wipesignatures", &wipe)] {
                if let Some(v) = v {
                    parse_yes_no(opt, v)?;
                }
            }
            let req = size_req(&size)?;
            let (mut vg_name, mut lv_name) = match args.first() {
                Some(a) => parse_lv_spec(a),
                None => (String::new(), None),
            };
            if let Some(n) = &name {
                let (v, l) = parse_lv_spec(n);
                match l {
                    Some(l) => {
                        if !vg_name.is_empty() && vg_name != v {
                            return Err(CliError::Usage(format!(
                                "Inconsistent volume group names given: \"{v}\" and \"{vg_name}\""
                            )));
                        }
                        vg_name = v;
                        lv_name = Some(l);
                    }
                    None => lv_name = Some(v),
                }
            }
            if vg_name.is_empty() {
                return Err(CliError::Usage("Please provide a volume group name".into()));
            }
            let mut policy = alloc_policy(&alloc)?.unwrap_or_default();
            if let Some(c) = &contiguous {
                if parse_yes_no("--contiguous", c)? {
                    policy = AllocPolicy::Contiguous;
                }
            }
            let perm = permission.as_deref().map(parse_permission).transpose()?;
            let active = activate
                .as_deref()
                .map(|a| parse_yes_no("--activate", a))
                .transpose()?;
            let skip = set_skip
                .as_deref()
                .map(|a| parse_yes_no("--setactivationskip", a))
                .transpose()?;
            let mut txn = env.begin(&vg_name)?;
            if txn.has_missing() {
                return Err(MetaError::MissingPvs(vg_name).into());
            }
            let allowed = pv_indices(&txn.vg, args.get(1..).unwrap_or(&[]))?;
            let usable = crate::meta::alloc::usable_pvs(&txn.vg, allowed.as_deref());
            let extents = match req {
                SizeReq::Bytes(Sign::Absolute, b) => bytes_to_extents(&txn.vg, b, out)?,
                SizeReq::Extents(Sign::Absolute, e) => resolve_extents(&txn.vg, e, &usable, None)?,
                _ => {
                    return Err(CliError::Usage(
                        "Size may not be signed for lvcreate.".into(),
                    ))
                }
            };
            let name = match lv_name {
                Some(n) => n,
                None => (0..)
                    .map(|i| format!("lvol{i}"))
                    .find(|n| txn.vg.lv(n).is_none())
                    .unwrap_or_default(),
            };
            ops::create_lv(
                &mut txn.vg,
                NewLv {
                    name: name.clone(),
                    extents,
                    allowed_pvs: allowed,
                    alloc: policy,
                    permission: perm.unwrap_or_default(),
                    active: active.unwrap_or(true),
                    activation_skip: skip.unwrap_or(false),
                    tags: addtag,
                    creation_time: now(),
                    creation_host: hostname(),
                    kind: LvKind::Linear,
                },
            )?;
            txn.commit()?;
            writeln!(out, "  Logical volume \"{name}\" created.")?;
            Ok(())
        }
        Cmd::Lvremove { force, names, .. } => {
            let mut by_vg: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
            for n in &names {
                let (vg, lv) = parse_lv_spec(n);
                by_vg.entry(vg).or_default().push(lv);
            }
            let sure = force.force > 0 || force.yes;
            // Before any VG lock: exported LVs are refused, or with -f unexported first.
            let mut exports = ExportGuard::take(ctx)?;
            for (vg_name, lvs) in by_vg {
                let mut txn = env.begin(&vg_name)?;
                let targets: Vec<String> = if lvs.iter().any(Option::is_none) {
                    txn.vg.lvs.iter().map(|l| l.name.clone()).collect()
                } else {
                    lvs.into_iter().flatten().collect()
                };
                let mut removed: Vec<crate::meta::model::Lv> = Vec::new();
                for lv in targets {
                    // Already gone with its origin.
                    if removed.iter().any(|r| r.name == lv) {
                        continue;
                    }
                    let l = txn.vg.lv(&lv).ok_or_else(|| MetaError::LvNotFound {
                        vg: vg_name.clone(),
                        lv: lv.clone(),
                    })?;
                    // Exported LVs are refused before any question is asked.
                    let family: Vec<&crate::meta::model::Lv> = std::iter::once(l)
                        .chain(txn.vg.snapshots_of(&l.id))
                        .collect();
                    exports.check(&txn.vg, &family, force.force > 0)?;
                    if l.active
                        && !confirm(
                            &format!("Do you really want to remove active logical volume {vg_name}/{lv}?"),
                            sure,
                        )
                    {
                        return Err(CliError::Usage(format!("Logical volume \"{lv}\" not removed.")));
                    }
                    let snaps = txn.vg.snapshots_of(&l.id).count();
                    let with_snaps = snaps > 0
                        && confirm(
                            &format!("Removing origin {lv} will also remove {snaps} snapshots(s). Proceed?"),
                            sure,
                        );
                    removed.extend(ops::remove_lv(&mut txn.vg, &lv, with_snaps)?);
                }
                // A removal that cannot commit must not unexport anything.
                txn.check_writable()?;
                let gone: Vec<&crate::meta::model::Lv> = removed.iter().collect();
                let unexported = exports.release(txn.before(), &gone, force.force > 0)?;
                if let Err(e) = txn.commit() {
                    exports.undo_or_warn();
                    return Err(e.into());
                }
                for line in unexported {
                    writeln!(out, "{line}")?;
                }
                for lv in removed {
                    writeln!(
                        out,
                        "  Logical volume \"{}\" successfully removed.",
                        lv.name
                    )?;
                }
            }
            Ok(())
        }
        Cmd::Lvextend(r) => resize(env, r, Direction::Grow, out),
        Cmd::Lvreduce(r) => resize(env, r, Direction::Shrink, out),
        Cmd::Lvresize(r) => resize(env, r, Direction::Either, out),
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
                txn.commit()?;
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Grow,
    Shrink,
    Either,
}

fn resize(env: &Env, r: ResizeCmd, dir: Direction, out: &mut dyn Write) -> CliResult {
    if r.resizefs {
        return Err(CliError::Usage(
            "rvm cannot resize file systems (--resizefs): resize the file system separately."
                .into(),
        ));
    }
    let req = size_req(&r.size)?;
    let (vg_name, lv) = parse_lv_spec(&r.args[0]);
    let lv = lv.ok_or_else(|| {
        CliError::Usage(format!(
            "Please specify a logical volume path: {}",
            r.args[0]
        ))
    })?;
    let policy = alloc_policy(&r.alloc)?.unwrap_or_default();
    let mut txn = env.begin(&vg_name)?;
    let l = txn.vg.lv(&lv).ok_or_else(|| MetaError::LvNotFound {
        vg: vg_name.clone(),
        lv: lv.clone(),
    })?;
    let old = l.extent_count();
    let origin_extents = l
        .snapshot()
        .and_then(|s| txn.vg.lv_by_id(&s.origin))
        .map(|o| o.extent_count());
    let has_snaps = txn.vg.snapshots_of(&l.id).next().is_some();
    let allowed = pv_indices(&txn.vg, &r.args[1..])?;
    let usable = crate::meta::alloc::usable_pvs(&txn.vg, allowed.as_deref());
    let (sign, n) = match req {
        SizeReq::Bytes(sign, b) => (sign, bytes_to_extents(&txn.vg, b, out)?),
        SizeReq::Extents(sign, e) => (sign, resolve_extents(&txn.vg, e, &usable, origin_extents)?),
    };
    let new = match sign {
        Sign::Absolute => n,
        Sign::Plus => old.saturating_add(n),
        Sign::Minus => old.saturating_sub(n),
    };
    let es = txn.vg.extent_size;
    match dir {
        Direction::Grow if new <= old => {
            return Err(CliError::Usage(format!(
                "New size given ({new} extents) not larger than existing size ({old} extents)"
            )))
        }
        Direction::Shrink if new >= old => {
            return Err(CliError::Usage(format!(
                "New size given ({new} extents) not less than existing size ({old} extents)"
            )))
        }
        _ if new == old => {
            return Err(CliError::Usage(format!(
                "New size ({new} extents) matches existing size ({old} extents)."
            )))
        }
        _ => {}
    }
    if new < old {
        if has_snaps {
            return Err(CliError::Usage(format!(
                "Snapshot origin volume {vg_name}/{lv} cannot be reduced."
            )));
        }
        if new == 0 {
            return Err(CliError::Usage(format!(
                "Logical volume {vg_name}/{lv} cannot be reduced to zero extents."
            )));
        }
        let q = format!(
            "  WARNING: Reducing active logical volume to {}.\n  THIS MAY DESTROY YOUR DATA (filesystem etc.)\nDo you really want to reduce {vg_name}/{lv}?",
            display_size(new * es)
        );
        if !confirm(&q, r.force.force > 0 || r.force.yes) {
            return Err(CliError::Usage(format!("Logical volume {lv} NOT reduced.")));
        }
    }
    ops::resize_lv(&mut txn.vg, &lv, new, allowed.as_deref(), policy)?;
    txn.commit()?;
    writeln!(
        out,
        "  Size of logical volume {vg_name}/{lv} changed from {} ({old} extents) to {} ({new} extents).",
        display_size(old * es),
        display_size(new * es)
    )?;
    writeln!(out, "  Logical volume {vg_name}/{lv} successfully resized.")?;
    Ok(())
}
