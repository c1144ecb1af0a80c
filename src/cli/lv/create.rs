//! lvcreate: linear LVs through `meta`, snapshots through the VG's host.

use super::{bytes_to_extents, parse_lv_spec, parse_permission, pv_indices, size_req, SizeReq};
use crate::cli::args::Cmd;
use crate::cli::units::{display_size, parse_size, parse_yes_no, Sign};
use crate::cli::vg::alloc_policy;
use crate::cli::{CliError, CliResult, Ctx};
use crate::engine::{max_store_bytes, min_store_bytes};
use crate::format::cow::{MAX_CHUNK, MIN_CHUNK};
use crate::host::SnapshotPlan;
use crate::meta::model::{AllocPolicy, Lv, LvKind, Permission, SnapshotInfo, Vg};
use crate::meta::ops::{self, resolve_extents, Extents, NewLv};
use crate::meta::store::{hostname, now};
use crate::meta::MetaError;
use std::io::Write;

/// What every new LV shares, parsed once.
struct Common {
    name: Option<String>,
    policy: AllocPolicy,
    permission: Option<Permission>,
    active: Option<bool>,
    skip: Option<bool>,
    tags: Vec<String>,
    pvs: Vec<String>,
}

/// The first `lvolN` name the VG does not use, as LVM2 names unnamed LVs.
fn auto_name(vg: &Vg) -> String {
    (0..)
        .map(|i| format!("lvol{i}"))
        .find(|n| vg.lv(n).is_none())
        .unwrap_or_default()
}

/// `-c`: KiB unless a unit is given; a power of two from 4 KiB to 512 KiB.
fn chunk_size(arg: Option<&str>) -> Result<u64, CliError> {
    let bad = || CliError::Usage("Chunk size must be a power of 2 in the range 4K to 512K.".into());
    let Some(a) = arg else {
        return Ok(MIN_CHUNK);
    };
    match parse_size(a, 'k') {
        Ok((Sign::Absolute, b)) if b.is_power_of_two() && (MIN_CHUNK..=MAX_CHUNK).contains(&b) => {
            Ok(b)
        }
        _ => Err(bad()),
    }
}

pub(super) fn lvcreate(ctx: &Ctx<'_>, cmd: Cmd, out: &mut dyn Write) -> CliResult {
    let Cmd::Lvcreate {
        size,
        name,
        snapshot,
        lv_type,
        chunksize,
        permission,
        activate,
        set_skip,
        zero,
        wipe,
        stripes,
        addtag,
        alloc,
        contiguous,
        args,
        ..
    } = cmd
    else {
        return Ok(());
    };
    let snapshot = snapshot || lv_type.as_deref() == Some("snapshot");
    match lv_type.as_deref() {
        None | Some("linear") | Some("striped") | Some("snapshot") => {}
        Some(t) => {
            return Err(CliError::Usage(format!(
                "rvm does not support LV type {t}: only linear LVs and snapshots."
            )))
        }
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
    if chunksize.is_some() && !snapshot {
        return Err(CliError::Usage(
            "Option --chunksize is only used for snapshots.".into(),
        ));
    }
    let chunk = if snapshot {
        chunk_size(chunksize.as_deref())?
    } else {
        0
    };
    let req = size_req(&size)?;
    let mut policy = alloc_policy(&alloc)?.unwrap_or_default();
    if let Some(c) = &contiguous {
        if parse_yes_no("--contiguous", c)? {
            policy = AllocPolicy::Contiguous;
        }
    }
    let mut common = Common {
        name: None,
        policy,
        permission: permission.as_deref().map(parse_permission).transpose()?,
        active: activate
            .as_deref()
            .map(|a| parse_yes_no("--activate", a))
            .transpose()?,
        skip: set_skip
            .as_deref()
            .map(|a| parse_yes_no("--setactivationskip", a))
            .transpose()?,
        tags: addtag,
        pvs: args.get(1..).unwrap_or(&[]).to_vec(),
    };
    // The first argument is the VG (or VG/LV), or for a snapshot its origin (VG/ORIGIN,
    // or ORIGIN with the VG given by -n VG/NAME or LVM_VG_NAME, as LVM2 allows).
    let (first_vg, first_lv) = match args.first() {
        Some(a) => parse_lv_spec(a),
        None => (String::new(), None),
    };
    let (mut vg_name, mut target) = if snapshot && first_lv.is_none() && !first_vg.is_empty() {
        (String::new(), Some(first_vg))
    } else {
        (first_vg, first_lv)
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
                common.name = Some(l);
            }
            None => common.name = Some(v),
        }
    }
    if vg_name.is_empty() {
        vg_name = ctx.default_vg.clone().unwrap_or_default();
    }
    if vg_name.is_empty() {
        return Err(CliError::Usage("Please provide a volume group name".into()));
    }
    if snapshot {
        let origin = target.take().ok_or_else(|| {
            CliError::Usage("Please specify a logical volume to act as the snapshot origin.".into())
        })?;
        return create_snapshot(ctx, &vg_name, &origin, req, chunk, common, out);
    }
    if target.is_some() && common.name.is_none() {
        common.name = target;
    }
    create_linear(ctx, &vg_name, req, common, out)
}

