use super::*;
use crate::format::id::Id;
use crate::meta::model::*;
use crate::meta::validate::validate;

fn pv(n: u64) -> Pv {
    Pv {
        id: Id::random(),
        device: format!("/dev/pv{n}").into(),
        dev_size: 0,
        pe_start: 1 << 20,
        pe_count: n,
        allocatable: true,
        missing: false,
        tags: vec![],
    }
}

fn new(name: &str, extents: u64) -> NewLv {
    NewLv {
        name: name.into(),
        extents,
        allowed_pvs: None,
        alloc: AllocPolicy::Inherit,
        permission: Permission::ReadWrite,
        active: true,
        activation_skip: false,
        tags: vec![],
        creation_time: 0,
        creation_host: String::new(),
        kind: LvKind::Linear,
    }
}

fn vg() -> Vg {
    new_vg("vg", 4 << 20, vec![pv(100), pv(100)], 0, "h").unwrap()
}

#[test]
fn create_checks_before_changing() {
    let mut g = vg();
    create_lv(&mut g, new("a", 150)).unwrap();
    validate(&g).unwrap();
    let before = g.clone();
    assert!(matches!(
        create_lv(&mut g, new("a", 1)),
        Err(MetaError::LvExists { .. })
    ));
    assert!(matches!(
        create_lv(&mut g, new("b", 51)),
        Err(MetaError::InsufficientSpace { free: 50, .. })
    ));
    assert!(create_lv(&mut g, new("bad/name", 1)).is_err());
    assert!(create_lv(&mut g, new("z", 0)).is_err());
    assert_eq!(g, before, "failed operations change nothing");
}

#[test]
fn resize_grows_in_place_and_shrinks_from_the_end() {
    let mut g = vg();
    create_lv(&mut g, new("a", 10)).unwrap();
    resize_lv(&mut g, "a", 30, None, AllocPolicy::Inherit).unwrap();
    assert_eq!(g.lv("a").unwrap().segments.len(), 1);
    create_lv(&mut g, new("b", 10)).unwrap();
    resize_lv(&mut g, "a", 40, None, AllocPolicy::Inherit).unwrap();
    assert_eq!(g.lv("a").unwrap().segments.len(), 2);
    resize_lv(&mut g, "a", 25, None, AllocPolicy::Inherit).unwrap();
    assert_eq!(g.lv("a").unwrap().extent_count(), 25);
    assert_eq!(g.lv("a").unwrap().segments.len(), 1);
    validate(&g).unwrap();
    assert!(resize_lv(&mut g, "a", 0, None, AllocPolicy::Inherit).is_err());
    assert!(resize_lv(&mut g, "nope", 5, None, AllocPolicy::Inherit).is_err());
}

#[test]
fn reduce_renumbers_segments() {
    let mut g = new_vg("vg", 4 << 20, vec![pv(10), pv(10), pv(10)], 0, "h").unwrap();
    create_lv(
        &mut g,
        NewLv {
            allowed_pvs: Some(vec![2]),
            ..new("c", 5)
        },
    )
    .unwrap();
    assert!(reduce_vg(&mut g, &[2]).is_err());
    reduce_vg(&mut g, &[1]).unwrap();
    assert_eq!(g.pvs.len(), 2);
    assert_eq!(g.lv("c").unwrap().segments[0].pv, 1);
    validate(&g).unwrap();
    assert!(reduce_vg(&mut g, &[0, 1]).is_err());
}

#[test]
fn remove_missing_needs_force_for_partial_lvs() {
    let mut g = vg();
    create_lv(
        &mut g,
        NewLv {
            allowed_pvs: Some(vec![1]),
            ..new("on1", 5)
        },
    )
    .unwrap();
    create_lv(
        &mut g,
        NewLv {
            allowed_pvs: Some(vec![0]),
            ..new("on0", 5)
        },
    )
    .unwrap();
    g.pvs[1].missing = true;
    assert!(remove_missing(&mut g, false).is_err());
    assert_eq!(remove_missing(&mut g, true).unwrap(), vec!["on1"]);
    assert_eq!(g.pvs.len(), 1);
    assert_eq!(g.lv("on0").unwrap().segments[0].pv, 0);
    validate(&g).unwrap();
}

#[test]
fn snapshots_go_with_their_origin_only_when_asked() {
    let mut g = vg();
    create_lv(&mut g, new("origin", 10)).unwrap();
    let origin = g.lv("origin").unwrap().id;
    let kind = LvKind::Snapshot(SnapshotInfo {
        origin,
        chunk_size: 4096,
        store_id: next_store_id(&g),
        merging: false,
    });
    create_lv(
        &mut g,
        NewLv {
            kind,
            ..new("snap", 2)
        },
    )
    .unwrap();
    validate(&g).unwrap();
    assert_eq!(next_store_id(&g), 2);
    assert!(remove_lv(&mut g, "origin", false).is_err());
    let gone = remove_lv(&mut g, "origin", true).unwrap();
    assert_eq!(gone.len(), 2);
    assert!(g.lvs.is_empty());
}

#[test]
fn percentages_and_pv_resize() {
    let mut g = vg();
    let all = vec![true, true];
    assert_eq!(
        resolve_extents(&g, Extents::PercentVg(50), &all, None).unwrap(),
        100
    );
    create_lv(&mut g, new("a", 150)).unwrap();
    assert_eq!(
        resolve_extents(&g, Extents::PercentFree(50), &all, None).unwrap(),
        25
    );
    assert_eq!(
        resolve_extents(&g, Extents::PercentPvs(10), &[false, true], None).unwrap(),
        10
    );
    assert!(resolve_extents(&g, Extents::PercentOrigin(10), &all, None).is_err());
    assert!(
        resize_pv(&mut g, 1, 0, 40).is_err(),
        "extents 0..50 of PV 1 are in use"
    );
    resize_pv(&mut g, 1, 0, 60).unwrap();
    assert_eq!(g.extent_count(), 160);
}
