//! Extent allocation. Free space is always recomputed from the LVs' segments, never stored,
//! so it cannot drift from the truth.

use super::model::{AllocPolicy, Vg};

/// A run of free extents on one PV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeRun {
    pub pv: usize,
    pub start: u64,
    pub count: u64,
}

/// One piece of a new allocation: `count` extents at `pv_start` on PV `pv`.
pub type Area = FreeRun;

/// Free runs of every PV, sorted by PV then start.
#[derive(Debug, Clone, Default)]
pub struct FreeMap {
    pub runs: Vec<FreeRun>,
}

impl FreeMap {
    /// Derives the free runs of `vg` from its segments.
    pub fn of(vg: &Vg) -> FreeMap {
        let mut used: Vec<Vec<(u64, u64)>> = vec![Vec::new(); vg.pvs.len()];
        for lv in &vg.lvs {
            for s in &lv.segments {
                if let Some(u) = used.get_mut(s.pv) {
                    u.push((s.pv_start, s.count));
                }
            }
        }
        let mut runs = Vec::new();
        for (pv, mut u) in used.into_iter().enumerate() {
            u.sort_unstable();
            let end = vg.pvs[pv].pe_count;
            let mut at = 0u64;
            for (start, count) in u {
                if start > at {
                    runs.push(FreeRun {
                        pv,
                        start: at,
                        count: start.min(end) - at,
                    });
                }
                at = at.max(start.saturating_add(count));
            }
            if end > at {
                runs.push(FreeRun {
                    pv,
                    start: at,
                    count: end - at,
                });
            }
        }
        FreeMap { runs }
    }

    /// Free extents on PV `pv`.
    pub fn pv_free(&self, pv: usize) -> u64 {
        self.runs
            .iter()
            .filter(|r| r.pv == pv)
            .map(|r| r.count)
            .sum()
    }

    /// Free extents on every PV for which `usable` holds.
    pub fn free(&self, usable: impl Fn(usize) -> bool) -> u64 {
        self.runs
            .iter()
            .filter(|r| usable(r.pv))
            .map(|r| r.count)
            .sum()
    }
}

/// Which PVs an allocation may use: allocatable, present, and in `allowed` when given.
pub fn usable_pvs(vg: &Vg, allowed: Option<&[usize]>) -> Vec<bool> {
    vg.pvs
        .iter()
        .enumerate()
        .map(|(i, pv)| pv.allocatable && !pv.missing && allowed.is_none_or(|a| a.contains(&i)))
        .collect()
}

