//! LVM2's report engine for `pvs`, `vgs` and `lvs`: one table of fields drives `-o`, `-o help`,
//! column output, `--units`, `--separator`, `--noheadings`, `--nosuffix` and JSON.
//!
//! INTERFACE PLACEHOLDER: the signatures below are the seam between the commands and the
//! report engine; the implementation behind them is being built on the `report` branch.

use crate::meta::model::{Lv, OrphanPv, Vg};
use std::io::Write;

/// Report options shared by pvs, vgs and lvs (flattened into each command with clap).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Comma-separated fields; a leading `+` appends to the defaults.
    #[arg(short = 'o', long = "options", action = clap::ArgAction::Append)]
    pub options: Vec<String>,
    /// Omit the heading line.
    #[arg(long)]
    pub noheadings: bool,
    /// Separate columns with this string instead of aligning them.
    #[arg(long)]
    pub separator: Option<String>,
    /// Units for sizes: hHbBsSkKmMgGtTpPeE.
    #[arg(long)]
    pub units: Option<String>,
    /// Print sizes without the unit letter.
    #[arg(long)]
    pub nosuffix: bool,
    /// `basic` or `json`.
    #[arg(long)]
    pub reportformat: Option<String>,
}

/// Which report to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Pvs,
    Vgs,
    Lvs,
}

/// Live figures only the engine or the daemon knows (store use, merge progress).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LvLive {
    /// Percentage of a snapshot's store in use (Data%/Snap%), or of a merge left to do.
    pub data_percent: Option<f64>,
    /// The snapshot overflowed or failed (lv_attr `I`).
    pub invalid: bool,
    /// The LV is open by a client (lv_attr `o` in position 6).
    pub open: bool,
}

/// Source of live figures; reports work without one.
pub trait LiveStatus {
    fn lv(&self, vg: &Vg, lv: &Lv) -> LvLive;
}

/// No live information: reports show what the metadata alone says.
pub struct NoLive;

impl LiveStatus for NoLive {
    fn lv(&self, _vg: &Vg, _lv: &Lv) -> LvLive {
        LvLive::default()
    }
}

/// Everything a report may show.
pub struct ReportInput<'a> {
    pub vgs: &'a [Vg],
    pub orphans: &'a [OrphanPv],
    pub live: &'a dyn LiveStatus,
}

/// Why a report could not be produced (an unknown field, a bad unit).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("Unrecognised field: {0}")]
    UnknownField(String),
    #[error("Invalid units specification: {0}")]
    BadUnits(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Writes a report in LVM2's format.
pub fn render(
    kind: ReportKind,
    args: &ReportArgs,
    input: &ReportInput<'_>,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    // Placeholder until the report branch lands: names only.
    match kind {
        ReportKind::Vgs => {
            for vg in input.vgs {
                writeln!(out, "  {}", vg.name)?;
            }
        }
        ReportKind::Lvs => {
            for vg in input.vgs {
                for lv in &vg.lvs {
                    writeln!(out, "  {} {}", lv.name, vg.name)?;
                }
            }
        }
        ReportKind::Pvs => {
            for vg in input.vgs {
                for pv in &vg.pvs {
                    writeln!(out, "  {} {}", pv.device.display(), vg.name)?;
                }
            }
            for pv in input.orphans {
                writeln!(out, "  {}", pv.device.display())?;
            }
        }
    }
    let _ = args;
    Ok(())
}
