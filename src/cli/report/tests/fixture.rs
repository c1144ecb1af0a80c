//! rvm's model of the LVM2 test layout, with the ids, sizes, times and extents LVM2 wrote
//! (read back from `vgcfgbackup` and `pvs --units b -o pv_all`).

use crate::cli::report::{LiveStatus, LvLive};
use crate::format::id::Id;
use crate::meta::model::{
    AllocPolicy, Lv, LvKind, OrphanPv, Permission, Pv, Segment, SnapshotInfo, Vg,
};
use std::cell::RefCell;
use std::collections::HashMap;

const MIB: u64 = 1 << 20;

fn id(s: &str) -> Id {
    s.parse().expect("fixture id")
}

fn pv(uuid: &str, dev: &str, dev_size: u64, pe_count: u64) -> Pv {
    Pv {
        id: id(uuid),
        device: dev.into(),
        dev_size,
        pe_start: MIB,
        pe_count,
        allocatable: true,
        missing: false,
        tags: Vec::new(),
    }
}

/// Segments from (pv index, first PE, extents), laid end to end.
fn segs(runs: &[(usize, u64, u64)]) -> Vec<Segment> {
    let mut lv_start = 0;
    runs.iter()
        .map(|&(pv, pv_start, count)| {
            let s = Segment {
                lv_start,
                count,
                pv,
                pv_start,
            };
            lv_start += count;
            s
        })
        .collect()
}

pub(super) fn lv(name: &str, uuid: &str, time: u64, runs: &[(usize, u64, u64)]) -> Lv {
    Lv {
        name: name.into(),
        id: id(uuid),
        permission: Permission::ReadWrite,
        active: false,
        activation_skip: false,
        alloc: AllocPolicy::Inherit,
        creation_time: time,
        creation_host: "vm".into(),
        tags: Vec::new(),
        kind: LvKind::Linear,
        segments: segs(runs),
    }
}

fn snapshot(mut l: Lv, origin: &str, chunk: u64, store_id: u32, merging: bool) -> Lv {
    l.kind = LvKind::Snapshot(SnapshotInfo {
        origin: id(origin),
        chunk_size: chunk,
        store_id,
        merging,
    });
    l
}

pub(super) fn vg(
    name: &str,
    uuid: &str,
    seqno: u64,
    extent: u64,
    pvs: Vec<Pv>,
    lvs: Vec<Lv>,
) -> Vg {
    Vg {
        name: name.into(),
        id: id(uuid),
        seqno,
        extent_size: extent,
        resizeable: true,
        max_lv: 0,
        max_pv: 0,
        alloc: AllocPolicy::Normal,
        creation_time: 1_795_301_274,
        creation_host: "vm".into(),
        tags: Vec::new(),
        pvs,
        lvs,
    }
}

pub(super) const LV1: &str = "rY9oNd-O8Qs-oiBD-aX87-MSm0-7HA5-stwncN";
pub(super) const LVSPAN2: &str = "er3Mnz-uaGR-mcnk-yscD-s0bE-2Tlx-nrQX78";

/// VGs in an order other than by name, to check that reports sort them.
pub(super) fn layout() -> (Vec<Vg>, Vec<OrphanPv>) {
    let mut lvro = lv(
        "lvro",
        "g2N28b-4ZtT-3Gio-Vfq5-3Yfm-BSjM-SOTZUm",
        1_795_301_341,
        &[(0, 5, 3)],
    );
    lvro.permission = Permission::ReadOnly;
    lvro.alloc = AllocPolicy::Contiguous;
    lvro.tags = vec!["web".into(), "alpha".into()];
    lvro.activation_skip = true;
    let snap1 = snapshot(
        lv(
            "snap1",
            "Sn4pAA-1111-2222-3333-4444-5555-666666",
            1_795_301_400,
            &[(0, 14, 2)],
        ),
        LV1,
        4096,
        1,
        false,
    );
    let mut snapm = snapshot(
        lv(
            "snapm",
            "Sn4pCC-1111-2222-3333-4444-5555-666666",
            1_795_301_500,
            &[(0, 16, 1)],
        ),
        LVSPAN2,
        128 << 10,
        2,
        true,
    );
    snapm.creation_host = "otherhost".into();
    let vg1 = vg(
        "rptvg1",
        "iWZRH2-bpOp-315q-o2Ae-VMdg-EUh5-2yuspy",
        7,
        4 * MIB,
        vec![
            pv(
                "eG9HS2-XxfN-MzGE-PyJc-BhDU-2mLR-f0wMGK",
                "/dev/loop0",
                100 * MIB,
                24,
            ),
            pv(
                "wFjrte-YOA3-2BsX-AiDV-044V-460W-1SLQxr",
                "/dev/loop1",
                250 * MIB,
                62,
            ),
        ],
        vec![
            lv("lv1", LV1, 1_795_301_274, &[(0, 0, 5)]),
            lv(
                "lvspan",
                "AAoUr2-cTEM-TcPI-MHT2-8ZqW-PSWJ-80ePgx",
                1_795_301_335,
                &[(1, 0, 45)],
            ),
            lvro,
            lv("lvspan2", LVSPAN2, 1_795_301_341, &[(1, 45, 17), (0, 8, 6)]),
            snap1,
            snapm,
        ],
    );
    let mut vg2 = vg(
        "rptvg2",
        "3O2jco-CK3L-S9dp-msCO-Ledf-DEaa-DxA8Dn",
        4,
        MIB,
        vec![pv(
            "mz4fmj-vJqD-C0x8-8KqR-eJjG-lPTz-0vVcvm",
            "/dev/loop3",
            3 << 30,
            3071,
        )],
        vec![
            lv(
                "big",
                "rYKfyA-TDW0-xfTK-5AEB-qfUu-Y2SG-Fq6Fkc",
                1_795_301_341,
                &[(0, 0, 2043)],
            ),
            lv(
                "Small",
                "MjeP9X-3m7t-CEQD-cq8u-NTMY-kTUN-ScsxXI",
                1_795_301_341,
                &[(0, 2043, 5)],
            ),
        ],
    );
    vg2.tags = vec!["prod".into(), "db".into()];
    let vg3 = vg(
        "rptvg3",
        "U4eYEt-oZIZ-1oEa-4vJX-lwYy-nDtW-aXsDDx",
        1,
        4 * MIB,
        vec![pv(
            "0VDUAN-uIxY-Cb0v-1ZQa-NkhQ-C0ke-3sOAYI",
            "/dev/loop5",
            64 * MIB,
            15,
        )],
        Vec::new(),
    );
    let orphans = vec![
        OrphanPv {
            id: id("lTfyBc-z0nH-Mk0w-57Wo-br4p-blc3-JWmMn8"),
            device: "/dev/loop2".into(),
            dev_size: 1 << 30,
            pe_start: MIB,
        },
        OrphanPv {
            id: id("CU27RH-RBhF-rWfQ-0ddD-Zcnf-b68b-UQ8cvl"),
            device: "/dev/loop4".into(),
            dev_size: 99_999_744,
            pe_start: MIB,
        },
    ];
    (vec![vg3, vg1, vg2], orphans)
}

/// Live figures keyed by LV name, recording which LVs were asked about.
#[derive(Default)]
pub(super) struct Live {
    pub figures: HashMap<String, LvLive>,
    pub asked: RefCell<Vec<String>>,
}

impl LiveStatus for Live {
    fn lv(&self, _vg: &Vg, lv: &Lv) -> LvLive {
        self.asked.borrow_mut().push(lv.name.clone());
        self.figures.get(&lv.name).cloned().unwrap_or_default()
    }
}
