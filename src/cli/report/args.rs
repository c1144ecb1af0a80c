//! The report options LVM2's pvs, vgs and lvs share (its OO_REPORT set), flattened into each
//! command with clap. Every long name is unambiguous by prefix, so clap's
//! `infer_long_args` accepts LVM2's abbreviations (`--unit=g`, `--noheading`, `--sep :`).

/// Report options shared by pvs, vgs and lvs.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Comma-separated fields; `+` appends to the defaults, `-` removes from them.
    #[arg(short = 'o', long = "options", action = clap::ArgAction::Append,
          allow_hyphen_values = true, value_name = "FIELDS")]
    pub options: Vec<String>,
    /// Sort keys, comma-separated; a leading `-` sorts that key in descending order.
    #[arg(
        short = 'O',
        long = "sort",
        allow_hyphen_values = true,
        value_name = "KEYS"
    )]
    pub sort: Option<String>,
    /// Only rows matching this selection (LVM2's `-S` language).
    #[arg(short = 'S', long = "select", value_name = "SELECTION")]
    pub select: Option<String>,
    /// Omit the heading line.
    #[arg(long)]
    pub noheadings: bool,
    /// Separate columns with this string instead of aligning them.
    #[arg(long, allow_hyphen_values = true)]
    pub separator: Option<String>,
    /// Pad columns even when a separator is given.
    #[arg(long)]
    pub aligned: bool,
    /// Units for sizes: hHbBsSkKmMgGtTpPeE (r/R: human, marking rounded values with `<`).
    #[arg(long)]
    pub units: Option<String>,
    /// Print sizes without the unit letter.
    #[arg(long)]
    pub nosuffix: bool,
    /// `basic` or `json`.
    #[arg(long)]
    pub reportformat: Option<String>,
    /// Print `LVM2_FIELD='value'` pairs, for shell `eval`.
    #[arg(long)]
    pub nameprefixes: bool,
    /// With --nameprefixes, leave values unquoted.
    #[arg(long)]
    pub unquoted: bool,
    /// Print each field as a row and each object as a column.
    #[arg(long)]
    pub rows: bool,
    /// Print binary fields as 0/1.
    #[arg(long)]
    pub binary: bool,
    /// Include hidden LVs (a merging snapshot), shown in brackets. The command sets this
    /// from its own `-a/--all`, which pvs also uses for devices.
    #[arg(skip)]
    pub all: bool,
    /// One row per LV segment (lvs) or PV segment (pvs).
    #[arg(long)]
    pub segments: bool,
    /// Accepted for compatibility; rvm always buffers to sort.
    #[arg(long)]
    pub unbuffered: bool,
    /// Use the verbose default columns (the command sets this from its `-v`).
    #[arg(skip)]
    pub verbose: bool,
}
