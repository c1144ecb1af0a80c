//! `rvm copy SRC DST`: between files and LVs in any direction, sparse-aware.
//!
//! `VG/LV` names an LV; a path starting with `/`, `./` or `../` (or any other path that
//! is not exactly two names joined by one `/`) is a file. Both sides become volumes (a
//! file is a one-piece linear volume over the file), so one copy loop serves all four
//! directions. A file destination is created or truncated to the source's size and only
//! data is written into it; an LV destination keeps its size and ends up equal to the
//! source over the source's length, with zeros written only where it held data.

mod pipe;

use super::{CliError, CliResult, Ctx};
use crate::block::{BlockDevice, FileDevice};
use crate::cli::units::display_size;
use crate::engine::{LinearVolume, Piece, Volume};
use crate::host::LvVolume;
use crate::meta::model::Permission;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::Arc;

/// One side of a copy as named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Side {
    File(PathBuf),
    Lv { vg: String, lv: String },
}

fn parse_side(s: &str) -> Side {
    let file = || Side::File(PathBuf::from(s));
    if s.starts_with('/') || s.starts_with("./") || s.starts_with("../") {
        return file();
    }
    match s.split_once('/') {
        Some((vg, lv)) if !vg.is_empty() && !lv.is_empty() && !lv.contains('/') => Side::Lv {
            vg: vg.to_string(),
            lv: lv.to_string(),
        },
        _ => file(),
    }
}

/// An opened side: the volume to copy from or into, and what the checks need.
struct Opened {
    name: String,
    volume: Arc<dyn Volume>,
    /// The LV's id, to refuse copying an LV onto itself.
    lv: Option<crate::format::id::Id>,
    /// A regular file's device and inode, to refuse copying a file onto itself.
    inode: Option<(u64, u64)>,
}

/// A file as a volume of its first `len` bytes.
fn file_volume(dev: FileDevice, len: u64, read_only: bool) -> Result<Arc<dyn Volume>, CliError> {
    let device: Arc<dyn BlockDevice> = Arc::new(dev);
    let pieces = if len == 0 {
        Vec::new()
    } else {
        vec![Piece {
            device,
            lv_offset: 0,
            dev_offset: 0,
            len,
        }]
    };
    let v = LinearVolume::new(pieces, [b'0'; 32], read_only)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(Arc::new(v))
}

fn inode(path: &PathBuf) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

fn open_lv(ctx: &Ctx<'_>, vg: &str, lv: &str) -> Result<(Opened, Permission, bool), CliError> {
    let host = ctx.hosts.host(ctx.env, vg)?;
    let vol: Arc<LvVolume> = host.volume(ctx.env, lv)?;
    let model = host.vg();
    let l = model.lv(lv);
    let perm = l.map_or(Permission::ReadWrite, |l| l.permission);
    let snapshot = l.is_some_and(|l| l.snapshot().is_some());
    Ok((
        Opened {
            name: format!("{vg}/{lv}"),
            lv: Some(vol.id()),
            volume: vol,
            inode: None,
        },
        perm,
        snapshot,
    ))
}

fn open_source(ctx: &Ctx<'_>, side: &Side) -> Result<Opened, CliError> {
    match side {
        Side::Lv { vg, lv } => Ok(open_lv(ctx, vg, lv)?.0),
        Side::File(p) => {
            let dev = FileDevice::open_read_only(p)
                .map_err(|e| CliError::Usage(format!("Cannot open {}: {e}", p.display())))?;
            let len = dev.len()?;
            Ok(Opened {
                name: p.display().to_string(),
                volume: file_volume(dev, len, true)?,
                lv: None,
                inode: inode(p),
            })
        }
    }
}

