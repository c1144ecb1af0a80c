//! vgcreate, vgextend, vgreduce, vgremove, vgrename, vgchange, vgck, vgcfgbackup and
//! vgcfgrestore.

use super::args::Cmd;
use super::exports::ExportGuard;
use super::pv::mda_size;
use super::units::{parse_size, parse_yes_no, Sign};
use super::{CliError, CliResult, Ctx};
use crate::meta::actions::{self, PvCreateOpts, Reduce};
use crate::meta::backup::{self, policy_from_name, BackupFile};
use crate::meta::ops::{self, VgChange};
use crate::meta::store::{hostname, now};
use crate::meta::{Env, MetaError};
use std::io::Write;

/// Parses `--alloc`.
pub fn alloc_policy(
    s: &Option<String>,
) -> Result<Option<crate::meta::model::AllocPolicy>, CliError> {
    match s {
        None => Ok(None),
        Some(s) => policy_from_name(s)
            .map(Some)
            .ok_or_else(|| CliError::Usage(format!("Invalid argument for --alloc: {s}"))),
    }
}

/// Names of every VG, for commands that default to all.
fn all_vg_names(env: &Env) -> Result<Vec<String>, CliError> {
    let mut names: Vec<String> = env.assemble()?.vgs.into_iter().map(|v| v.vg.name).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

pub fn run(cmd: Cmd, ctx: &Ctx<'_>, out: &mut dyn Write) -> CliResult {
    let env = ctx.env;
    match cmd {
        Cmd::Vgcreate {
            force,
            extent_size,
            metadatasize,
            max_lv,
            max_pv,
            addtag,
            alloc,
            name,
            paths,
            ..
        } => {
            let es = match &extent_size {
                None => 4 << 20,
                Some(s) => match parse_size(s, 'm')? {
                    (Sign::Absolute, b) => b,
                    _ => {
                        return Err(CliError::Usage(format!(
                            "Invalid argument for --physicalextentsize: {s}"
                        )))
                    }
                },
            };
            let opts = PvCreateOpts {
                force: force.force,
                mda_size: mda_size(&metadatasize)?,
                ..PvCreateOpts::default()
            };
            let change = VgChange {
                max_lv,
                max_pv,
                add_tags: addtag,
                alloc: alloc_policy(&alloc)?,
                ..VgChange::default()
            };
            actions::vgcreate(env, &name, &paths, es, &opts, &change)?;
            writeln!(out, "  Volume group \"{name}\" successfully created")?;
            Ok(())
        }
        Cmd::Vgextend {
            force,
            metadatasize,
            name,
            paths,
            ..
        } => {
            let opts = PvCreateOpts {
                force: force.force,
                mda_size: mda_size(&metadatasize)?,
                ..PvCreateOpts::default()
            };
            actions::vgextend(env, &name, &paths, &opts)?;
            writeln!(out, "  Volume group \"{name}\" successfully extended")?;
            Ok(())
        }
        Cmd::Vgreduce {
            force,
            all,
            removemissing,
            name,
            paths,
            ..
        } => {
            let what = if removemissing {
                if !paths.is_empty() {
                    return Err(CliError::Usage(
                        "Please give volume group name only with --removemissing".into(),
                    ));
                }
                Reduce::Missing {
                    force: force.force > 0,
                }
            } else if all {
                Reduce::AllUnused
            } else if paths.is_empty() {
                return Err(CliError::Usage(
                    "Please enter physical volume paths or option -a".into(),
                ));
            } else {
                Reduce::Paths(paths)
            };
            let missing = matches!(what, Reduce::Missing { .. });
            let removed = actions::vgreduce(env, &name, what)?;
            if missing {
                for lv in removed {
                    writeln!(out, "  Logical volume \"{lv}\" successfully removed.")?;
                }
                writeln!(out, "  Wrote out consistent volume group {name}.")?;
            } else {
                for p in removed {
                    writeln!(out, "  Removed \"{p}\" from volume group \"{name}\"")?;
                }
            }
            Ok(())
        }
        Cmd::Vgremove { force, names, .. } => {
            // Before any VG lock: exported LVs are refused, or with -f unexported first.
            let mut exports = ExportGuard::take(ctx)?;
            for name in names {
                let vg = env.read_vg(&name)?;
                let lvs: Vec<&crate::meta::model::Lv> = vg.lvs.iter().collect();
                let unexported = exports.release(&vg, &lvs, force.force > 0)?;
                if let Err(e) = actions::vgremove(env, &name, force.force > 0 || force.yes) {
                    exports.undo_or_warn();
                    return Err(e.into());
                }
                for line in unexported {
                    writeln!(out, "{line}")?;
                }
                writeln!(out, "  Volume group \"{name}\" successfully removed")?;
            }
            Ok(())
        }
        Cmd::Vgrename { old, new, .. } => {
            actions::vgrename(env, &old, &new)?;
            writeln!(
                out,
                "  Volume group \"{old}\" successfully renamed to \"{new}\""
            )?;
            Ok(())
        }
        Cmd::Vgchange {
            activate,
            resizeable,
            ignore_skip,
            addtag,
            deltag,
            max_lv,
            max_pv,
            alloc,
            names,
            ..
        } => {
            let change = VgChange {
                resizeable: resizeable
                    .as_deref()
                    .map(|s| parse_yes_no("--resizeable", s))
                    .transpose()?,
                activate: activate
                    .as_deref()
                    .map(|s| parse_yes_no("--activate", s))
                    .transpose()?,
                ignore_skip,
                add_tags: addtag,
                del_tags: deltag,
                max_lv,
                max_pv,
                alloc: alloc_policy(&alloc)?,
            };
            let names = if names.is_empty() {
                all_vg_names(env)?
            } else {
                names
            };
            for name in names {
                let mut txn = env.begin(&name)?;
                let changed = ops::change_vg(&mut txn.vg, &change)?;
                let vg = txn.commit()?;
                if let Some(a) = change.activate {
                    let n = vg.lvs.iter().filter(|lv| lv.active == a && a).count();
                    writeln!(
                        out,
                        "  {n} logical volume(s) in volume group \"{name}\" now active"
                    )?;
                } else if changed {
                    writeln!(out, "  Volume group \"{name}\" successfully changed")?;
                }
            }
            Ok(())
        }
        Cmd::Vgck { names, .. } => vgck(env, names),
        Cmd::Vgcfgbackup { file, names, .. } => {
            let names = if names.is_empty() {
                all_vg_names(env)?
            } else {
                names
            };
            if names.len() > 1 && file.as_deref().is_some_and(|f| !f.contains("%s")) {
                return Err(CliError::Usage(
                    "VGs must be backed up into different files. Use %s in filename for VG name."
                        .into(),
                ));
            }
            for name in names {
                let vg = env.read_vg(&name)?;
                let path = match &file {
                    Some(f) => std::path::PathBuf::from(f.replace("%s", &name)),
                    None => backup::backup_dir(&env.system_dir, &env.config).join(&name),
                };
                let desc = format!("Created *after* executing '{}'", env.command);
                BackupFile::of(&vg, &desc, now(), &hostname()).write(&path)?;
                writeln!(out, "  Volume group \"{name}\" successfully backed up.")?;
            }
            Ok(())
        }
        Cmd::Vgcfgrestore {
            file, list, name, ..
        } => {
            if list {
                return list_backups(env, &name, out);
            }
            actions::vgcfgrestore(env, &name, file.as_deref())?;
            writeln!(out, "  Restored volume group {name}.")?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Loads each VG (repairing what can be repaired), then checks that no copy is still
/// damaged or stale and that the VG is complete and consistent.
fn vgck(env: &Env, names: Vec<String>) -> CliResult {
    let names = if names.is_empty() {
        all_vg_names(env)?
    } else {
        names
    };
    for name in &names {
        let vg = env.read_vg(name)?;
        crate::meta::validate::validate(&vg)?;
        if let Some(pv) = vg.pvs.iter().find(|p| p.missing) {
            return Err(MetaError::Refused(format!("VG {name} is missing PV {}.", pv.id)).into());
        }
    }
    let asm = env.assemble()?;
    for v in asm.vgs.iter().filter(|v| names.contains(&v.vg.name)) {
        if let Some((i, what)) = v.damaged.first() {
            return Err(MetaError::Refused(format!(
                "VG {}: {what} of {} damaged and not repaired (is --readonly set?)",
                v.vg.name,
                asm.pvs[*i].path.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// UTC calendar date of a Unix time, for `--list`.
fn format_time(t: u64) -> String {
    let days = (t / 86_400) as i64;
    let secs = t % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    format!(
        "{} {} {d:2} {:02}:{:02}:{:02} {y}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn list_backups(env: &Env, name: &str, out: &mut dyn Write) -> CliResult {
    let mut files: Vec<std::path::PathBuf> =
        backup::list_archives(&backup::archive_dir(&env.system_dir, &env.config), name)
            .into_iter()
            .map(|(_, _, p)| p)
            .collect();
    let current = backup::backup_dir(&env.system_dir, &env.config).join(name);
    if current.exists() {
        files.push(current);
    }
    if files.is_empty() {
        return Err(CliError::Usage(format!(
            "No archives found for volume group \"{name}\"."
        )));
    }
    for f in files {
        let b = BackupFile::read(&f)?;
        writeln!(out, "   ")?;
        writeln!(out, "  File:\t\t{}", f.display())?;
        writeln!(out, "  VG name:    \t{}", b.vg.name)?;
        writeln!(out, "  Description:\t{}", b.description)?;
        writeln!(out, "  Backup Time:\t{}", format_time(b.creation_time))?;
    }
    writeln!(out, "   ")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::format_time(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(
            super::format_time(1_800_000_000),
            "Fri Jan 15 08:00:00 2027"
        );
    }
}
