//! Locks under `$RVM_RUN_DIR`: one flock file per VG (exclusive to change it, shared to read
//! it) and a global one for orphan PVs and the devices list. Readers share, so read-only
//! commands never wait for each other; lock order is global first, then VGs by name.

use super::error::{MetaError, MetaResult};
use nix::fcntl::{Flock, FlockArg};
use std::fs::OpenOptions;
use std::path::Path;

/// A held lock; dropping it releases the lock.
pub struct LockGuard {
    _lock: Flock<std::fs::File>,
}

/// Whether a lock excludes others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    Shared,
    Exclusive,
}

/// Lock file of a VG (names are validated, so they are safe file names).
pub fn vg_lock_name(vg: &str) -> String {
    format!("V_{vg}")
}

/// The global lock for orphan PVs and the devices list.
pub const GLOBAL: &str = "P_global";

/// Takes `name` in `mode`, waiting for conflicting holders.
pub fn lock(run_dir: &Path, name: &str, mode: LockMode) -> MetaResult<LockGuard> {
    take(run_dir, name, mode, true)?
        .ok_or_else(|| MetaError::Refused(format!("Failed to take lock {name}.")))
}

/// Takes `name` in `mode` if nobody holds it in a conflicting mode; `None` if somebody does.
pub fn try_lock(run_dir: &Path, name: &str, mode: LockMode) -> MetaResult<Option<LockGuard>> {
    take(run_dir, name, mode, false)
}

fn take(run_dir: &Path, name: &str, mode: LockMode, wait: bool) -> MetaResult<Option<LockGuard>> {
    let dir = run_dir.join("lock");
    std::fs::create_dir_all(&dir).map_err(|e| MetaError::io(&dir, e))?;
    let path = dir.join(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| MetaError::io(&path, e))?;
    let arg = match (mode, wait) {
        (LockMode::Shared, true) => FlockArg::LockShared,
        (LockMode::Exclusive, true) => FlockArg::LockExclusive,
        (LockMode::Shared, false) => FlockArg::LockSharedNonblock,
        (LockMode::Exclusive, false) => FlockArg::LockExclusiveNonblock,
    };
    match Flock::lock(file, arg) {
        Ok(lock) => Ok(Some(LockGuard { _lock: lock })),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) if !wait => Ok(None),
        Err((_, e)) => Err(MetaError::io(&path, e.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_locks_coexist_and_exclusive_waits() {
        let dir = tempfile::tempdir().unwrap();
        let a = lock(dir.path(), "V_x", LockMode::Shared).unwrap();
        let _b = lock(dir.path(), "V_x", LockMode::Shared).unwrap();
        let path = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        let t = std::thread::spawn(move || {
            let _g = lock(&path, "V_x", LockMode::Exclusive).unwrap();
            tx.send(()).unwrap();
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(
            rx.try_recv().is_err(),
            "exclusive lock taken while shared held"
        );
        drop(a);
        drop(_b);
        rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        t.join().unwrap();
    }
}