/// `rvm copy SRC DST`.
pub fn copy(ctx: &Ctx<'_>, src: &str, dst: &str) -> CliResult {
    let (src_side, dst_side) = (parse_side(src), parse_side(dst));
    let source = open_source(ctx, &src_side)?;
    let size = source.volume.size();
    // The point-in-time data of an invalid snapshot is gone: refuse before writing.
    if size > 0 {
        let mut probe = vec![0u8; size.min(4096) as usize];
        source
            .volume
            .read_at(&mut probe, 0)
            .map_err(|e| CliError::Usage(format!("Cannot read {}: {e}", source.name)))?;
    }
    let (dest, fresh) = match &dst_side {
        Side::Lv { vg, lv } => {
            let (d, perm, snapshot) = open_lv(ctx, vg, lv)?;
            if source.lv.is_some() && source.lv == d.lv {
                return Err(CliError::Usage(format!(
                    "Source and destination are the same logical volume {}.",
                    d.name
                )));
            }
            if perm == Permission::ReadOnly || d.volume.read_only() {
                let what = if snapshot {
                    "snapshot"
                } else {
                    "logical volume"
                };
                return Err(CliError::Usage(format!(
                    "Cannot copy into read-only {what} {}.",
                    d.name
                )));
            }
            if d.volume.size() < size {
                return Err(CliError::Usage(format!(
                    "Logical volume {} is too small: it has {} and the source {} needs {}.",
                    d.name,
                    display_size(d.volume.size()),
                    source.name,
                    display_size(size)
                )));
            }
            (d, false)
        }
        Side::File(p) => {
            if source.inode.is_some() && source.inode == inode(p) {
                return Err(CliError::Usage(format!(
                    "Source and destination are the same file {}.",
                    p.display()
                )));
            }
            refuse_pv(ctx, p)?;
            open_dest_file(p, size)?
        }
    };
    pipe::copy(&*source.volume, &*dest.volume, size, fresh, ctx.interactive).map_err(|e| {
        CliError::Usage(format!(
            "Copying {} to {} failed: {e}",
            source.name, dest.name
        ))
    })
}

/// Refuses to overwrite a device rvm lists as a PV: truncating it would destroy its VG.
fn refuse_pv(ctx: &Ctx<'_>, p: &PathBuf) -> Result<(), CliError> {
    let Ok(target) = std::fs::canonicalize(p) else {
        return Ok(());
    };
    let listed = ctx.env.device_paths()?;
    if listed
        .iter()
        .any(|d| std::fs::canonicalize(d).is_ok_and(|d| d == target))
    {
        return Err(CliError::Usage(format!(
            "Refusing to overwrite {}: it is a physical volume in the devices file.",
            p.display()
        )));
    }
    Ok(())
}

/// Creates or truncates a regular file to `size` (all holes, so known zero), or opens a
/// block device at least that large (whose content must be overwritten exactly).
fn open_dest_file(p: &PathBuf, size: u64) -> Result<(Opened, bool), CliError> {
    let fail = |e: std::io::Error| CliError::Usage(format!("Cannot open {}: {e}", p.display()));
    let is_block = std::fs::metadata(p)
        .map(|m| {
            use std::os::unix::fs::FileTypeExt;
            m.file_type().is_block_device()
        })
        .unwrap_or(false);
    if !is_block {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(p)
            .map_err(fail)?;
        f.set_len(size).map_err(fail)?;
    }
    let dev = FileDevice::open(p).map_err(fail)?;
    let have = dev.len().map_err(fail)?;
    if have < size {
        return Err(CliError::Usage(format!(
            "{} is too small: it has {} and the source needs {}.",
            p.display(),
            display_size(have),
            display_size(size)
        )));
    }
    Ok((
        Opened {
            name: p.display().to_string(),
            volume: file_volume(dev, size, false)?,
            lv: None,
            inode: inode(p),
        },
        !is_block,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_are_files_unless_exactly_vg_slash_lv() {
        let lv = |v: &str, l: &str| Side::Lv {
            vg: v.into(),
            lv: l.into(),
        };
        assert_eq!(parse_side("vg0/vol1"), lv("vg0", "vol1"));
        for f in [
            "./vg0/vol1",
            "/vg0/vol1",
            "../x/y",
            "image.raw",
            "a/b/c",
            "vg/",
            "/dev/vg/lv",
        ] {
            assert_eq!(parse_side(f), Side::File(PathBuf::from(f)), "{f}");
        }
    }
}
