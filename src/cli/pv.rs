//! pvcreate, pvremove, pvscan, pvresize and pvck.

use super::args::Cmd;
use super::units::{display_size, parse_size, Sign};
use super::{CliError, CliResult};
use crate::block::FileDevice;
use crate::format::layout::DEFAULT_MDA_SIZE;
use crate::meta::actions::{self, PvCreateOpts};
use crate::meta::backup::BackupFile;
use crate::meta::pvio::{self, SlotState};
use crate::meta::{devices, Env, MetaError};
use std::io::Write;
use std::path::PathBuf;

/// Parses `--metadatasize` (MiB when no unit).
pub fn mda_size(arg: &Option<String>) -> Result<u64, CliError> {
    match arg {
        None => Ok(DEFAULT_MDA_SIZE),
        Some(s) => match parse_size(s, 'm')? {
            (Sign::Absolute, b) => Ok(b.div_ceil(4096) * 4096),
            _ => Err(CliError::Usage(format!(
                "Invalid argument for --metadatasize: {s}"
            ))),
        },
    }
}

pub fn run(cmd: Cmd, env: &Env, out: &mut dyn Write) -> CliResult {
    match cmd {
        Cmd::Pvcreate {
            force,
            uuid,
            restorefile,
            metadatasize,
            paths,
            ..
        } => {
            let mut opts = PvCreateOpts {
                force: force.force,
                mda_size: mda_size(&metadatasize)?,
                ..PvCreateOpts::default()
            };
            if let Some(u) = uuid {
                let id = u
                    .parse()
                    .map_err(|e| CliError::Usage(format!("Invalid UUID {u}: {e}")))?;
                opts.id = Some(id);
                if let Some(file) = restorefile {
                    let vg = BackupFile::read(&file)?.to_vg()?;
                    let pv = vg.pvs.iter().find(|p| p.id == id).ok_or_else(|| {
                        CliError::Usage(format!(
                            "Can't find uuid {u} in backup file {}",
                            file.display()
                        ))
                    })?;
                    opts.pe_start = Some(pv.pe_start);
                }
            } else if restorefile.is_some() {
                return Err(CliError::Usage(
                    "--uuid is required with --restorefile".into(),
                ));
            }
            for p in actions::pvcreate(env, &paths, &opts)? {
                writeln!(
                    out,
                    "  Physical volume \"{}\" successfully created.",
                    p.display()
                )?;
            }
            Ok(())
        }
        Cmd::Pvremove { force, paths, .. } => {
            for p in actions::pvremove(env, &paths, force.force)? {
                writeln!(
                    out,
                    "  Labels on physical volume \"{}\" successfully wiped.",
                    p.display()
                )?;
            }
            Ok(())
        }
        Cmd::Pvscan { novolumegroup, .. } => pvscan(env, novolumegroup, out),
        Cmd::Pvresize {
            setphysicalvolumesize,
            paths,
            ..
        } => {
            let size = match &setphysicalvolumesize {
                None => None,
                Some(s) => match parse_size(s, 'm')? {
                    (Sign::Absolute, b) => Some(b),
                    _ => return Err(CliError::Usage(format!("Invalid size {s}"))),
                },
            };
            for p in &paths {
                actions::pvresize(env, p, size)?;
                writeln!(out, "  Physical volume \"{}\" changed", p.display())?;
            }
            writeln!(
                out,
                "  {} physical volume(s) resized or updated / 0 physical volume(s) not resized",
                paths.len()
            )?;
            Ok(())
        }
        Cmd::Pvck { paths, .. } => pvck(&paths, out),
        _ => Ok(()),
    }
}

