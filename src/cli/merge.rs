//! `lvconvert --merge` and `lvpoll --polloperation merge`: starting, resuming and waiting
//! for snapshot merges.
//!
//! A merge is recorded (VG metadata and the store's header) before it starts copying, and
//! every copied chunk is recorded as it goes, so it survives anything. It runs wherever
//! its origin is open: in the foreground `lvconvert`, in a detached `rvm lvpoll` (what
//! `-b`, `lvchange -ay/--refresh` and `vgchange -ay/--refresh` start, as LVM2 hands merges
//! to lvmpolld), in any command that opens the origin (which hands the merge to a
//! detached `lvpoll` when it closes), or in the daemon.

use super::lv::parse_lv_spec;
use super::{CliError, CliResult, Ctx};
use crate::engine::Origin;
use crate::host::{MergeStart, VgHostError};
use crate::meta::model::Vg;
use std::io::Write;
use std::time::{Duration, Instant};

/// LVM2's default `activation/polling_interval`.
const DEFAULT_INTERVAL: u64 = 15;

/// A merge being waited for.
struct Waiting {
    vg: String,
    start: MergeStart,
}

/// Merge progress in percent: exceptions copied back of those the merge started with.
fn percent(origin: &Origin) -> Option<f64> {
    let p = origin.merge_progress()?;
    Some(if p.total == 0 {
        100.0
    } else {
        p.merged as f64 * 100.0 / p.total as f64
    })
}

