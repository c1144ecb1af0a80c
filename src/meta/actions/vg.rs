//! vgcreate, vgextend, vgreduce, vgremove and vgrename.

use super::*;

/// Resolves paths to orphan PVs (creating PVs on paths that are not PVs yet, as LVM2's
/// vgcreate and vgextend do), checking everything before writing anything.
fn orphans_for_join(
    env: &Env,
    asm: &Assembly,
    paths: &[PathBuf],
    opts: &PvCreateOpts,
) -> MetaResult<(Vec<PlannedPv>, Vec<PvHandle>, Vec<PathBuf>)> {
    let mut create = Vec::new();
    let mut existing = Vec::new();
    let mut canon = Vec::new();
    for p in paths {
        let path = devices::canonical(p)?;
        canon.push(path.clone());
        match find(asm, &path) {
            Found::Member(_, vg) => {
                return Err(MetaError::PvInVg {
                    path: path.display().to_string(),
                    vg,
                })
            }
            Found::Orphan(pv) => existing.push(PvHandle::open(
                env.opener.as_ref(),
                &pv.path,
                pv.label,
                &pv.slots,
            )?),
            Found::NotPv => create.push(plan_pv(env, &path, opts)?),
        }
    }
    check_distinct(&canon)?;
    Ok((create, existing, canon))
}

/// Makes the PVs ready to join: new PVs written, every joining PV's slots wiped so that no
/// old record can outrank the VG's.
fn prepare_join(
    env: &Env,
    create: &[PlannedPv],
    existing: &[PvHandle],
) -> MetaResult<Vec<PvHandle>> {
    for p in create {
        write_pv(p)?;
    }
    add_to_devices(
        env,
        &create.iter().map(|p| p.path.clone()).collect::<Vec<_>>(),
    )?;
    let mut out = Vec::new();
    for h in existing {
        pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
            .and_then(|_| h.dev.flush())
            .map_err(|e| MetaError::io(&h.path, e))?;
        out.push(PvHandle {
            path: h.path.clone(),
            dev: h.dev.clone(),
            label: h.label,
            slots: [None; 4],
        });
    }
    for p in create {
        out.push(PvHandle {
            path: p.path.clone(),
            dev: p.dev.clone(),
            label: p.label,
            slots: [None; 4],
        });
    }
    Ok(out)
}

/// Sorts `items` into the order their paths were given on the command line.
fn in_order<T>(items: &mut [T], order: &[PathBuf], path: impl Fn(&T) -> &PathBuf) {
    items.sort_by_key(|i| {
        order
            .iter()
            .position(|p| p == path(i))
            .unwrap_or(usize::MAX)
    });
}

fn pv_of(h: &PvHandle, extent_size: u64) -> Pv {
    Pv {
        id: h.label.pv_id,
        device: h.path.clone(),
        dev_size: h.label.layout.dev_size,
        pe_start: h.label.layout.pe_start,
        pe_count: h.label.layout.pe_count(extent_size),
        allocatable: true,
        missing: false,
        tags: vec![],
    }
}

