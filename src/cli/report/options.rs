//! `-o`, `-O` and the choice of report type, as LVM2's reporter resolves them: default
//! column sets, `+`/`-` edits, field-name matching (case, underscores and the report prefix
//! optional), `*_all`, hidden sort keys, and what kind of row the fields require.

use super::fields::{Section, FIELDS};
use super::{ReportError, ReportKind};

/// The special fields every report knows besides the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    Selected,
    Help,
}

/// A column of the report: a table field or a special one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldRef {
    Table(usize),
    Special(Special),
}

impl FieldRef {
    pub fn id(self) -> &'static str {
        match self {
            FieldRef::Table(i) => FIELDS[i].id,
            FieldRef::Special(Special::Selected) => "selected",
            FieldRef::Special(Special::Help) => "help",
        }
    }

    pub fn heading(self) -> &'static str {
        match self {
            FieldRef::Table(i) => FIELDS[i].heading,
            FieldRef::Special(Special::Selected) => "Selected",
            FieldRef::Special(Special::Help) => "Help",
        }
    }

    /// Minimum width: the table's, or 8 for the special fields (as libdm declares them).
    pub fn width(self) -> usize {
        match self {
            FieldRef::Table(i) => FIELDS[i].width,
            FieldRef::Special(_) => 8,
        }
    }

    pub fn right_aligned(self) -> bool {
        match self {
            FieldRef::Table(i) => FIELDS[i].vtype.right_aligned(),
            FieldRef::Special(_) => true,
        }
    }

    fn section_bit(self) -> u16 {
        match self {
            FieldRef::Table(i) => FIELDS[i].section.bit(),
            FieldRef::Special(_) => 0,
        }
    }
}

/// A column in the report; hidden ones exist only to sort or select on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Column {
    pub field: FieldRef,
    pub hidden: bool,
}

/// What one row of the report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowKind {
    Vg,
    Lv,
    Seg,
    Pv,
    PvSeg,
}

/// The command's own report type: its defaults, its field prefix and its JSON name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Base {
    pub section: Section,
    pub kind: ReportKind,
}

impl Base {
    pub fn new(kind: ReportKind, segments: bool) -> Base {
        let section = match (kind, segments) {
            (ReportKind::Lvs, false) => Section::Lvs,
            (ReportKind::Lvs, true) => Section::Segs,
            (ReportKind::Vgs, _) => Section::Vgs,
            (ReportKind::Pvs, false) => Section::Label,
            (ReportKind::Pvs, true) => Section::PvSegs,
        };
        Base { section, kind }
    }

    /// `lv`, `vg`, `pv`, `seg` or `pvseg`: the report's name in JSON and in errors.
    pub fn name(self) -> &'static str {
        self.section.prefix().trim_end_matches('_')
    }

    /// LVM2's default columns (`report/*_cols` and `*_cols_verbose`).
    pub fn default_columns(self, verbose: bool) -> &'static str {
        match (self.section, verbose) {
            (Section::Lvs, false) => "lv_name,vg_name,lv_attr,lv_size,pool_lv,origin,data_percent,metadata_percent,move_pv,mirror_log,copy_percent,convert_lv",
            (Section::Lvs, true) => "lv_name,vg_name,seg_count,lv_attr,lv_size,lv_major,lv_minor,lv_kernel_major,lv_kernel_minor,pool_lv,origin,data_percent,metadata_percent,move_pv,copy_percent,mirror_log,convert_lv,lv_uuid,lv_profile",
            (Section::Vgs, false) => "vg_name,pv_count,lv_count,snap_count,vg_attr,vg_size,vg_free",
            (Section::Vgs, true) => "vg_name,vg_attr,vg_extent_size,pv_count,lv_count,snap_count,vg_size,vg_free,vg_uuid,vg_profile",
            (Section::Segs, false) => "lv_name,vg_name,lv_attr,stripes,segtype,seg_size",
            (Section::Segs, true) => "lv_name,vg_name,lv_attr,seg_start,seg_size,stripes,segtype,stripesize,chunksize",
            (Section::PvSegs, false) => "pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free,pvseg_start,pvseg_size",
            (Section::PvSegs, true) => "pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free,pvseg_start,pvseg_size,lv_name,seg_start_pe,segtype,seg_pe_ranges",
            (_, false) => "pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free",
            (_, true) => "pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free,dev_size,pv_uuid",
        }
    }

    /// LVM2's default sort keys.
    pub fn default_sort(self) -> &'static str {
        match self.section {
            Section::Lvs => "vg_name,lv_name",
            Section::Vgs => "vg_name",
            Section::Segs => "vg_name,lv_name,seg_start",
            Section::PvSegs => "pv_name,pvseg_start",
            _ => "pv_name",
        }
    }
}

