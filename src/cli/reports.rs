//! pvs, vgs, lvs and the display commands: select what to show, then hand it to the report
//! engine (`report::render`) or the display formatter.

use super::args::{DisplayCmd, ReportCmd};
use super::lv::parse_lv_spec;
use super::report::{self, NoLive, ReportInput, ReportKind};
use super::units::display_size;
use super::{CliError, CliResult};
use crate::meta::alloc::FreeMap;
use crate::meta::model::{OrphanPv, Vg};
use crate::meta::{devices, Env, MetaError, View};
use std::io::Write;

/// Keeps only the PVs at `idx` in a VG copy, renumbering or dropping segments to match.
fn keep_pvs(vg: &Vg, idx: &[usize]) -> Vg {
    let mut out = vg.clone();
    out.pvs = idx.iter().map(|&i| vg.pvs[i].clone()).collect();
    for lv in &mut out.lvs {
        lv.segments.retain(|s| idx.contains(&s.pv));
        for s in &mut lv.segments {
            s.pv = idx.iter().position(|&i| i == s.pv).unwrap_or(0);
        }
    }
    out
}

/// The VGs and orphans the named objects select (everything when no names are given).
fn select(
    view: View,
    kind: ReportKind,
    names: &[String],
) -> Result<(Vec<Vg>, Vec<OrphanPv>), CliError> {
    if names.is_empty() {
        return Ok((view.vgs, view.orphans));
    }
    match kind {
        ReportKind::Pvs => {
            let mut paths = Vec::new();
            for n in names {
                paths.push(devices::canonical(std::path::Path::new(n)).map_err(|_| {
                    MetaError::Refused(format!("Failed to find physical volume \"{n}\"."))
                })?);
            }
            for (p, n) in paths.iter().zip(names) {
                let known = view
                    .vgs
                    .iter()
                    .any(|v| v.pvs.iter().any(|pv| &pv.device == p))
                    || view.orphans.iter().any(|o| &o.device == p);
                if !known {
                    return Err(MetaError::Refused(format!(
                        "Failed to find physical volume \"{n}\"."
                    ))
                    .into());
                }
            }
            let vgs = view
                .vgs
                .iter()
                .filter_map(|vg| {
                    let idx: Vec<usize> = (0..vg.pvs.len())
                        .filter(|&i| paths.contains(&vg.pvs[i].device))
                        .collect();
                    (!idx.is_empty()).then(|| keep_pvs(vg, &idx))
                })
                .collect();
            let orphans = view
                .orphans
                .into_iter()
                .filter(|o| paths.contains(&o.device))
                .collect();
            Ok((vgs, orphans))
        }
        ReportKind::Vgs => {
            for n in names {
                if !view.vgs.iter().any(|v| &v.name == n) {
                    return Err(MetaError::VgNotFound(n.clone()).into());
                }
            }
            Ok((
                view.vgs
                    .into_iter()
                    .filter(|v| names.contains(&v.name))
                    .collect(),
                Vec::new(),
            ))
        }
        ReportKind::Lvs => {
            let specs: Vec<(String, Option<String>)> =
                names.iter().map(|n| parse_lv_spec(n)).collect();
            let mut out = Vec::new();
            for vg in view.vgs {
                let mine: Vec<&Option<String>> = specs
                    .iter()
                    .filter(|(v, _)| *v == vg.name)
                    .map(|(_, l)| l)
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                let mut vg = vg;
                if !mine.iter().any(|l| l.is_none()) {
                    for l in mine.iter().copied().flatten() {
                        if vg.lv(l).is_none() {
                            return Err(MetaError::LvNotFound {
                                vg: vg.name.clone(),
                                lv: l.clone(),
                            }
                            .into());
                        }
                    }
                    vg.lvs
                        .retain(|lv| mine.iter().any(|l| l.as_deref() == Some(lv.name.as_str())));
                }
                out.push(vg);
            }
            if let Some((v, _)) = specs
                .iter()
                .find(|(v, _)| !out.iter().any(|g| &g.name == v))
            {
                return Err(MetaError::VgNotFound(v.clone()).into());
            }
            Ok((out, Vec::new()))
        }
    }
}

/// `pvs`, `vgs`, `lvs`.
pub fn report(env: &Env, kind: ReportKind, cmd: &ReportCmd, out: &mut dyn Write) -> CliResult {
    let view = env.read_all()?;
    let (vgs, orphans) = select(view, kind, &cmd.names)?;
    let input = ReportInput {
        vgs: &vgs,
        orphans: &orphans,
        live: &NoLive,
    };
    let mut args = cmd.report.clone();
    args.all = cmd.all;
    args.verbose = cmd.common.verbose > 0;
    report::render(kind, &args, &input, out)?;
    Ok(())
}