/// Waits until every merge is done, printing LVM2's progress lines every `interval`
/// seconds (a bar instead on a terminal), then LVM2's closing lines.
fn wait(ctx: &Ctx<'_>, merges: Vec<Waiting>, interval: u64, out: &mut dyn Write) -> CliResult {
    let bars = indicatif::MultiProgress::new();
    let mut rows = Vec::new();
    for m in merges {
        let label = format!("{}/{}", m.vg, m.start.origin_name);
        let bar = if ctx.interactive {
            let b = bars.add(indicatif::ProgressBar::new(10_000));
            b.set_style(
                indicatif::ProgressStyle::with_template("  {msg}: Merged {bar:40} {percent}%")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b.set_message(label.clone());
            Some(b)
        } else {
            None
        };
        rows.push((label, m, bar));
    }
    let step = Duration::from_secs(interval.max(1));
    let mut next_line = Instant::now();
    loop {
        let mut running = 0;
        let print_now = interval > 0 && Instant::now() >= next_line;
        for (label, m, bar) in &rows {
            let o = &m.start.origin;
            if let Some(p) = o.merge_progress() {
                if let Some(e) = p.error {
                    return Err(CliError::Usage(format!(
                        "{label}: Merge failed. Retry merge or inspect manually. ({e})"
                    )));
                }
                running += 1;
            }
            let pct = percent(o).unwrap_or(100.0);
            match bar {
                Some(b) => b.set_position((pct * 100.0) as u64),
                None if print_now && o.merge_progress().is_some() => {
                    writeln!(out, "  {label}: Merged: {pct:.2}%")?;
                    out.flush()?;
                }
                None => {}
            }
        }
        if print_now {
            next_line = Instant::now() + step;
        }
        if running == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    for (label, m, bar) in rows {
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        writeln!(out, "  {label}: Merged: 100.00%")?;
        writeln!(
            out,
            "  Merge of snapshot into logical volume {} has finished.",
            m.start.origin_name
        )?;
        writeln!(
            out,
            "  Logical volume \"{}\" successfully removed.",
            m.start.snapshot_name
        )?;
    }
    Ok(())
}

/// `lvconvert --merge [-b] [-i N] VG/SNAP...`.
pub fn lvconvert(
    ctx: &Ctx<'_>,
    merge: bool,
    background: bool,
    interval: Option<u64>,
    names: &[String],
    out: &mut dyn Write,
) -> CliResult {
    if !merge {
        return Err(CliError::Usage(
            "rvm's lvconvert only merges snapshots: use --merge.".into(),
        ));
    }
    let mut started = Vec::new();
    for n in names {
        let (vg, lv) = parse_lv_spec(n);
        let lv = lv
            .ok_or_else(|| CliError::Usage(format!("Please specify a logical volume path: {n}")))?;
        let host = ctx.hosts.host(ctx.env, &vg)?;
        let start = host.start_merge(ctx.env, &lv)?;
        if start.resumed {
            writeln!(out, "  Merging of volume {vg}/{lv} resumed.")?;
        } else {
            writeln!(out, "  Merging of volume {vg}/{lv} started.")?;
        }
        out.flush()?;
        started.push(Waiting { vg, start });
    }
    if background {
        // Closing the command's hosts hands each merge to a detached `rvm lvpoll`.
        return Ok(());
    }
    wait(ctx, started, interval.unwrap_or(DEFAULT_INTERVAL), out)
}

/// `lvpoll --polloperation merge VG/ORIGIN`: opens the origin, which resumes its merge,
/// and waits for it. Quietly does nothing when another process has the origin open
/// (that process runs the merge, and hands it on when it closes).
pub fn lvpoll(
    ctx: &Ctx<'_>,
    operation: &str,
    interval: Option<u64>,
    name: &str,
    out: &mut dyn Write,
) -> CliResult {
    if operation != "merge" {
        return Err(CliError::Usage(format!(
            "rvm polls only merges, not {operation}."
        )));
    }
    let (vg, origin) = parse_lv_spec(name);
    let origin = origin
        .ok_or_else(|| CliError::Usage(format!("Please specify a logical volume path: {name}")))?;
    let host = ctx.hosts.host(ctx.env, &vg)?;
    let model = host.vg();
    let Some(snap) = merging_snapshot(&model, &origin) else {
        writeln!(
            out,
            "  Logical volume {vg}/{origin} is no longer merging origin, polling has finished."
        )?;
        return Ok(());
    };
    let start = match host.start_merge(ctx.env, &snap) {
        Ok(s) => s,
        // Someone else has the origin open, and with it the merge.
        Err(VgHostError::Refused(_)) | Err(VgHostError::InUse(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    wait(ctx, vec![Waiting { vg, start }], interval.unwrap_or(0), out)
}

/// The snapshot merging into `origin`, if one is.
fn merging_snapshot(vg: &Vg, origin: &str) -> Option<String> {
    let o = vg.lv(origin)?;
    vg.snapshots_of(&o.id)
        .find(|s| s.snapshot().is_some_and(|i| i.merging))
        .map(|s| s.name.clone())
}

/// Resumes every recorded merge into the origins among `names` (every origin of the VG
/// when `None`): in the daemon by opening the origin there; otherwise with a detached
/// `rvm lvpoll`, as LVM2's activation hands merges to lvmpolld (a poller that finds the
/// origin open elsewhere exits at once).
pub fn resume_merges(ctx: &Ctx<'_>, vg: &Vg, names: Option<&[String]>) {
    for lv in &vg.lvs {
        let Some(info) = lv.snapshot().filter(|i| i.merging) else {
            continue;
        };
        let Some(origin) = vg.lv_by_id(&info.origin) else {
            continue;
        };
        let named = names.is_none_or(|n| n.iter().any(|x| *x == origin.name || *x == lv.name));
        if !named {
            continue;
        }
        if ctx.hosts.long_lived() {
            // The daemon: opening the origin resumes the merge, and it runs on here.
            let opened = ctx
                .hosts
                .host(ctx.env, &vg.name)
                .and_then(|h| h.volume(ctx.env, &origin.name));
            if let Err(e) = opened {
                ctx.env.warn(format!(
                    "WARNING: Cannot resume the merge into {}/{}: {e}",
                    vg.name, origin.name
                ));
            }
        } else {
            spawn_poller(ctx, &vg.name, &origin.name);
        }
    }
}

/// Starts `rvm lvpoll --polloperation merge VG/ORIGIN` in its own process group, with no
/// terminal, so that it outlives this command.
pub fn spawn_poller(ctx: &Ctx<'_>, vg: &str, origin: &str) {
    use std::os::unix::process::CommandExt;
    let Ok(exe) = std::env::current_exe() else {
        ctx.env.warn(format!(
            "WARNING: Cannot start the background merge of {vg}/{origin}; it resumes when the origin is next opened."
        ));
        return;
    };
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["lvpoll", "--polloperation", "merge"]);
    if let Some(c) = &ctx.config_text {
        cmd.args(["--config", c]);
    }
    cmd.arg(format!("{vg}/{origin}"))
        .env("RVM_SYSTEM_DIR", &ctx.env.system_dir)
        .env("RVM_RUN_DIR", &ctx.env.run_dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    if let Err(e) = cmd.spawn() {
        ctx.env.warn(format!(
            "WARNING: Cannot start the background merge of {vg}/{origin} ({e}); it resumes when the origin is next opened."
        ));
    }
}
