//! LVM2's report engine for `pvs`, `vgs` and `lvs`: one table of fields drives `-o`, `-O`,
//! `-S`, `-o help`, column output, `--units`, `--separator`, `--noheadings`, `--nosuffix`,
//! `--nameprefixes`, `--rows` and JSON, byte for byte as LVM2 2.03.16 prints them.
//!
//! The one deliberate difference: rvm has no device-mapper, so lv_attr's state column shows
//! `a` for an LV whose persisted activation flag is set (and `-` otherwise), where LVM2 on a
//! machine without device-mapper shows `X`.

mod args;
mod attr;
mod ctx;
pub mod display;
mod fields;
mod help;
mod options;
mod output;
mod rows;
mod select;
mod time;
mod units;
mod values;

#[cfg(test)]
mod tests;

pub use args::ReportArgs;

use crate::meta::model::{Lv, OrphanPv, Vg};
use ctx::{Settings, VgInfo};
use options::{Base, FieldRef, RowKind, Special};
use std::io::Write;
use std::path::{Path, PathBuf};
use units::Units;

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
    /// PVs named on the command line (`pvs /dev/sdb`, `pvdisplay /dev/sdb`): only their rows
    /// are listed, while VG-level fields still count every PV of the (whole) VGs given.
    pub only_pvs: Option<&'a [PathBuf]>,
    /// LVs named on the command line as `VG/LV` (`lvs vg0/vol1`): only their rows are
    /// listed (hidden ones too), while origins, counts and free space still come from the
    /// whole VGs given.
    pub only_lvs: Option<&'a [String]>,
}

impl ReportInput<'_> {
    /// Whether a PV at `device` is to be listed.
    fn lists_pv(&self, device: &Path) -> bool {
        self.only_pvs
            .is_none_or(|only| only.iter().any(|p| p == device))
    }

    /// Whether LV `lv` of VG `vg` was named; `None` when no LV was.
    fn names_lv(&self, vg: &str, lv: &str) -> Option<bool> {
        self.only_lvs.map(|only| {
            only.iter()
                .any(|n| n.split_once('/').is_some_and(|(v, l)| v == vg && l == lv))
        })
    }
}

/// Why a report could not be produced; each prints as LVM2's message for the same mistake.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("Unrecognised field: {0}")]
    UnknownField(String),
    #[error("dm_report: Unrecognised field: {0}")]
    UnknownSortField(String),
    #[error("Unrecognised selection field: {0}")]
    UnknownSelectField(String),
    #[error("{0}")]
    Selection(String),
    #[error("Invalid options string: {0}")]
    InvalidOptions(String),
    #[error("Invalid units specification: {0}")]
    BadUnits(String),
    #[error("Invalid argument for --reportformat: {0}")]
    BadReportFormat(String),
    #[error("Can't report LV and PV fields at the same time in report type \"{0}\".")]
    LvAndPvFields(&'static str),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Output format chosen by `--reportformat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Basic,
    Json,
}

/// Writes a report in LVM2's format; `-o help` goes to stderr, as LVM2 sends it.
pub fn render(
    kind: ReportKind,
    args: &ReportArgs,
    input: &ReportInput<'_>,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    render_with_help(kind, args, input, out, &mut std::io::stderr())
}

/// `render`, with the stream that receives `-o help` given explicitly.
pub fn render_with_help(
    kind: ReportKind,
    args: &ReportArgs,
    input: &ReportInput<'_>,
    out: &mut dyn Write,
    help_out: &mut dyn Write,
) -> Result<(), ReportError> {
    let format = match args.reportformat.as_deref() {
        None | Some("basic") => Format::Basic,
        Some("json") => Format::Json,
        Some(other) => return Err(ReportError::BadReportFormat(other.to_owned())),
    };
    let units = match args.units.as_deref() {
        None => Units::default(),
        Some(u) => Units::parse(u).ok_or_else(|| ReportError::BadUnits(u.to_owned()))?,
    };
    let base = Base::new(kind, args.segments);
    let names = options::option_list(base, args.verbose, &args.options)?;
    let mut cols = options::columns(base, &names)?;
    if cols
        .iter()
        .any(|c| c.field == FieldRef::Special(Special::Help))
    {
        help_out.write_all(help::text().as_bytes())?;
        return Ok(());
    }
    let keys = args.sort.as_deref().unwrap_or_else(|| base.default_sort());
    let sort = options::sort_keys(base, keys, &mut cols)?;
    let selection = match args.select.as_deref() {
        Some(s) => Some(select::parse(base, s, &mut cols)?),
        None => None,
    };
    let kind_of_rows = options::row_kind(base, &cols)?;
    let settings = Settings {
        units,
        suffix: !args.nosuffix,
        binary: args.binary,
    };
    let live = cols.iter().any(|c| match c.field {
        FieldRef::Table(i) => matches!(
            fields::FIELDS[i].section,
            fields::Section::LvsInfo | fields::Section::LvsStatus | fields::Section::LvsInfoStatus
        ),
        FieldRef::Special(_) => false,
    });
    let needs_record = cols.iter().any(|c| {
        matches!(c.field, FieldRef::Table(i) if matches!(fields::FIELDS[i].id, "pv_mda_free" | "vg_mda_free"))
    });
    let infos: Vec<VgInfo> = input
        .vgs
        .iter()
        .map(|vg| VgInfo::new(vg, kind_of_rows == RowKind::PvSeg, needs_record))
        .collect();
    let mut vg_order: Vec<usize> = (0..input.vgs.len()).collect();
    vg_order.sort_by(|&a, &b| input.vgs[a].name.cmp(&input.vgs[b].name));
    let rows = rows::collect(kind_of_rows, kind, args.all, input, &infos, &vg_order);
    let eval = rows::Eval {
        kind: kind_of_rows,
        set: &settings,
        input,
        infos: &infos,
        live,
    };
    let table = rows::evaluate(&eval, &rows, cols, selection.as_ref(), &sort);
    match format {
        Format::Json => output::json(out, &table, base.name())?,
        Format::Basic => {
            let layout = output::Layout {
                headings: !args.noheadings,
                aligned: args.separator.is_none() || args.aligned,
                separator: args.separator.clone().unwrap_or_else(|| " ".to_owned()),
                prefixes: args.nameprefixes,
                quoted: !args.unquoted,
                rows: args.rows,
            };
            output::basic(out, &table, &layout)?;
        }
    }
    Ok(())
}