/// `vgcreate NAME PATH...`.
pub fn vgcreate(
    env: &Env,
    name: &str,
    paths: &[PathBuf],
    extent_size: u64,
    opts: &PvCreateOpts,
    change: &ops::VgChange,
) -> MetaResult<Vg> {
    crate::meta::names::check_vg_name(name)?;
    ops::check_extent_size(extent_size)?;
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    let _g = env.global_lock(LockMode::Exclusive)?;
    let _l = env.vg_lock(name, LockMode::Exclusive)?;
    let asm = env.assemble()?;
    if asm.vgs.iter().any(|v| v.vg.name == name) {
        return Err(MetaError::VgExists(name.to_string()));
    }
    let (create, existing, order) = orphans_for_join(env, &asm, paths, opts)?;
    // Dry run of the model change on what the PVs will be, before any write.
    let planned_pvs: Vec<Pv> = existing
        .iter()
        .map(|h| pv_of(h, extent_size))
        .chain(create.iter().map(|p| Pv {
            id: p.label.pv_id,
            device: p.path.clone(),
            dev_size: p.label.layout.dev_size,
            pe_start: p.label.layout.pe_start,
            pe_count: p.label.layout.pe_count(extent_size),
            allocatable: true,
            missing: false,
            tags: vec![],
        }))
        .collect();
    let mut planned_pvs = planned_pvs;
    in_order(&mut planned_pvs, &order, |p| &p.device);
    let mut vg = ops::new_vg(name, extent_size, planned_pvs, now(), &hostname())?;
    ops::change_vg(&mut vg, change)?;
    let mut joined = prepare_join(env, &create, &existing)?;
    in_order(&mut joined, &order, |h| &h.path);
    let mut handles: Vec<Option<PvHandle>> = joined.into_iter().map(Some).collect();
    write_vg(&mut vg, None, &mut handles, false)?;
    backup::backup(
        &env.system_dir,
        &env.config,
        &vg,
        &format!("Created *after* executing '{}'", env.command),
        now(),
        &hostname(),
    )
    .unwrap_or_else(|e| {
        env.warn(format!(
            "WARNING: Backup of volume group {name} failed: {e}"
        ))
    });
    Ok(vg)
}

/// `vgextend NAME PATH...`.
pub fn vgextend(env: &Env, name: &str, paths: &[PathBuf], opts: &PvCreateOpts) -> MetaResult<Vg> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let mut txn = env.begin(name)?;
    txn.check_writable()?;
    if txn.has_missing() {
        return Err(MetaError::MissingPvs(name.to_string()));
    }
    let asm = env.assemble()?;
    let (create, existing, order) = orphans_for_join(env, &asm, paths, opts)?;
    let es = txn.vg.extent_size;
    let mut trial = txn.vg.clone();
    let new_pvs: Vec<Pv> = existing
        .iter()
        .map(|h| pv_of(h, es))
        .chain(create.iter().map(|p| Pv {
            id: p.label.pv_id,
            device: p.path.clone(),
            dev_size: p.label.layout.dev_size,
            pe_start: p.label.layout.pe_start,
            pe_count: p.label.layout.pe_count(es),
            allocatable: true,
            missing: false,
            tags: vec![],
        }))
        .collect();
    let mut new_pvs = new_pvs;
    in_order(&mut new_pvs, &order, |p| &p.device);
    ops::extend_vg(&mut trial, new_pvs)?;
    // The new PVs may have smaller slots: check before preparing them.
    let slots = existing
        .iter()
        .map(|h| h.label.layout.slot_size)
        .chain(create.iter().map(|p| p.label.layout.slot_size))
        .chain(txn.slot_sizes());
    crate::meta::store::check_commit(&trial, slots)?;
    for h in prepare_join(env, &create, &existing)? {
        txn.add_handle(h);
    }
    txn.vg = trial;
    txn.commit()
}

/// Which PVs `vgreduce` removes.
pub enum Reduce {
    Paths(Vec<PathBuf>),
    /// `-a`: every PV holding no extents.
    AllUnused,
    /// `--removemissing`; with `force`, LVs on missing PVs go too.
    Missing {
        force: bool,
    },
}