/// `pvdisplay`, `vgdisplay`, `lvdisplay`.
pub fn display(env: &Env, kind: ReportKind, cmd: &DisplayCmd, out: &mut dyn Write) -> CliResult {
    let view = env.read_all()?;
    let (vgs, orphans) = select(view, kind, &cmd.names)?;
    match kind {
        ReportKind::Pvs => {
            for vg in &vgs {
                let free = FreeMap::of(vg);
                for (i, pv) in vg.pvs.iter().enumerate() {
                    writeln!(out, "  --- Physical volume ---")?;
                    writeln!(out, "  PV Name               {}", pv.device.display())?;
                    writeln!(out, "  VG Name               {}", vg.name)?;
                    writeln!(out, "  PV Size               {}", display_size(pv.dev_size))?;
                    writeln!(
                        out,
                        "  Allocatable           {}",
                        if pv.allocatable { "yes" } else { "NO" }
                    )?;
                    writeln!(
                        out,
                        "  PE Size               {}",
                        display_size(vg.extent_size)
                    )?;
                    writeln!(out, "  Total PE              {}", pv.pe_count)?;
                    writeln!(out, "  Free PE               {}", free.pv_free(i))?;
                    writeln!(
                        out,
                        "  Allocated PE          {}",
                        pv.pe_count - free.pv_free(i)
                    )?;
                    writeln!(out, "  PV UUID               {}", pv.id)?;
                    writeln!(out, "   ")?;
                }
            }
            for o in &orphans {
                writeln!(
                    out,
                    "  \"{}\" is a new physical volume of \"{}\"",
                    o.device.display(),
                    display_size(o.dev_size)
                )?;
                writeln!(out, "  --- NEW Physical volume ---")?;
                writeln!(out, "  PV Name               {}", o.device.display())?;
                writeln!(out, "  VG Name               ")?;
                writeln!(out, "  PV Size               {}", display_size(o.dev_size))?;
                writeln!(out, "  PV UUID               {}", o.id)?;
                writeln!(out, "   ")?;
            }
        }
        ReportKind::Vgs => {
            for vg in &vgs {
                let free = FreeMap::of(vg).free(|_| true);
                let total = vg.extent_count();
                writeln!(out, "  --- Volume group ---")?;
                writeln!(out, "  VG Name               {}", vg.name)?;
                writeln!(out, "  Format                lvm2")?;
                writeln!(out, "  Metadata Sequence No  {}", vg.seqno)?;
                writeln!(out, "  VG Access             read/write")?;
                writeln!(
                    out,
                    "  VG Status             {}",
                    if vg.resizeable { "resizable" } else { "" }
                )?;
                writeln!(out, "  Cur LV                {}", vg.lvs.len())?;
                writeln!(out, "  Cur PV                {}", vg.pvs.len())?;
                writeln!(
                    out,
                    "  VG Size               {}",
                    display_size(total * vg.extent_size)
                )?;
                writeln!(
                    out,
                    "  PE Size               {}",
                    display_size(vg.extent_size)
                )?;
                writeln!(out, "  Total PE              {total}")?;
                writeln!(
                    out,
                    "  Alloc PE / Size       {} / {}",
                    total - free,
                    display_size((total - free) * vg.extent_size)
                )?;
                writeln!(
                    out,
                    "  Free  PE / Size       {free} / {}",
                    display_size(free * vg.extent_size)
                )?;
                writeln!(out, "  VG UUID               {}", vg.id)?;
                writeln!(out, "   ")?;
            }
        }
        ReportKind::Lvs => {
            for vg in &vgs {
                for lv in &vg.lvs {
                    writeln!(out, "  --- Logical volume ---")?;
                    writeln!(out, "  LV Path                /dev/{}/{}", vg.name, lv.name)?;
                    writeln!(out, "  LV Name                {}", lv.name)?;
                    writeln!(out, "  VG Name                {}", vg.name)?;
                    writeln!(out, "  LV UUID                {}", lv.id)?;
                    writeln!(
                        out,
                        "  LV Status              {}",
                        if lv.active {
                            "available"
                        } else {
                            "NOT available"
                        }
                    )?;
                    writeln!(
                        out,
                        "  LV Size                {}",
                        display_size(lv.extent_count() * vg.extent_size)
                    )?;
                    writeln!(out, "  Current LE             {}", lv.extent_count())?;
                    writeln!(out, "  Segments               {}", lv.segments.len())?;
                    writeln!(out, "   ")?;
                }
            }
        }
    }
    Ok(())
}
