//! lvextend, lvreduce and lvresize, with LVM2's rules for snapshots and origins: a
//! snapshot's store grows (live, when its origin is open) but never shrinks; an origin
//! grows with its snapshots (they read the new tail as zeros) but never shrinks.

use super::{bytes_to_extents, parse_lv_spec, pv_indices, size_req, SizeReq};
use crate::cli::args::ResizeCmd;
use crate::cli::units::{display_size, Sign};
use crate::cli::vg::alloc_policy;
use crate::cli::{CliError, CliResult, Ctx};
use crate::meta::model::Vg;
use crate::meta::ops::{self, resolve_extents};
use crate::meta::MetaError;
use std::io::Write;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Grow,
    Shrink,
    Either,
}

/// The LV's size now and the size asked for, in extents, checked against LVM2's rules.
fn sizes(
    vg: &Vg,
    lv: &str,
    req: &SizeReq,
    pvs: &[String],
    dir: Direction,
    out: &mut dyn Write,
) -> Result<(u64, u64), CliError> {
    let name = format!("{}/{lv}", vg.name);
    let l = vg.lv(lv).ok_or_else(|| MetaError::LvNotFound {
        vg: vg.name.clone(),
        lv: lv.to_string(),
    })?;
    let old = l.extent_count();
    let origin_extents = l
        .snapshot()
        .and_then(|s| vg.lv_by_id(&s.origin))
        .map(|o| o.extent_count());
    let allowed = pv_indices(vg, pvs)?;
    let usable = crate::meta::alloc::usable_pvs(vg, allowed.as_deref());
    let (sign, n) = match *req {
        SizeReq::Bytes(sign, b) => (sign, bytes_to_extents(vg, b, out)?),
        SizeReq::Extents(sign, e) => (sign, resolve_extents(vg, e, &usable, origin_extents)?),
    };
    let new = match sign {
        Sign::Absolute => n,
        Sign::Plus => old.saturating_add(n),
        Sign::Minus => old.saturating_sub(n),
    };
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
    if l.snapshot().is_some_and(|s| s.merging) {
        return Err(CliError::Usage(format!(
            "Cannot resize merging snapshot {name}."
        )));
    }
    if l.snapshot().is_some() && new < old {
        return Err(CliError::Usage(format!(
            "Snapshot {name} cannot be reduced: rvm's exception stores only grow (remove the snapshot instead)."
        )));
    }
    let snaps: Vec<u64> = vg
        .snapshots_of(&l.id)
        .filter_map(|s| s.snapshot().map(|i| i.chunk_size))
        .collect();
    if !snaps.is_empty() {
        if new < old {
            return Err(CliError::Usage(
                "Snapshot origin volumes cannot be reduced in size yet.".into(),
            ));
        }
        let unit = snaps.iter().copied().max().unwrap_or(1);
        if (old * vg.extent_size) % unit != 0 {
            return Err(CliError::Usage(format!(
                "Snapshot origin volume {name} cannot grow: its size is not a multiple of its snapshots' chunk size {}.",
                display_size(unit)
            )));
        }
    }
    if new == 0 {
        return Err(CliError::Usage(format!(
            "Logical volume {name} cannot be reduced to zero extents."
        )));
    }
    Ok((old, new))
}

pub(super) fn resize(
    ctx: &Ctx<'_>,
    r: ResizeCmd,
    dir: Direction,
    out: &mut dyn Write,
) -> CliResult {
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
    let pvs = &r.args[1..];
    // A shrink frees extents: no other process may have the LV open, and this one's
    // open volume follows the new map at the commit (reconcile).
    let before = ctx.env.read_vg(&vg_name)?;
    let (old, new) = sizes(&before, &lv, &req, pvs, dir, &mut std::io::sink())?;
    if new < old {
        ctx.hosts.host(ctx.env, &vg_name)?.lock_exclusive(&lv)?;
    }
    let mut txn = ctx.env.begin(&vg_name)?;
    let (old, new) = sizes(&txn.vg, &lv, &req, pvs, dir, out)?;
    let es = txn.vg.extent_size;
    if new < old {
        let q = format!(
            "  WARNING: Reducing active logical volume to {}.\n  THIS MAY DESTROY YOUR DATA (filesystem etc.)\nDo you really want to reduce {vg_name}/{lv}?",
            display_size(new * es)
        );
        if !ctx.confirm(&q, r.force.force > 0 || r.force.yes) {
            return Err(CliError::Usage(format!("Logical volume {lv} NOT reduced.")));
        }
    }
    let allowed = pv_indices(&txn.vg, pvs)?;
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
