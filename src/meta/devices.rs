//! The devices list, `$RVM_SYSTEM_DIR/devices`: the only paths rvm reads PVs from, like
//! LVM2's devices file. pvcreate adds to it and pvremove removes from it; other tools' disks
//! are never opened.

use super::error::{MetaError, MetaResult};
use std::path::{Path, PathBuf};

/// File name of the list within the system directory.
pub const FILE: &str = "devices";

/// Reads the list: one absolute path per line, `#` comments, blank lines ignored. A missing
/// file is an empty list.
pub fn read(system_dir: &Path) -> MetaResult<Vec<PathBuf>> {
    let path = system_dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(MetaError::io(&path, e)),
    };
    let mut out: Vec<PathBuf> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let p = PathBuf::from(l);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// Replaces the list atomically (write a temporary file, then rename over the old one).
pub fn write(system_dir: &Path, paths: &[PathBuf]) -> MetaResult<()> {
    std::fs::create_dir_all(system_dir).map_err(|e| MetaError::io(system_dir, e))?;
    let mut text = String::from("# PV paths rvm reads; pvcreate adds, pvremove removes.\n");
    for p in paths {
        text.push_str(&p.display().to_string());
        text.push('\n');
    }
    let tmp = system_dir.join(".devices.tmp");
    std::fs::write(&tmp, text).map_err(|e| MetaError::io(&tmp, e))?;
    let path = system_dir.join(FILE);
    std::fs::rename(&tmp, &path).map_err(|e| MetaError::io(&path, e))
}

/// The form a path is kept in: absolute, with symlinks resolved.
pub fn canonical(path: &Path) -> MetaResult<PathBuf> {
    std::fs::canonicalize(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            MetaError::Refused(format!("No device found for {}.", path.display()))
        } else {
            MetaError::io(path, e)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_missing_file() {
        let d = tempfile::tempdir().unwrap();
        assert!(read(d.path()).unwrap().is_empty());
        let list = vec![PathBuf::from("/a"), PathBuf::from("/b c")];
        write(d.path(), &list).unwrap();
        assert_eq!(read(d.path()).unwrap(), list);
    }
}
