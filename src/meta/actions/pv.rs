//! pvcreate, pvremove and pvresize.

use super::*;

/// `pvcreate PATH...`: returns the canonical paths created.
pub fn pvcreate(env: &Env, paths: &[PathBuf], opts: &PvCreateOpts) -> MetaResult<Vec<PathBuf>> {
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    if opts.id.is_some() && paths.len() > 1 {
        return Err(MetaError::Refused(
            "Can only set uuid on one volume at once".into(),
        ));
    }
    let _g = env.global_lock(LockMode::Exclusive)?;
    let planned = paths
        .iter()
        .map(|p| plan_pv(env, p, opts))
        .collect::<MetaResult<Vec<_>>>()?;
    let canon: Vec<PathBuf> = planned.iter().map(|p| p.path.clone()).collect();
    check_distinct(&canon)?;
    if let Some(id) = opts.id {
        let asm = env.assemble()?;
        if let Some(other) = asm
            .pvs
            .iter()
            .find(|p| p.label.pv_id == id && p.path != canon[0])
        {
            return Err(MetaError::Refused(format!(
                "uuid {id} already in use on \"{}\".",
                other.path.display()
            )));
        }
    }
    for p in &planned {
        write_pv(p)?;
    }
    add_to_devices(env, &canon)?;
    Ok(canon)
}

/// `pvremove PATH...`: wipes orphan PVs and drops them from the devices list.
pub fn pvremove(env: &Env, paths: &[PathBuf], force: u8) -> MetaResult<Vec<PathBuf>> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let asm = env.assemble()?;
    let mut targets = Vec::new();
    for p in paths {
        let path = devices::canonical(p)?;
        match find(&asm, &path) {
            Found::NotPv => {
                return Err(MetaError::Refused(format!(
                    "No PV found on device {}.",
                    path.display()
                )))
            }
            Found::Member(_, vg) if force < 2 => {
                return Err(MetaError::Refused(format!(
                    "PV {} is used by VG {vg} so please use vgreduce first.",
                    path.display()
                )))
            }
            Found::Member(pv, _) | Found::Orphan(pv) => targets.push((path, pv.label)),
        }
    }
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    for (path, label) in &targets {
        let dev = env
            .opener
            .open(path, true)
            .map_err(|e| MetaError::io(path, e))?;
        pvio::wipe_pv(&dev, &label.layout)
            .and_then(|_| dev.flush())
            .map_err(|e| MetaError::io(path, e))?;
    }
    let mut list = env.device_paths()?;
    list.retain(|p| !targets.iter().any(|(t, _)| t == p));
    devices::write(&env.system_dir, &list)?;
    Ok(targets.into_iter().map(|(p, _)| p).collect())
}

/// `pvresize PATH [--setphysicalvolumesize SIZE]`: returns the new size in bytes.
pub fn pvresize(env: &Env, path: &Path, size: Option<u64>) -> MetaResult<u64> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let path = devices::canonical(path)?;
    let asm = env.assemble()?;
    let (pv, vg_name) = match find(&asm, &path) {
        Found::NotPv => {
            return Err(MetaError::Refused(format!(
                "Failed to find physical volume \"{}\".",
                path.display()
            )))
        }
        Found::Orphan(pv) => (pv.clone(), None),
        Found::Member(pv, vg) => (pv.clone(), Some(vg)),
    };
    let dev = env
        .opener
        .open(&path, true)
        .map_err(|e| MetaError::io(&path, e))?;
    let dev_len = dev.len().map_err(|e| MetaError::io(&path, e))?;
    let new_size = size.unwrap_or(dev_len);
    if new_size > dev_len {
        return Err(MetaError::Refused(format!(
            "{}: Requested size {new_size} exceeds real size {dev_len}.",
            path.display()
        )));
    }
    let layout = Layout::with_pe_start(new_size, pv.label.layout.pe_start)
        .map_err(|e| MetaError::Refused(format!("Cannot resize {}: {e}", path.display())))?;
    let label = Label {
        generation: pv.label.generation + 1,
        layout,
        ..pv.label
    };
    // Check the model change before any write.
    let mut txn = match &vg_name {
        Some(name) => {
            let mut txn = env.begin(name)?;
            txn.check_writable()?;
            if txn.has_missing() {
                return Err(MetaError::MissingPvs(name.clone()));
            }
            let i = txn
                .vg
                .pvs
                .iter()
                .position(|p| p.id == pv.label.pv_id)
                .ok_or_else(|| MetaError::PvNotFound(path.display().to_string()))?;
            let pe = layout.pe_count(txn.vg.extent_size);
            ops::resize_pv(&mut txn.vg, i, new_size, pe)?;
            Some(txn)
        }
        None => None,
    };
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    // New tail first (its area empty), then the head that names it; the commit then fills
    // the new tail area. A crash in between leaves a tail area the loader repairs.
    let io = |e| MetaError::io(&path, e);
    let zero = vec![0u8; 4096];
    for s in &layout.slots()[2..] {
        dev.write_at(&zero, *s).map_err(io)?;
    }
    dev.write_at(&label.encode(layout.tail_label), layout.tail_label)
        .map_err(io)?;
    dev.flush().map_err(io)?;
    dev.write_at(&label.encode(0), 0).map_err(io)?;
    dev.flush().map_err(io)?;
    if let Some(txn) = txn.as_mut() {
        if let Some(h) = txn.handle_mut(&pv.label.pv_id) {
            h.label = label;
            h.slots[2] = None;
            h.slots[3] = None;
        }
    }
    if let Some(txn) = txn {
        txn.commit()?;
    }
    // After a shrink the old tail still lies inside the device: erase it, or a scan that
    // finds the head unreadable would take that stale tail for the PV's end.
    let old = pv.label.layout;
    if old.tail_label != layout.tail_label && old.tail_label + 4096 <= dev_len {
        for s in old.slots()[2..].iter().chain([&old.tail_label]) {
            if *s >= layout.tail_label + 4096 {
                dev.write_at(&zero, *s).map_err(io)?;
            }
        }
        dev.flush().map_err(io)?;
    }
    Ok(new_size)
}