/// Applies the `-o` groups to the default list: `+` appends, `-` removes, `#` (compaction)
/// is accepted and ignored, anything else replaces.
pub(super) fn option_list(
    base: Base,
    verbose: bool,
    groups: &[String],
) -> Result<Vec<String>, ReportError> {
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut list = split(base.default_columns(verbose));
    let prefix = base.name();
    for group in groups {
        if group.is_empty() {
            return Err(ReportError::InvalidOptions(group.clone()));
        }
        match group.as_bytes()[0] {
            b'+' => list.extend(split(&group[1..])),
            b'-' => {
                for name in split(&group[1..]) {
                    remove_option(&mut list, prefix, &name);
                }
            }
            b'#' => {}
            _ => list = split(group),
        }
    }
    Ok(list)
}

/// Removes the last entry equal to `name`, with the report prefix optional on both sides.
fn remove_option(list: &mut Vec<String>, prefix: &str, name: &str) {
    let strip = |s: &str| -> String {
        let rest = s.strip_prefix(prefix).unwrap_or(s);
        rest.strip_prefix('_').unwrap_or(rest).to_owned()
    };
    let want = strip(name);
    if let Some(pos) = list.iter().rposition(|s| s == name || strip(s) == want) {
        list.remove(pos);
    }
}

/// Removes underscores: LVM2 compares field names without them.
fn canonical(s: &str) -> String {
    s.chars().filter(|&c| c != '_').collect()
}

/// Whether a user's name denotes a field id: case-insensitive, underscores ignored, and the
/// report's prefix optional (`name` is `lv_name` in lvs, `vg_name` in vgs).
fn same_field(id: &str, user_canon: &str, prefix: &str) -> bool {
    let id = canonical(id);
    if id.eq_ignore_ascii_case(user_canon) {
        return true;
    }
    let p = prefix.trim_end_matches('_');
    id.len() >= p.len()
        && id[..p.len()].eq_ignore_ascii_case(p)
        && id[p.len()..].eq_ignore_ascii_case(user_canon)
}

/// Resolves one field name to a column; `None` if it names nothing.
pub(super) fn lookup(base: Base, name: &str) -> Option<FieldRef> {
    if name.is_empty() {
        return None;
    }
    let user = canonical(name);
    let prefix = base.section.prefix();
    for (id, special) in [
        ("selected", Special::Selected),
        ("help", Special::Help),
        ("?", Special::Help),
    ] {
        if same_field(id, &user, prefix) {
            return Some(FieldRef::Special(special));
        }
    }
    FIELDS
        .iter()
        .position(|f| same_field(f.id, &user, prefix))
        .map(FieldRef::Table)
}