fn pvscan(env: &Env, only_orphans: bool, out: &mut dyn Write) -> CliResult {
    let view = env.read_all()?;
    let mut rows = Vec::new();
    let (mut total, mut used, mut free_total) = (0u64, 0u64, 0u64);
    let (mut n_used, mut n_free) = (0usize, 0usize);
    for vg in &view.vgs {
        let free = crate::meta::alloc::FreeMap::of(vg);
        for (i, pv) in vg.pvs.iter().enumerate() {
            let size = pv.pe_count * vg.extent_size;
            total += size;
            used += size;
            n_used += 1;
            if !only_orphans {
                rows.push((
                    pv.device.display().to_string(),
                    format!("VG {}", vg.name),
                    format!(
                        "[{} / {} free]",
                        display_size(size),
                        display_size(free.pv_free(i) * vg.extent_size)
                    ),
                ));
            }
        }
    }
    for o in &view.orphans {
        total += o.dev_size;
        free_total += o.dev_size;
        n_free += 1;
        rows.push((
            o.device.display().to_string(),
            String::new(),
            format!("[{}]", display_size(o.dev_size)),
        ));
    }
    if rows.is_empty() {
        writeln!(out, "  No matching physical volumes found")?;
        return Ok(());
    }
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (dev, vg, size) in rows {
        writeln!(out, "  PV {dev:<w0$}   {vg:<w1$} lvm2 {size}")?;
    }
    writeln!(
        out,
        "  Total: {} [{}] / in use: {n_used} [{}] / in no VG: {n_free} [{}]",
        n_used + n_free,
        display_size(total),
        display_size(used),
        display_size(free_total)
    )?;
    Ok(())
}

fn describe_slot(s: &SlotState) -> String {
    match s {
        SlotState::Empty => "empty".into(),
        SlotState::Valid { record, .. } => format!("VG {} seqno {}", record.name, record.seqno),
        SlotState::Damaged(e) => format!("damaged ({e})"),
    }
}

/// Reports each PV's label copies and metadata slots; fails if any copy is damaged.
fn pvck(paths: &[PathBuf], out: &mut dyn Write) -> CliResult {
    let mut problems = Vec::new();
    for p in paths {
        let path = devices::canonical(p)?;
        let dev = FileDevice::open_read_only(&path).map_err(|e| MetaError::io(&path, e))?;
        let labels = pvio::read_labels(&dev).map_err(|e| MetaError::io(&path, e))?;
        let Some(label) = labels.best else {
            return Err(CliError::Usage(format!(
                "No rvm label found on {}",
                path.display()
            )));
        };
        for (name, l, at) in [
            ("head", &labels.head, 0),
            ("tail", &labels.tail, label.layout.tail_label),
        ] {
            match l {
                Ok(l) => writeln!(
                    out,
                    "  Found {name} label on {} at offset {at}, PV {}, generation {}",
                    path.display(),
                    l.pv_id,
                    l.generation
                )?,
                Err(e) => {
                    writeln!(
                        out,
                        "  Damaged {name} label on {} at offset {at}: {e}",
                        path.display()
                    )?;
                    problems.push(format!("{}: {name} label", path.display()));
                }
            }
        }
        let slots = pvio::read_slots(&dev, &label.layout).map_err(|e| MetaError::io(&path, e))?;
        let offsets = label.layout.slots();
        for (i, s) in slots.iter().enumerate() {
            let area = if i < 2 { "head" } else { "tail" };
            let slot = if i % 2 == 0 { 'A' } else { 'B' };
            writeln!(
                out,
                "  Metadata slot {area} {slot} at offset {}: {}",
                offsets[i],
                describe_slot(s)
            )?;
        }
        for area in 0..2 {
            let newest = slots[area * 2..area * 2 + 2]
                .iter()
                .filter_map(SlotState::version)
                .map(|v| v.1)
                .max();
            let best = slots
                .iter()
                .filter_map(SlotState::version)
                .map(|v| v.1)
                .max();
            if best.is_some() && newest != best {
                problems.push(format!(
                    "{}: {} metadata is stale",
                    path.display(),
                    ["head", "tail"][area]
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "Damaged metadata found: {}",
            problems.join("; ")
        )))
    }
}