/// `vgreduce`: returns the paths removed (or the LVs removed, for `--removemissing`).
pub fn vgreduce(env: &Env, name: &str, what: Reduce) -> MetaResult<Vec<String>> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let mut txn = env.begin(name)?;
    txn.check_writable()?;
    if let Reduce::Missing { force } = what {
        let removed = ops::remove_missing(&mut txn.vg, force)?;
        if !txn.has_missing() && txn.vg == *txn.before() {
            return Ok(removed);
        }
        txn.commit()?;
        return Ok(removed);
    }
    if txn.has_missing() {
        return Err(MetaError::MissingPvs(name.to_string()));
    }
    let indices: Vec<usize> = match what {
        Reduce::Paths(paths) => {
            let mut out = Vec::new();
            for p in paths {
                let path = devices::canonical(&p)?;
                let i = txn
                    .vg
                    .pvs
                    .iter()
                    .position(|pv| pv.device == path)
                    .ok_or_else(|| {
                        MetaError::Refused(format!(
                            "Physical Volume \"{}\" not found in Volume Group \"{name}\".",
                            path.display()
                        ))
                    })?;
                out.push(i);
            }
            out
        }
        Reduce::AllUnused => {
            let used: Vec<usize> = txn
                .vg
                .lvs
                .iter()
                .flat_map(|lv| lv.segments.iter().map(|s| s.pv))
                .collect();
            let mut unused: Vec<usize> = (0..txn.vg.pvs.len())
                .filter(|i| !used.contains(i))
                .collect();
            if used.is_empty() {
                unused.retain(|&i| i != 0);
            }
            unused
        }
        Reduce::Missing { .. } => Vec::new(),
    };
    let leaving: Vec<(Id, PathBuf)> = indices
        .iter()
        .map(|&i| (txn.vg.pvs[i].id, txn.vg.pvs[i].device.clone()))
        .collect();
    ops::reduce_vg(&mut txn.vg, &indices)?;
    let handles: Vec<PvHandle> = leaving
        .iter()
        .filter_map(|(id, _)| txn.take_handle(id))
        .collect();
    txn.commit()?;
    // The VG no longer lists them; wiping their now-stale records makes them clean orphans.
    // A crash before this point leaves records that the loader recognises as stale.
    for h in handles {
        pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
            .and_then(|_| h.dev.flush())
            .map_err(|e| MetaError::io(&h.path, e))?;
    }
    Ok(leaving
        .into_iter()
        .map(|(_, p)| p.display().to_string())
        .collect())
}

/// `vgremove NAME`: the VG must have no LVs unless `force`.
pub fn vgremove(env: &Env, name: &str, force: bool) -> MetaResult<()> {
    let _g = env.global_lock(LockMode::Exclusive)?;
    let mut txn = env.begin(name)?;
    txn.check_writable()?;
    if !txn.vg.lvs.is_empty() && !force {
        return Err(MetaError::Refused(format!(
            "Volume group \"{name}\" still contains {} logical volume(s); use -f to remove them.",
            txn.vg.lvs.len()
        )));
    }
    backup::archive(
        &env.system_dir,
        &env.config,
        txn.before(),
        &format!("Created *before* executing '{}'", env.command),
        now(),
        &hostname(),
    )?;
    let ids: Vec<Id> = txn.vg.pvs.iter().map(|p| p.id).collect();
    for id in ids {
        if let Some(h) = txn.take_handle(&id) {
            pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
                .and_then(|_| h.dev.flush())
                .map_err(|e| MetaError::io(&h.path, e))?;
        }
    }
    let _ = std::fs::remove_file(backup::backup_dir(&env.system_dir, &env.config).join(name));
    if let Some(o) = &env.observer {
        o.removed(&txn.vg.id);
    }
    Ok(())
}

/// `vgrename OLD NEW`.
pub fn vgrename(env: &Env, old: &str, new: &str) -> MetaResult<Vg> {
    crate::meta::names::check_vg_name(new)?;
    let _g = env.global_lock(LockMode::Exclusive)?;
    let _n = env.vg_lock(new, LockMode::Exclusive)?;
    let asm = env.assemble()?;
    if asm.vgs.iter().any(|v| v.vg.name == new) {
        return Err(MetaError::VgExists(new.to_string()));
    }
    let mut txn = env.begin(old)?;
    ops::rename_vg(&mut txn.vg, new)?;
    let vg = txn.commit()?;
    let dir = backup::backup_dir(&env.system_dir, &env.config);
    let _ = std::fs::remove_file(dir.join(old));
    Ok(vg)
}