/// The sections a `*_all` name (or bare `all`) selects, as a bit set; 0 if it is not one.
fn all_match(base: Base, name: &str) -> u16 {
    let user = canonical(name);
    let mut bits = 0;
    let (stem, bare) = if user.eq_ignore_ascii_case("all") {
        (base.section.prefix().trim_end_matches('_').to_owned(), true)
    } else {
        (user, false)
    };
    for s in Section::ALL {
        let p = s.prefix().trim_end_matches('_');
        let matches = if bare {
            stem.eq_ignore_ascii_case(p)
        } else {
            stem.len() == p.len() + 3
                && stem[..p.len()].eq_ignore_ascii_case(p)
                && stem[p.len()..].eq_ignore_ascii_case("all")
        };
        if matches {
            bits |= s.bit();
        }
    }
    if bare {
        bits |= base.section.bit();
    }
    bits
}

/// Turns the final option list into columns.
pub(super) fn columns(base: Base, names: &[String]) -> Result<Vec<Column>, ReportError> {
    let mut cols = Vec::with_capacity(names.len());
    for name in names {
        if let Some(field) = lookup(base, name) {
            cols.push(Column {
                field,
                hidden: false,
            });
            continue;
        }
        let bits = all_match(base, name);
        if bits == 0 {
            return Err(ReportError::UnknownField(name.clone()));
        }
        cols.extend(
            FIELDS
                .iter()
                .enumerate()
                .filter(|(_, f)| f.section.bit() & bits != 0)
                .map(|(i, _)| Column {
                    field: FieldRef::Table(i),
                    hidden: false,
                }),
        );
    }
    Ok(cols)
}

/// Finds a column for `field`, adding it hidden if the report does not show it.
pub(super) fn column_for(cols: &mut Vec<Column>, field: FieldRef) -> usize {
    match cols.iter().position(|c| c.field == field) {
        Some(i) => i,
        None => {
            cols.push(Column {
                field,
                hidden: true,
            });
            cols.len() - 1
        }
    }
}

/// Parses `-O` keys into (column, descending) pairs, adding hidden columns as needed.
pub(super) fn sort_keys(
    base: Base,
    keys: &str,
    cols: &mut Vec<Column>,
) -> Result<Vec<(usize, bool)>, ReportError> {
    let mut out: Vec<(usize, bool)> = Vec::new();
    for key in keys.split(',').filter(|k| !k.is_empty()) {
        let (name, desc) = match key.as_bytes()[0] {
            b'-' => (&key[1..], true),
            b'+' => (&key[1..], false),
            _ => (key, false),
        };
        let field =
            lookup(base, name).ok_or_else(|| ReportError::UnknownSortField(key.to_owned()))?;
        let col = column_for(cols, field);
        if !out.iter().any(|&(c, _)| c == col) {
            out.push((col, desc));
        }
    }
    Ok(out)
}

const LV_BITS: u16 = (1 << Section::Lvs as u16)
    | (1 << Section::LvsInfo as u16)
    | (1 << Section::LvsStatus as u16)
    | (1 << Section::LvsInfoStatus as u16);

