//! Rows: which objects a report lists for its row kind, the evaluation of every column into
//! one text arena (no allocation per cell), selection and the stable multi-key sort.

use super::ctx::{Ctx, Key, LvRef, PvRef, PvSeg, SegRef, Settings, VgInfo};
use super::fields::FIELDS;
use super::options::{Column, FieldRef, RowKind, Special};
use super::select::{Cell, Selection};
use super::{LvLive, ReportInput, ReportKind};
use std::cmp::Ordering;

const NONE: u32 = u32::MAX;

/// One row: indexes of the objects it is about. `pv` indexes the VG's PVs, or the orphans
/// when `vg` is NONE; `lv`/`seg` are NONE for free space.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    vg: u32,
    pv: u32,
    lv: u32,
    seg: u32,
    pvseg: u32,
}

const EMPTY_ROW: Row = Row {
    vg: NONE,
    pv: NONE,
    lv: NONE,
    seg: NONE,
    pvseg: NONE,
};

/// The rows a report lists, VGs in name order as LVM2 processes them.
pub(super) fn collect(
    kind: RowKind,
    cmd: ReportKind,
    all: bool,
    input: &ReportInput<'_>,
    infos: &[VgInfo],
    vg_order: &[usize],
) -> Vec<Row> {
    let mut rows = Vec::new();
    // LVs named on the command line are listed even when hidden, as LVM2 lists them.
    let shown = |v: usize, l: usize| {
        let vg = &input.vgs[v];
        match input.names_lv(&vg.name, &vg.lvs[l].name) {
            Some(named) => named,
            None => all || !infos[v].lv[l].hidden,
        }
    };
    for &v in vg_order {
        let vg = &input.vgs[v];
        let base = Row {
            vg: v as u32,
            ..EMPTY_ROW
        };
        match kind {
            RowKind::Vg => rows.push(base),
            RowKind::Lv => rows.extend((0..vg.lvs.len()).filter(|&l| shown(v, l)).map(|l| Row {
                lv: l as u32,
                ..base
            })),
            RowKind::Seg => {
                for (l, lv) in vg.lvs.iter().enumerate().filter(|&(l, _)| shown(v, l)) {
                    rows.extend((0..lv.segments.len()).map(|s| Row {
                        lv: l as u32,
                        seg: s as u32,
                        ..base
                    }));
                }
            }
            RowKind::Pv => rows.extend(
                (0..vg.pvs.len())
                    .filter(|&p| input.lists_pv(&vg.pvs[p].device))
                    .map(|p| Row {
                        pv: p as u32,
                        ..base
                    }),
            ),
            RowKind::PvSeg => {
                for (p, segs) in infos[v].pvsegs.iter().enumerate() {
                    if !input.lists_pv(&vg.pvs[p].device) {
                        continue;
                    }
                    rows.extend(segs.iter().enumerate().map(|(j, s)| {
                        let (lv, seg) = s.owner.unwrap_or((NONE, NONE));
                        Row {
                            pv: p as u32,
                            lv,
                            seg,
                            pvseg: j as u32,
                            ..base
                        }
                    }));
                }
            }
        }
    }
    if cmd == ReportKind::Pvs && matches!(kind, RowKind::Pv | RowKind::PvSeg) {
        rows.extend(
            (0..input.orphans.len())
                .filter(|&o| input.lists_pv(&input.orphans[o].device))
                .map(|o| Row {
                    pv: o as u32,
                    ..EMPTY_ROW
                }),
        );
    }
    rows
}

/// Builds what getters see for a row.
fn ctx<'a>(
    row: Row,
    kind: RowKind,
    set: &'a Settings,
    input: &ReportInput<'a>,
    infos: &'a [VgInfo],
    live: bool,
) -> Ctx<'a> {
    let vg = (row.vg != NONE).then(|| (&input.vgs[row.vg as usize], &infos[row.vg as usize]));
    let pv = match (vg, row.pv) {
        (_, NONE) => None,
        (Some((vg, _)), p) => vg.pvs.get(p as usize).map(PvRef::Member),
        (None, p) => input.orphans.get(p as usize).map(PvRef::Orphan),
    };
    let real_lv = match (vg, row.lv) {
        (Some((vg, _)), l) if l != NONE => vg.lvs.get(l as usize).map(|lv| (lv, l as usize)),
        _ => None,
    };
    let pvseg = match (vg, kind) {
        (Some((_, info)), RowKind::PvSeg) => info
            .pvsegs
            .get(row.pv as usize)
            .and_then(|s| s.get(row.pvseg as usize))
            .copied(),
        (None, RowKind::PvSeg) => Some(PvSeg {
            start: 0,
            len: 0,
            owner: None,
        }),
        _ => None,
    };
    let lv = match (real_lv, kind) {
        (Some((lv, idx)), _) => Some(LvRef::Lv { lv, idx }),
        (None, RowKind::PvSeg) => Some(LvRef::Free),
        _ => None,
    };
    let seg = match (real_lv, row.seg) {
        (Some((lv, _)), s) if s != NONE => lv.segments.get(s as usize).map(SegRef::Seg),
        _ if kind == RowKind::PvSeg => Some(SegRef::Free {
            len: pvseg.map_or(0, |s| s.len),
        }),
        _ => None,
    };
    let live = match (live, vg, real_lv) {
        (true, Some((vg, _)), Some((lv, _))) => input.live.lv(vg, lv),
        _ => LvLive::default(),
    };
    Ctx {
        set,
        vg,
        pv,
        pv_idx: row.pv as usize,
        lv,
        seg,
        pvseg,
        live,
    }
}

