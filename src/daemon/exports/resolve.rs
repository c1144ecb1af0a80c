//! Finding the LV an export serves. An export follows its LV's id, so `lvrename` and
//! `vgrename` keep it, and an LV that later takes a removed LV's name never inherits that
//! LV's exports (it would hand one client's disk to another). Only a hand-written entry
//! without an id is found by its `VG/LV` name, and the next change records its id.

use super::model::{split_volume, ExportConfig, ExportUse, LvRef};
use crate::meta::model::{Lv, Permission, Vg};

/// The LV `r` refers to among `vgs`, with its VG.
pub fn resolve<'v>(vgs: &'v [Vg], r: LvRef<'_>) -> Option<(&'v Vg, &'v Lv)> {
    if r.lv_id.is_some() {
        let id = r.id()?;
        return vgs
            .iter()
            .find_map(|vg| vg.lv_by_id(&id).map(|lv| (vg, lv)));
    }
    let (vg_name, lv_name) = split_volume(r.volume).ok()?;
    vgs.iter()
        .filter(|vg| vg.name == vg_name)
        .find_map(|vg| vg.lv(lv_name).map(|lv| (vg, lv)))
}

/// Whether `r` refers to `lv` of `vg`.
pub fn refers_to(r: LvRef<'_>, vg: &Vg, lv: &Lv) -> bool {
    match r.lv_id {
        Some(_) => r.id() == Some(lv.id),
        None => split_volume(r.volume).is_ok_and(|(v, l)| v == vg.name && l == lv.name),
    }
}

/// Every export of `lv` (of `vg`).
pub fn users_of(config: &ExportConfig, vg: &Vg, lv: &Lv) -> Vec<ExportUse> {
    config
        .lv_refs()
        .into_iter()
        .filter(|(_, r)| refers_to(*r, vg, lv))
        .map(|(u, _)| u)
        .collect()
}

/// Records the id of every entry that has none and whose name finds an LV now.
pub fn pin_ids(config: &mut ExportConfig, vgs: &[Vg]) {
    for (volume, slot) in config.id_slots() {
        if slot.is_none() {
            let r = LvRef {
                volume,
                lv_id: None,
            };
            if let Some((_, lv)) = resolve(vgs, r) {
                *slot = Some(lv.id.to_string());
            }
        }
    }
}

/// The size a client sees: a snapshot shows its origin's size, not its store's.
pub fn served_size(vg: &Vg, lv: &Lv) -> u64 {
    let extents = lv
        .snapshot()
        .and_then(|s| vg.lv_by_id(&s.origin))
        .unwrap_or(lv)
        .extent_count();
    extents * vg.extent_size
}

/// Whether the LV itself refuses writes (`lvchange -p r`, read-only snapshots).
pub fn lv_read_only(lv: &Lv) -> bool {
    lv.permission == Permission::ReadOnly
}

/// `VG/LV` as it is named now.
pub fn current_name(vg: &Vg, lv: &Lv) -> String {
    format!("{}/{}", vg.name, lv.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::exports::model::{FoundLv, NbdExport};
    use crate::format::id::Id;

    fn vg(name: &str, lvs: &[(&str, Id)]) -> Vg {
        Vg {
            name: name.into(),
            id: Id::random(),
            seqno: 1,
            extent_size: 4 << 20,
            resizeable: true,
            max_lv: 0,
            max_pv: 0,
            alloc: Default::default(),
            creation_time: 0,
            creation_host: String::new(),
            tags: vec![],
            pvs: vec![],
            lvs: lvs
                .iter()
                .map(|(n, id)| Lv {
                    name: n.to_string(),
                    id: *id,
                    permission: Permission::ReadWrite,
                    active: true,
                    activation_skip: false,
                    alloc: Default::default(),
                    creation_time: 0,
                    creation_host: String::new(),
                    tags: vec![],
                    kind: Default::default(),
                    segments: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn ids_win_over_names() {
        let (a, b) = (Id::random(), Id::random());
        // `a` was vg0/old and is now vg1/renamed; a new LV took the name vg0/old.
        let vgs = vec![vg("vg0", &[("old", b)]), vg("vg1", &[("renamed", a)])];
        let s = a.to_string();
        let with_id = LvRef {
            volume: "vg0/old",
            lv_id: Some(&s),
        };
        let (v, l) = resolve(&vgs, with_id).unwrap();
        assert_eq!(current_name(v, l), "vg1/renamed");
        assert!(refers_to(with_id, v, l));
        assert!(!refers_to(with_id, &vgs[0], &vgs[0].lvs[0]));
        let by_name = LvRef {
            volume: "vg0/old",
            lv_id: None,
        };
        assert_eq!(resolve(&vgs, by_name).unwrap().1.id, b);
        let gone = Id::random().to_string();
        assert!(resolve(
            &vgs,
            LvRef {
                volume: "vg1/renamed",
                lv_id: Some(&gone)
            }
        )
        .is_none());
    }

    #[test]
    fn pinning_fills_only_missing_ids() {
        let (a, b) = (Id::random(), Id::random());
        let vgs = vec![vg("vg0", &[("a", a), ("b", b)])];
        let mut c = ExportConfig::default();
        c.nbd.insert(
            "hand".into(),
            NbdExport {
                volume: "vg0/a".into(),
                lv_id: None,
                read_only: false,
            },
        );
        c.nbd.insert(
            "nowhere".into(),
            NbdExport {
                volume: "vg0/zz".into(),
                lv_id: None,
                read_only: false,
            },
        );
        let found = FoundLv {
            volume: "vg0/a".into(),
            id: b,
        };
        c.nbd_export(&found, Some("pinned"), false).unwrap();
        pin_ids(&mut c, &vgs);
        assert_eq!(c.nbd["hand"].lv_id, Some(a.to_string()));
        assert_eq!(c.nbd["nowhere"].lv_id, None);
        assert_eq!(c.nbd["pinned"].lv_id, Some(b.to_string()));
        assert_eq!(users_of(&c, &vgs[0], &vgs[0].lvs[0]).len(), 1);
    }
}
