//! vgcfgrestore.

use super::*;

/// `vgcfgrestore [-f FILE] NAME`: writes the VG from a backup onto the PVs it names (found
/// by id, so a replacement PV made with `pvcreate --uuid` works). Returns the VG written.
pub fn vgcfgrestore(env: &Env, name: &str, file: Option<&Path>) -> MetaResult<Vg> {
    crate::meta::names::check_vg_name(name)?;
    if env.readonly {
        return Err(MetaError::Refused(
            "Operation prohibited while --readonly is set.".into(),
        ));
    }
    let path = file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| backup::backup_dir(&env.system_dir, &env.config).join(name));
    let backup_file = BackupFile::read(&path)?;
    let mut vg = backup_file.to_vg()?;
    if vg.name != name {
        return Err(MetaError::Refused(format!(
            "Backup file {} holds VG {}, not {name}.",
            path.display(),
            vg.name
        )));
    }
    validate(&vg)?;
    let _g = env.global_lock(LockMode::Exclusive)?;
    let _l = env.vg_lock(name, LockMode::Exclusive)?;
    let asm = env.assemble()?;
    let current = asm
        .vgs
        .iter()
        .find(|v| v.vg.name == name || v.vg.id == vg.id);
    let mut handles = Vec::new();
    for pv in &mut vg.pvs {
        let i = asm
            .pvs
            .iter()
            .position(|p| p.label.pv_id == pv.id)
            .ok_or_else(|| {
                MetaError::Refused(format!("Couldn't find device with uuid {}.", pv.id))
            })?;
        let scanned = &asm.pvs[i];
        if let Some(other) = asm
            .vgs
            .iter()
            .find(|v| v.members.contains(&Some(i)) && v.vg.id != vg.id)
        {
            return Err(MetaError::PvInVg {
                path: scanned.path.display().to_string(),
                vg: other.vg.name.clone(),
            });
        }
        let l = scanned.label.layout;
        if l.pe_start != pv.pe_start || l.pe_count(vg.extent_size) < pv.pe_count {
            return Err(MetaError::Refused(format!(
                "PV {} does not match the backup (data start or size differs).",
                scanned.path.display()
            )));
        }
        pv.device = scanned.path.clone();
        handles.push(PvHandle::open(
            env.opener.as_ref(),
            &scanned.path,
            scanned.label,
            &scanned.slots,
        )?);
    }
    crate::meta::store::check_commit(&vg, handles.iter().map(|h| h.label.layout.slot_size))?;
    // The restored record must outrank every copy on disk, refused ones included.
    if let Some(u) = asm
        .unusable
        .iter()
        .find(|u| u.id == vg.id || u.name == name)
    {
        vg.seqno = vg.seqno.max(u.max_seqno);
    }
    if let Some(cur) = current {
        vg.seqno = vg.seqno.max(cur.max_seqno);
        backup::archive(
            &env.system_dir,
            &env.config,
            &cur.vg,
            &format!("Created *before* executing '{}'", env.command),
            now(),
            &hostname(),
        )?;
    }
    // Records of other VGs must not outrank the restored one.
    for h in &mut handles {
        if h.slots.iter().flatten().any(|(id, _)| *id != vg.id) {
            pvio::wipe_slots(h.dev.as_ref(), &h.label.layout)
                .and_then(|_| h.dev.flush())
                .map_err(|e| MetaError::io(&h.path, e))?;
            h.slots = [None; 4];
        }
    }
    let mut handles: Vec<Option<PvHandle>> = handles.into_iter().map(Some).collect();
    // Restoring brings back old LVs with their data: nothing is discarded.
    write_vg(&mut vg, None, &mut handles, false)?;
    env.notify_committed(&vg);
    Ok(vg)
}