/// Chooses `count` free extents on the usable PVs, or `None` if they do not fit.
///
/// `after` is where an LV being extended ends: continuing it there keeps it in one
/// segment. Otherwise the first run that holds everything wins; failing that (and unless
/// the policy is contiguous) runs are taken in PV order until the request is met.
pub fn allocate(
    vg: &Vg,
    count: u64,
    usable: &[bool],
    policy: AllocPolicy,
    after: Option<(usize, u64)>,
) -> Option<Vec<Area>> {
    if count == 0 {
        return Some(Vec::new());
    }
    let free = FreeMap::of(vg);
    let mut runs: Vec<FreeRun> = free
        .runs
        .into_iter()
        .filter(|r| usable.get(r.pv).copied().unwrap_or(false))
        .collect();
    let mut out = Vec::new();
    let mut need = count;
    if let Some((pv, pe)) = after {
        if let Some(r) = runs.iter().find(|r| r.pv == pv && r.start == pe) {
            let n = r.count.min(need);
            if policy != AllocPolicy::Contiguous || n == need {
                out.push(FreeRun {
                    pv,
                    start: pe,
                    count: n,
                });
                need -= n;
            }
        }
        runs.retain(|r| !(r.pv == pv && r.start == pe));
        if need == 0 {
            return Some(out);
        }
    }
    if let Some(r) = runs.iter().find(|r| r.count >= need) {
        out.push(FreeRun {
            pv: r.pv,
            start: r.start,
            count: need,
        });
        return Some(out);
    }
    if policy == AllocPolicy::Contiguous {
        return None;
    }
    for r in &runs {
        if need == 0 {
            break;
        }
        let n = r.count.min(need);
        out.push(FreeRun {
            pv: r.pv,
            start: r.start,
            count: n,
        });
        need -= n;
    }
    (need == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::id::Id;
    use crate::meta::model::*;
    use proptest::prelude::*;

    fn vg(pe_counts: &[u64]) -> Vg {
        Vg {
            name: "vg".into(),
            id: Id::random(),
            seqno: 1,
            extent_size: 4 << 20,
            resizeable: true,
            max_lv: 0,
            max_pv: 0,
            alloc: AllocPolicy::Normal,
            creation_time: 0,
            creation_host: String::new(),
            tags: vec![],
            pvs: pe_counts
                .iter()
                .map(|&n| Pv {
                    id: Id::random(),
                    device: "/x".into(),
                    dev_size: 0,
                    pe_start: 1 << 20,
                    pe_count: n,
                    allocatable: true,
                    missing: false,
                    tags: vec![],
                })
                .collect(),
            lvs: vec![],
        }
    }

    fn add_lv(vg: &mut Vg, name: &str, areas: &[Area]) {
        let mut lv_start = 0;
        let segments = areas
            .iter()
            .map(|a| {
                let s = Segment {
                    lv_start,
                    count: a.count,
                    pv: a.pv,
                    pv_start: a.start,
                };
                lv_start += a.count;
                s
            })
            .collect();
        vg.lvs.push(Lv {
            name: name.into(),
            id: Id::random(),
            permission: Permission::ReadWrite,
            active: true,
            activation_skip: false,
            alloc: AllocPolicy::Inherit,
            creation_time: 0,
            creation_host: String::new(),
            tags: vec![],
            kind: LvKind::Linear,
            segments,
        });
    }

    #[test]
    fn spills_over_to_the_next_pv_only_when_needed() {
        let mut g = vg(&[10, 10]);
        let usable = usable_pvs(&g, None);
        let a = allocate(&g, 8, &usable, AllocPolicy::Normal, None).unwrap();
        assert_eq!(
            a,
            vec![FreeRun {
                pv: 0,
                start: 0,
                count: 8
            }]
        );
        add_lv(&mut g, "a", &a);
        let b = allocate(&g, 5, &usable, AllocPolicy::Normal, None).unwrap();
        assert_eq!(
            b,
            vec![FreeRun {
                pv: 1,
                start: 0,
                count: 5
            }]
        );
        let c = allocate(&g, 12, &usable, AllocPolicy::Normal, None).unwrap();
        assert_eq!(c.iter().map(|a| a.count).sum::<u64>(), 12);
        assert!(allocate(&g, 13, &usable, AllocPolicy::Normal, None).is_none());
        assert!(allocate(&g, 11, &usable, AllocPolicy::Contiguous, None).is_none());
        let only1 = usable_pvs(&g, Some(&[1]));
        assert!(allocate(&g, 11, &only1, AllocPolicy::Normal, None).is_none());
    }

    #[test]
    fn extension_continues_in_place() {
        let mut g = vg(&[20]);
        let usable = usable_pvs(&g, None);
        add_lv(
            &mut g,
            "a",
            &[FreeRun {
                pv: 0,
                start: 5,
                count: 5,
            }],
        );
        let more = allocate(&g, 3, &usable, AllocPolicy::Normal, Some((0, 10))).unwrap();
        assert_eq!(
            more,
            vec![FreeRun {
                pv: 0,
                start: 10,
                count: 3
            }]
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Create(u64),
        Remove(usize),
        Extend(usize, u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1u64..40).prop_map(Op::Create),
            (0usize..20).prop_map(Op::Remove),
            (0usize..20, 1u64..20).prop_map(|(i, n)| Op::Extend(i, n)),
        ]
    }

    proptest! {
        /// The allocator against a model that is just one bit per extent.
        #[test]
        fn allocator_matches_a_bitmap_model(
            sizes in proptest::collection::vec(1u64..60, 1..4),
            ops in proptest::collection::vec(op(), 1..60),
        ) {
            let mut g = vg(&sizes);
            let usable = usable_pvs(&g, None);
            let mut owned: Vec<Vec<bool>> = sizes.iter().map(|&n| vec![false; n as usize]).collect();
            for (k, op) in ops.into_iter().enumerate() {
                let free_model: u64 = owned.iter().flatten().filter(|b| !**b).count() as u64;
                prop_assert_eq!(FreeMap::of(&g).free(|_| true), free_model);
                match op {
                    Op::Create(n) => {
                        let got = allocate(&g, n, &usable, AllocPolicy::Normal, None);
                        prop_assert_eq!(got.is_some(), n <= free_model);
                        if let Some(areas) = got {
                            prop_assert_eq!(areas.iter().map(|a| a.count).sum::<u64>(), n);
                            for a in &areas {
                                for e in a.start..a.start + a.count {
                                    let slot = &mut owned[a.pv][e as usize];
                                    prop_assert!(!*slot, "extent handed out twice");
                                    *slot = true;
                                }
                            }
                            add_lv(&mut g, &format!("lv{k}"), &areas);
                        }
                    }
                    Op::Remove(i) if !g.lvs.is_empty() => {
                        let lv = g.lvs.remove(i % g.lvs.len());
                        for s in lv.segments {
                            for e in s.pv_start..s.pv_start + s.count {
                                owned[s.pv][e as usize] = false;
                            }
                        }
                    }
                    Op::Extend(i, n) if !g.lvs.is_empty() => {
                        let idx = i % g.lvs.len();
                        let last = *g.lvs[idx].segments.last().unwrap();
                        let after = Some((last.pv, last.pv_start + last.count));
                        if let Some(areas) = allocate(&g, n, &usable, AllocPolicy::Normal, after) {
                            let mut lv_start = g.lvs[idx].extent_count();
                            for a in areas {
                                for e in a.start..a.start + a.count {
                                    prop_assert!(!owned[a.pv][e as usize]);
                                    owned[a.pv][e as usize] = true;
                                }
                                g.lvs[idx].segments.push(Segment { lv_start, count: a.count, pv: a.pv, pv_start: a.start });
                                lv_start += a.count;
                            }
                        } else {
                            prop_assert!(n > free_model);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
