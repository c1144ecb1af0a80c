//! lvremove: asks what LVM2 asks, then removes through the VG's host, which lets the
//! engine go of snapshots and origins before their extents are freed.

use super::parse_lv_spec;
use crate::cli::args::Force;
use crate::cli::exports::ExportGuard;
use crate::cli::{CliError, CliResult, Ctx};
use crate::host::RemoveRequest;
use crate::meta::MetaError;
use std::collections::BTreeMap;
use std::io::Write;

pub(super) fn lvremove(
    ctx: &Ctx<'_>,
    force: &Force,
    names: &[String],
    out: &mut dyn Write,
) -> CliResult {
    let mut by_vg: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for n in names {
        let (vg, lv) = parse_lv_spec(n);
        by_vg.entry(vg).or_default().push(lv);
    }
    let sure = force.force > 0 || force.yes;
    // Before any VG lock: exported LVs are refused, or with -f unexported first.
    let mut exports = ExportGuard::take(ctx)?;
    for (vg_name, lvs) in by_vg {
        let vg = ctx.env.read_vg(&vg_name)?;
        let targets: Vec<String> = if lvs.iter().any(Option::is_none) {
            vg.lvs.iter().map(|l| l.name.clone()).collect()
        } else {
            lvs.into_iter().flatten().collect()
        };
        let mut requests: Vec<RemoveRequest> = Vec::new();
        let mut covered: Vec<String> = Vec::new();
        let mut doomed: Vec<crate::meta::model::Lv> = Vec::new();
        for lv in targets {
            if covered.contains(&lv) {
                continue;
            }
            let l = vg.lv(&lv).ok_or_else(|| MetaError::LvNotFound {
                vg: vg_name.clone(),
                lv: lv.clone(),
            })?;
            let family: Vec<&crate::meta::model::Lv> =
                std::iter::once(l).chain(vg.snapshots_of(&l.id)).collect();
            // Exported LVs are refused before any question is asked.
            exports.check(&vg, &family, force.force > 0)?;
            doomed.extend(family.iter().map(|l| (*l).clone()));
            let snaps: Vec<String> = vg.snapshots_of(&l.id).map(|s| s.name.clone()).collect();
            let active = if l.active { " active" } else { "" };
            let question = if snaps.is_empty() {
                l.active.then(|| {
                    format!("Do you really want to remove active logical volume {vg_name}/{lv}?")
                })
            } else {
                Some(format!(
                    "Do you really want to remove{active} origin logical volume {vg_name}/{lv} with {} snapshots(s)?",
                    snaps.len()
                ))
            };
            if let Some(q) = question {
                if !ctx.confirm(&q, sure) {
                    return Err(CliError::Usage(format!(
                        "Logical volume \"{lv}\" not removed."
                    )));
                }
            }
            covered.extend(snaps);
            covered.push(lv.clone());
            requests.push(RemoveRequest {
                lv,
                with_snapshots: true,
            });
        }
        let gone: Vec<&crate::meta::model::Lv> = doomed.iter().collect();
        let unexported = exports.release(&vg, &gone, force.force > 0)?;
        let removed = match ctx
            .hosts
            .host(ctx.env, &vg_name)
            .map_err(CliError::from)
            .and_then(|host| Ok(host.remove_lvs(ctx.env, &requests)?))
        {
            Ok(removed) => removed,
            Err(e) => {
                // A removal that did not commit must not leave its LVs unexported.
                exports.undo_or_warn();
                return Err(e);
            }
        };
        for line in unexported {
            writeln!(out, "{line}")?;
        }
        // LVM2 reports an origin's snapshots before the origin.
        let (snaps, rest): (Vec<&String>, Vec<&String>) = removed
            .iter()
            .partition(|n| vg.lv(n).is_some_and(|l| l.snapshot().is_some()));
        for lv in snaps.into_iter().chain(rest) {
            writeln!(out, "  Logical volume \"{lv}\" successfully removed.")?;
        }
    }
    Ok(())
}
