//! pvs, vgs, lvs and the display commands: select what to show, then hand it to the report
//! engine (`report::render`) or the display text (`report::display`).

use super::args::{DisplayCmd, ReportCmd};
use super::live::StoreStatus;
use super::lv::parse_lv_spec;
use super::report::{self, display, ReportArgs, ReportInput, ReportKind};
use super::{CliError, CliResult, Ctx};
use crate::meta::model::{OrphanPv, Vg};
use crate::meta::{devices, MetaError, View};
use std::io::Write;
use std::path::PathBuf;

/// What the named objects select: whole VGs (so that VG-level figures stay right) plus the
/// PV or LV rows to list.
struct Selection {
    vgs: Vec<Vg>,
    orphans: Vec<OrphanPv>,
    only_pvs: Option<Vec<PathBuf>>,
    only_lvs: Option<Vec<String>>,
}

fn select(view: View, kind: ReportKind, names: &[String]) -> Result<Selection, CliError> {
    let mut sel = Selection {
        vgs: Vec::new(),
        orphans: Vec::new(),
        only_pvs: None,
        only_lvs: None,
    };
    if names.is_empty() {
        sel.vgs = view.vgs;
        sel.orphans = view.orphans;
        return Ok(sel);
    }
    match kind {
        ReportKind::Pvs => {
            let mut paths = Vec::new();
            for n in names {
                let p = devices::canonical(std::path::Path::new(n)).ok();
                let known = p.as_ref().is_some_and(|p| {
                    view.vgs
                        .iter()
                        .any(|v| v.pvs.iter().any(|pv| &pv.device == p))
                        || view.orphans.iter().any(|o| &o.device == p)
                });
                match p {
                    Some(p) if known => paths.push(p),
                    _ => {
                        return Err(MetaError::Refused(format!(
                            "Failed to find physical volume \"{n}\"."
                        ))
                        .into())
                    }
                }
            }
            sel.vgs = view
                .vgs
                .into_iter()
                .filter(|vg| vg.pvs.iter().any(|pv| paths.contains(&pv.device)))
                .collect();
            sel.orphans = view
                .orphans
                .into_iter()
                .filter(|o| paths.contains(&o.device))
                .collect();
            sel.only_pvs = Some(paths);
        }
        ReportKind::Vgs => {
            for n in names {
                if !view.vgs.iter().any(|v| &v.name == n) {
                    return Err(MetaError::VgNotFound(n.clone()).into());
                }
            }
            sel.vgs = view
                .vgs
                .into_iter()
                .filter(|v| names.contains(&v.name))
                .collect();
        }
        ReportKind::Lvs => {
            let specs: Vec<(String, Option<String>)> =
                names.iter().map(|n| parse_lv_spec(n)).collect();
            for (v, l) in &specs {
                let vg = view
                    .vgs
                    .iter()
                    .find(|g| &g.name == v)
                    .ok_or_else(|| MetaError::VgNotFound(v.clone()))?;
                if let Some(l) = l {
                    if vg.lv(l).is_none() {
                        return Err(MetaError::LvNotFound {
                            vg: v.clone(),
                            lv: l.clone(),
                        }
                        .into());
                    }
                }
            }
            if specs.iter().any(|(_, l)| l.is_some()) {
                let mut only = Vec::new();
                for (v, l) in &specs {
                    match l {
                        Some(l) => only.push(format!("{v}/{l}")),
                        None => {
                            if let Some(vg) = view.vgs.iter().find(|g| &g.name == v) {
                                only.extend(vg.lvs.iter().map(|lv| format!("{v}/{}", lv.name)));
                            }
                        }
                    }
                }
                sel.only_lvs = Some(only);
            }
            sel.vgs = view
                .vgs
                .into_iter()
                .filter(|g| specs.iter().any(|(v, _)| *v == g.name))
                .collect();
        }
    }
    Ok(sel)
}

fn render(
    ctx: &Ctx<'_>,
    kind: ReportKind,
    names: &[String],
    args: &ReportArgs,
    out: &mut dyn Write,
) -> CliResult {
    let sel = select(ctx.env.read_all()?, kind, names)?;
    let live = StoreStatus::new(ctx.env, ctx.hosts);
    let input = ReportInput {
        vgs: &sel.vgs,
        orphans: &sel.orphans,
        live: &live,
        only_pvs: sel.only_pvs.as_deref(),
        only_lvs: sel.only_lvs.as_deref(),
    };
    report::render(kind, args, &input, out)?;
    Ok(())
}

/// `pvs`, `vgs`, `lvs`.
pub fn report(ctx: &Ctx<'_>, kind: ReportKind, cmd: &ReportCmd, out: &mut dyn Write) -> CliResult {
    let mut args = cmd.report.clone();
    args.all = cmd.all;
    args.verbose = cmd.common.verbose > 0;
    render(ctx, kind, &cmd.names, &args, out)
}

/// `pvdisplay`, `vgdisplay`, `lvdisplay` (and their `-C` report form).
pub fn display(
    ctx: &Ctx<'_>,
    kind: ReportKind,
    cmd: &DisplayCmd,
    out: &mut dyn Write,
) -> CliResult {
    if cmd.columns {
        let mut args = cmd.report.clone();
        args.all = cmd.all;
        args.verbose = cmd.common.verbose > 0;
        return render(ctx, kind, &cmd.names, &args, out);
    }
    let sel = select(ctx.env.read_all()?, kind, &cmd.names)?;
    let live = StoreStatus::new(ctx.env, ctx.hosts);
    let input = ReportInput {
        vgs: &sel.vgs,
        orphans: &sel.orphans,
        live: &live,
        only_pvs: sel.only_pvs.as_deref(),
        only_lvs: sel.only_lvs.as_deref(),
    };
    let args = display::DisplayArgs {
        units: cmd.report.units.clone(),
        maps: cmd.maps,
        colon: cmd.colon,
        short: cmd.short,
        all: cmd.all,
        verbose: cmd.common.verbose > 0,
    };
    match kind {
        ReportKind::Pvs => display::pvdisplay(&input, &args, out)?,
        ReportKind::Vgs => display::vgdisplay(&input, &args, out)?,
        ReportKind::Lvs => display::lvdisplay(&input, &args, out)?,
    }
    Ok(())
}