/// One evaluated cell: its text in the arena and its sort key.
#[derive(Debug, Clone, Copy)]
struct CellRec<'a> {
    start: usize,
    end: usize,
    key: Key<'a>,
}

/// The evaluated report: every column of every row, then the rows to print in order.
pub(super) struct Table<'a> {
    pub cols: Vec<Column>,
    text: String,
    cells: Vec<CellRec<'a>>,
    pub order: Vec<usize>,
}

impl<'a> Table<'a> {
    /// The text of a cell.
    pub fn text(&self, row: usize, col: usize) -> &str {
        let c = &self.cells[row * self.cols.len() + col];
        &self.text[c.start..c.end]
    }

    fn key(&self, row: usize, col: usize) -> Key<'a> {
        self.cells[row * self.cols.len() + col].key
    }

    fn cell(&self, row: usize, col: usize) -> Cell<'_> {
        Cell {
            key: self.key(row, col),
            text: self.text(row, col),
        }
    }
}

/// What the evaluation needs beyond the rows.
pub(super) struct Eval<'p, 'a> {
    pub kind: RowKind,
    pub set: &'a Settings,
    pub input: &'p ReportInput<'a>,
    pub infos: &'a [VgInfo],
    pub live: bool,
}

/// Evaluates all columns, applies the selection and sorts.
pub(super) fn evaluate<'a>(
    e: &Eval<'_, 'a>,
    rows: &[Row],
    cols: Vec<Column>,
    selection: Option<&Selection>,
    sort: &[(usize, bool)],
) -> Table<'a> {
    let ncols = cols.len();
    let mut table = Table {
        text: String::with_capacity(rows.len() * ncols * 8),
        cells: Vec::with_capacity(rows.len() * ncols),
        cols,
        order: Vec::with_capacity(rows.len()),
    };
    let selected_col = table
        .cols
        .iter()
        .position(|c| c.field == FieldRef::Special(Special::Selected));
    for (r, &row) in rows.iter().enumerate() {
        let c = ctx(row, e.kind, e.set, e.input, e.infos, e.live);
        for col in &table.cols {
            let start = table.text.len();
            let key = match col.field {
                FieldRef::Table(i) => (FIELDS[i].get)(&c, &mut table.text),
                FieldRef::Special(_) => Key::Num(1),
            };
            table.cells.push(CellRec {
                start,
                end: table.text.len(),
                key,
            });
        }
        let passes = selection.is_none_or(|s| s.matches(&|col| table.cell(r, col)));
        match selected_col {
            Some(sc) => {
                let start = table.text.len();
                table.text.push(if passes { '1' } else { '0' });
                table.cells[r * ncols + sc] = CellRec {
                    start,
                    end: start + 1,
                    key: Key::Num(passes as u64),
                };
                // A hidden `selected` (used only to sort) still filters, as in LVM2.
                if passes || !table.cols[sc].hidden {
                    table.order.push(r);
                }
            }
            None if passes => table.order.push(r),
            None => {}
        }
    }
    if !sort.is_empty() {
        let mut order = std::mem::take(&mut table.order);
        order.sort_by(|&a, &b| compare(&table, a, b, sort));
        table.order = order;
    }
    table
}

/// LVM2's row comparison: numbers, sizes, percentages and times numerically, everything
/// else by byte order of the sort string.
fn compare(t: &Table<'_>, a: usize, b: usize, sort: &[(usize, bool)]) -> Ordering {
    for &(col, desc) in sort {
        let ord = match (t.key(a, col), t.key(b, col)) {
            (Key::Num(x), Key::Num(y))
            | (Key::Size(x), Key::Size(y))
            | (Key::Pct(x), Key::Pct(y))
            | (Key::Time(x), Key::Time(y)) => x.cmp(&y),
            (ka, kb) => sort_str(t, a, col, ka).cmp(sort_str(t, b, col, kb)),
        };
        if ord != Ordering::Equal {
            return if desc { ord.reverse() } else { ord };
        }
    }
    Ordering::Equal
}

fn sort_str<'t>(t: &'t Table<'_>, row: usize, col: usize, key: Key<'t>) -> &'t str {
    match key {
        Key::Str(s) => s,
        _ => t.text(row, col),
    }
}