fn create_linear(
    ctx: &Ctx<'_>,
    vg_name: &str,
    req: SizeReq,
    common: Common,
    out: &mut dyn Write,
) -> CliResult {
    let mut txn = ctx.env.begin(vg_name)?;
    if txn.has_missing() {
        return Err(MetaError::MissingPvs(vg_name.to_string()).into());
    }
    let allowed = pv_indices(&txn.vg, &common.pvs)?;
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
    let name = common.name.clone().unwrap_or_else(|| auto_name(&txn.vg));
    ops::create_lv(
        &mut txn.vg,
        new_lv(&common, name.clone(), extents, allowed, LvKind::Linear),
    )?;
    txn.commit()?;
    writeln!(out, "  Logical volume \"{name}\" created.")?;
    Ok(())
}

fn new_lv(
    common: &Common,
    name: String,
    extents: u64,
    allowed: Option<Vec<usize>>,
    kind: LvKind,
) -> NewLv {
    NewLv {
        name,
        extents,
        allowed_pvs: allowed,
        alloc: common.policy,
        permission: common.permission.unwrap_or_default(),
        active: common.active.unwrap_or(true),
        activation_skip: common.skip.unwrap_or(false),
        tags: common.tags.clone(),
        creation_time: now(),
        creation_host: hostname(),
        kind,
    }
}

/// Store extents for a snapshot request, LVM2's way: `%ORIGIN` adds the metadata a store
/// for the whole origin needs, and a store larger than that is cut down to it.
fn store_extents(
    vg: &Vg,
    origin: &Lv,
    req: &SizeReq,
    chunk: u64,
    usable: &[bool],
    out: &mut dyn Write,
) -> Result<u64, CliError> {
    let es = vg.extent_size;
    let origin_extents = origin.extent_count();
    let max = max_store_bytes(origin_extents * es, chunk).div_ceil(es);
    let extents = match *req {
        SizeReq::Bytes(Sign::Absolute, b) => bytes_to_extents(vg, b, out)?,
        SizeReq::Extents(Sign::Absolute, Extents::PercentOrigin(p)) => {
            max.saturating_sub(origin_extents) + origin_extents.saturating_mul(p) / 100
        }
        SizeReq::Extents(Sign::Absolute, e) => {
            resolve_extents(vg, e, usable, Some(origin_extents))?
        }
        _ => {
            return Err(CliError::Usage(
                "Size may not be signed for lvcreate.".into(),
            ))
        }
    };
    if extents > max {
        writeln!(
            out,
            "  Reducing COW size {} down to maximum usable size {}.",
            display_size(extents * es),
            display_size(max * es)
        )?;
        return Ok(max);
    }
    let min = min_store_bytes(chunk);
    if extents * es < min {
        return Err(CliError::Usage(format!(
            "Snapshot volume cannot be smaller than {} chunks ({} extents, {}).",
            min / chunk,
            min.div_ceil(es),
            display_size(min)
        )));
    }
    Ok(extents)
}

fn create_snapshot(
    ctx: &Ctx<'_>,
    vg_name: &str,
    origin: &str,
    req: SizeReq,
    chunk: u64,
    common: Common,
    out: &mut dyn Write,
) -> CliResult {
    let host = ctx.hosts.host(ctx.env, vg_name)?;
    let make = |vg: &mut Vg, origin: &Lv| -> Result<usize, CliError> {
        if vg.pvs.iter().any(|p| p.missing) {
            return Err(MetaError::MissingPvs(vg.name.clone()).into());
        }
        let allowed = pv_indices(vg, &common.pvs)?;
        let usable = crate::meta::alloc::usable_pvs(vg, allowed.as_deref());
        let extents = store_extents(vg, origin, &req, chunk, &usable, out)?;
        let name = common.name.clone().unwrap_or_else(|| auto_name(vg));
        let info = SnapshotInfo {
            origin: origin.id,
            chunk_size: chunk,
            store_id: ops::next_store_id(vg),
            merging: false,
        };
        let kind = LvKind::Snapshot(info);
        Ok(ops::create_lv(
            vg,
            new_lv(&common, name, extents, allowed, kind),
        )?)
    };
    let plan = SnapshotPlan {
        origin,
        make: Box::new(make),
    };
    let lv = host.create_snapshot(ctx.env, plan)?;
    writeln!(out, "  Logical volume \"{}\" created.", lv.name)?;
    Ok(())
}
