//! Golden tests: the expected strings are the stdout of real LVM2 2.03.16 runs (the command
//! is quoted above each), against the layout that `fixture` rebuilds as rvm's model.
//!
//! The layout was made with loop devices over sparse files (100 MiB, 250 MiB, 1 GiB, 3 GiB,
//! 99999744 bytes, 64 MiB), `pvcreate`, `vgcreate rptvg1` (4 MiB extents),
//! `vgcreate -s 1M rptvg2`, `vgcreate rptvg3`, `lvcreate --config 'global{activation=0}'`
//! for the linear LVs, and snapshots added to the metadata with vgcfgrestore (LVM2 cannot
//! create them without device-mapper): snap1 of lv1 (4 KiB chunks) and snapm, merging into
//! lvspan2 (128 KiB chunks).
//!
//! LVM2 without device-mapper prints `X` in lv_attr's state and open columns; the fixture's
//! LVs are inactive, which rvm prints as `-` (see `lvm2`).

mod basic;
mod display;
mod extra;
mod fixture;
mod json;
mod lvdisplay;
mod options;
mod select;
mod units;

pub(super) use super::ReportKind;
use super::{render_with_help, ReportArgs, ReportInput};
use fixture::Live;

/// An LVM2 golden string with lv_attr's unknown state columns (`XX`) as rvm prints an
/// inactive, closed LV.
pub(super) fn lvm2(s: &str) -> String {
    s.replace("-XX", "---")
}

/// Renders a report over the fixture with the given command-line arguments.
pub(super) fn run(kind: ReportKind, argv: &[&str]) -> Result<String, super::ReportError> {
    run_on(kind, argv, &[])
}

/// `run`, limited to the named VGs (as a command given VG arguments passes only those).
pub(super) fn run_on(
    kind: ReportKind,
    argv: &[&str],
    only: &[&str],
) -> Result<String, super::ReportError> {
    run_pvs(kind, argv, only, &[])
}

/// `run_on`, listing only the named PVs as `pvs PV...` does.
pub(super) fn run_pvs(
    kind: ReportKind,
    argv: &[&str],
    only: &[&str],
    pvs: &[&str],
) -> Result<String, super::ReportError> {
    run_named(kind, argv, only, pvs, &[])
}

/// `run_pvs`, listing only the named `VG/LV`s as `lvs VG/LV...` does.
pub(super) fn run_named(
    kind: ReportKind,
    argv: &[&str],
    only: &[&str],
    pvs: &[&str],
    lvs: &[&str],
) -> Result<String, super::ReportError> {
    use clap::Parser;
    #[derive(clap::Parser)]
    #[command(infer_long_args = true)]
    struct Cmd {
        #[command(flatten)]
        report: ReportArgs,
        #[arg(short = 'v')]
        verbose: bool,
        #[arg(short = 'a', long = "all")]
        all: bool,
    }
    let mut full = vec!["lvs"];
    full.extend_from_slice(argv);
    let cmd = Cmd::try_parse_from(full).expect("arguments parse");
    let mut args = cmd.report;
    args.verbose = cmd.verbose;
    args.all = cmd.all;
    let (mut vgs, orphans) = fixture::layout();
    if !only.is_empty() {
        vgs.retain(|vg| only.contains(&vg.name.as_str()));
    }
    let live = Live::default();
    let only_pvs: Vec<std::path::PathBuf> = pvs.iter().map(|p| p.into()).collect();
    let only_lvs: Vec<String> = lvs.iter().map(|l| l.to_string()).collect();
    let input = ReportInput {
        vgs: &vgs,
        orphans: &orphans,
        live: &live,
        only_pvs: (!pvs.is_empty()).then_some(&only_pvs[..]),
        only_lvs: (!lvs.is_empty()).then_some(&only_lvs[..]),
    };
    let mut out = Vec::new();
    let mut help = Vec::new();
    render_with_help(kind, &args, &input, &mut out, &mut help)?;
    out.extend_from_slice(&help);
    Ok(String::from_utf8(out).expect("utf-8 report"))
}

pub(super) fn lvs(argv: &[&str]) -> String {
    run(ReportKind::Lvs, argv).expect("lvs report")
}

pub(super) fn vgs(argv: &[&str]) -> String {
    run(ReportKind::Vgs, argv).expect("vgs report")
}

pub(super) fn pvs(argv: &[&str]) -> String {
    run(ReportKind::Pvs, argv).expect("pvs report")
}

/// Compares line by line first, so a failure names the line that differs.
#[track_caller]
pub(super) fn same(got: &str, want: &str) {
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(
            g,
            w,
            "line {} differs\n--- got:\n{got}\n--- want:\n{want}",
            i + 1
        );
    }
    assert_eq!(got, want);
}

/// Runs a display function over the fixture limited to the named VGs and PVs (all PVs of
/// those VGs when none is named).
pub(super) fn display(
    f: fn(
        &ReportInput<'_>,
        &super::display::DisplayArgs,
        &mut dyn std::io::Write,
    ) -> Result<(), super::ReportError>,
    args: &super::display::DisplayArgs,
    vgs: &[&str],
    pvs: &[&str],
) -> String {
    let (mut all_vgs, all_orphans) = fixture::layout();
    all_vgs.retain(|vg| vgs.contains(&vg.name.as_str()));
    let only: Vec<std::path::PathBuf> = pvs.iter().map(|p| p.into()).collect();
    let live = Live::default();
    let input = ReportInput {
        vgs: &all_vgs,
        orphans: &all_orphans,
        live: &live,
        only_pvs: (!only.is_empty()).then_some(&only[..]),
        only_lvs: None,
    };
    let mut out = Vec::new();
    f(&input, args, &mut out).expect("display");
    String::from_utf8(out).expect("utf-8 display")
}

/// The fixture's creation times as LVM2 printed them in UTC, for machines in other zones:
/// each is replaced by the local rendering rvm uses (itself tested in `time`).
pub(super) fn local_times(s: &str) -> String {
    const TIMES: [(u64, &str); 6] = [
        (1_795_301_274, "2026-11-21 22:47:54 +0000"),
        (1_795_301_335, "2026-11-21 22:48:55 +0000"),
        (1_795_301_341, "2026-11-21 22:49:01 +0000"),
        (1_795_301_400, "2026-11-21 22:50:00 +0000"),
        (1_795_301_500, "2026-11-21 22:51:40 +0000"),
        (1_795_301_343, "2026-11-21 22:49:03 +0000"),
    ];
    let mut out = s.to_owned();
    for (ts, utc) in TIMES {
        let mut local = String::new();
        super::time::write_time(&mut local, ts);
        out = out.replace(utc, &local);
    }
    out
}
