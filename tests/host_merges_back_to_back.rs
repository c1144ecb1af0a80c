//! In a long-lived process (the daemon's case), a merge asked for as soon as the previous
//! merge into the same origin has finished (its snapshot is gone from the metadata) starts:
//! it is not refused because the engine had not yet let go of the finished one.

mod crash_support;
use crash_support::*;
use rvm::engine::Volume;

#[test]
fn a_merge_right_after_another_into_the_same_origin_starts() {
    let m = Machine::new(1, 16 * MIB);
    let devs = dyns(&m.blank().mem());
    let p = Proc::boot(&m, &devs);
    p.cmd(&format!("pvcreate --metadatasize 16k {}", m.pv(0)))
        .unwrap();
    p.cmd(&format!("vgcreate -s 64k vg {}", m.pv(0))).unwrap();
    p.cmd("lvcreate -l 2 -n o vg").unwrap();
    let o = p.volume("vg", "o").unwrap();
    let size = o.size() as usize;
    for round in 0..40u32 {
        for (i, s) in ["a", "b"].into_iter().enumerate() {
            p.cmd(&format!("lvcreate -s -l 100%ORIGIN -n {s}{round} vg/o"))
                .unwrap();
            o.write_at(&pattern(round * 2 + 1 + i as u32, 0, size), 0, false)
                .unwrap();
        }
        for s in ["a", "b"] {
            let snap = format!("{s}{round}");
            p.cmd(&format!("lvconvert --merge -b vg/{snap}"))
                .unwrap_or_else(|e| panic!("round {round}: merging {snap}: {e}"));
            assert!(p.wait_merged("vg", &snap, || false).unwrap());
        }
        // b was taken after the first write of the round.
        let mut got = vec![0u8; size];
        o.read_at(&mut got, 0).unwrap();
        assert!(
            got == pattern(round * 2 + 1, 0, size),
            "round {round}: origin"
        );
    }
    drop(o);
    p.shutdown().unwrap();
}