/// Decides what a row is about from every field the report touches, as LVM2's
/// `_get_final_report_type` does: `vgs -o lv_attr` lists LVs, `pvs -o lv_name` lists PV
/// segments, and LV fields cannot mix with PV fields outside pvs.
pub(super) fn row_kind(base: Base, cols: &[Column]) -> Result<RowKind, ReportError> {
    let mut bits = base.section.bit();
    for c in cols {
        bits |= c.field.section_bit();
    }
    if bits & Section::Segs.bit() != 0 {
        bits |= Section::Lvs.bit();
    }
    if bits & Section::PvSegs.bit() != 0 {
        bits |= Section::Pvs.bit();
    }
    let has = |s: Section| bits & s.bit() != 0;
    let lvish = bits & LV_BITS != 0;
    let pvish = has(Section::Pvs) || has(Section::Label);
    if lvish && pvish && base.kind != ReportKind::Pvs {
        return Err(ReportError::LvAndPvFields(base.name()));
    }
    Ok(if has(Section::PvSegs) || (pvish && lvish) {
        RowKind::PvSeg
    } else if pvish {
        RowKind::Pv
    } else if has(Section::Segs) {
        RowKind::Seg
    } else if lvish {
        RowKind::Lv
    } else {
        RowKind::Vg
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lvs() -> Base {
        Base::new(ReportKind::Lvs, false)
    }

    fn id_of(base: Base, name: &str) -> &'static str {
        lookup(base, name).unwrap().id()
    }

    #[test]
    fn names_match_like_lvm2() {
        assert_eq!(id_of(lvs(), "name"), "lv_name");
        assert_eq!(id_of(lvs(), "LV_NAME"), "lv_name");
        assert_eq!(id_of(lvs(), "lvname"), "lv_name");
        assert_eq!(id_of(lvs(), "Attr"), "lv_attr");
        assert_eq!(id_of(lvs(), "Origin"), "origin");
        assert_eq!(id_of(lvs(), "size"), "lv_size");
        assert_eq!(id_of(lvs(), "uuid"), "lv_uuid");
        assert_eq!(id_of(lvs(), "stripesize"), "stripe_size");
        let vgs = Base::new(ReportKind::Vgs, false);
        assert_eq!(id_of(vgs, "free"), "vg_free");
        assert_eq!(id_of(vgs, "attr"), "vg_attr");
        let pvs = Base::new(ReportKind::Pvs, false);
        assert_eq!(id_of(pvs, "free"), "pv_free");
        assert_eq!(id_of(pvs, "uuid"), "pv_uuid");
        assert_eq!(id_of(pvs, "attr"), "pv_attr");
        assert!(lookup(lvs(), "free").is_none());
        assert!(lookup(lvs(), "bogus").is_none());
    }

    #[test]
    fn option_edits() {
        let l = option_list(lvs(), false, &["-lv_attr,data_percent".into()]).unwrap();
        assert!(!l.contains(&"lv_attr".to_owned()));
        assert!(!l.contains(&"data_percent".to_owned()));
        let l = option_list(
            lvs(),
            false,
            &["lv_name,lv_size".into(), "-size".into(), "+vg_name".into()],
        )
        .unwrap();
        assert_eq!(l, ["lv_name", "vg_name"]);
        assert!(option_list(lvs(), false, &["".into()]).is_err());
    }

    #[test]
    fn all_expands_sections() {
        let cols = columns(lvs(), &["lv_all".into()]).unwrap();
        assert!(cols.iter().all(|c| match c.field {
            FieldRef::Table(i) => LV_BITS & FIELDS[i].section.bit() != 0,
            _ => false,
        }));
        let pvs = Base::new(ReportKind::Pvs, false);
        let all = columns(pvs, &["all".into()]).unwrap();
        let pv_all = columns(pvs, &["pv_all".into()]).unwrap();
        assert_eq!(all, pv_all);
    }

    #[test]
    fn row_kinds_follow_lvm2() {
        let vgs = Base::new(ReportKind::Vgs, false);
        let pvs = Base::new(ReportKind::Pvs, false);
        let kind = |b: Base, names: &str| {
            let list: Vec<String> = names.split(',').map(str::to_owned).collect();
            row_kind(b, &columns(b, &list).unwrap())
        };
        assert_eq!(kind(vgs, "vg_name").unwrap(), RowKind::Vg);
        assert_eq!(kind(vgs, "lv_attr").unwrap(), RowKind::Lv);
        assert_eq!(kind(vgs, "pv_name").unwrap(), RowKind::Pv);
        assert!(kind(vgs, "pv_name,lv_name").is_err());
        assert!(kind(lvs(), "pv_name").is_err());
        assert_eq!(kind(lvs(), "vg_name").unwrap(), RowKind::Lv);
        assert_eq!(kind(lvs(), "chunk_size").unwrap(), RowKind::Seg);
        assert_eq!(kind(pvs, "pv_uuid").unwrap(), RowKind::Pv);
        assert_eq!(kind(pvs, "vg_name").unwrap(), RowKind::Pv);
        assert_eq!(kind(pvs, "lv_name").unwrap(), RowKind::PvSeg);
    }
}
