//! Property test: any sequence of origin writes, snapshot writes, snapshot creations,
//! removals, flushes and reopens leaves every volume equal to a plain byte model.

mod engine_support;
use engine_support::*;
use proptest::prelude::*;
use rvm::engine::Volume;

#[derive(Debug, Clone)]
enum Op {
    Write {
        sector: u64,
        sectors: u64,
        tag: u32,
    },
    SnapWrite {
        which: usize,
        sector: u64,
        sectors: u64,
        tag: u32,
    },
    Snapshot {
        chunk_shift: u32,
    },
    Remove {
        which: usize,
    },
    Flush,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u64..2048, 1u64..24, any::<u32>()).prop_map(|(sector, sectors, tag)| Op::Write { sector, sectors, tag }),
        // Writes over many units: runs of units written straight to disk between ones that
        // need copies.
        2 => (0u64..2048, 24u64..400, any::<u32>()).prop_map(|(sector, sectors, tag)| Op::Write { sector, sectors, tag }),
        2 => (0usize..4, 0u64..2048, 1u64..24, any::<u32>()).prop_map(|(which, sector, sectors, tag)| Op::SnapWrite { which, sector, sectors, tag }),
        1 => (0u32..3).prop_map(|chunk_shift| Op::Snapshot { chunk_shift }),
        1 => (0usize..4).prop_map(|which| Op::Remove { which }),
        1 => Just(Op::Flush),
        1 => Just(Op::Reopen),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    #[test]
    fn volumes_match_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let mut rig = Rig::mem(96 * MIB, MIB);
        let mut origin = rig.open();
        let size = origin.size();
        let mut model = vec![0u8; size as usize];
        let mut snaps: Vec<(rvm::format::id::Id, Vec<u8>)> = Vec::new();
        for op in ops {
            match op {
                Op::Write { sector, sectors, tag } => {
                    let off = (sector * 512).min(size - 512);
                    let len = (sectors * 512).min(size - off) as usize;
                    let d = pattern(tag, off, len);
                    origin.write_at(&d, off, false).unwrap();
                    model[off as usize..off as usize + len].copy_from_slice(&d);
                }
                Op::SnapWrite { which, sector, sectors, tag } => {
                    if snaps.is_empty() { continue; }
                    let n = snaps.len();
                    let (id, m) = &mut snaps[which % n];
                    let off = (sector * 512).min(size - 512);
                    let len = (sectors * 512).min(size - off) as usize;
                    let d = pattern(tag, off, len);
                    origin.snapshot(id).unwrap().write_at(&d, off, false).unwrap();
                    m[off as usize..off as usize + len].copy_from_slice(&d);
                }
                Op::Snapshot { chunk_shift } => {
                    if snaps.len() >= 4 { continue; }
                    let s = rig.snapshot(&origin, 2 * MIB, 4096 << chunk_shift, false);
                    snaps.push((s.id(), model.clone()));
                }
                Op::Remove { which } => {
                    if snaps.is_empty() { continue; }
                    let (id, _) = snaps.remove(which % snaps.len());
                    rig.remove(&origin, &id);
                }
                Op::Flush => origin.flush().unwrap(),
                Op::Reopen => {
                    origin.close().unwrap();
                    drop(origin);
                    origin = rig.open();
                }
            }
        }
        prop_assert_eq!(read_all(&origin), model);
        for (id, m) in &snaps {
            let s = origin.snapshot(id).unwrap();
            prop_assert!(s.status().valid);
            prop_assert_eq!(&read_all(&s), m);
        }
    }
}
