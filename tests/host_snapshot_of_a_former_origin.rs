//! An LV whose last snapshot went (removed, or merged) is opened by the same long-lived
//! process, written, and given a new snapshot: the new snapshot holds its point in time,
//! because the LV's volume is served by its origin's open engine and not by a second,
//! linear volume beside it whose writes would bypass copy-on-write.

mod crash_support;
use crash_support::*;
use rvm::engine::Volume;

fn read(p: &Proc, lv: &str) -> Vec<u8> {
    let v = p.volume("vg", lv).unwrap();
    let mut b = vec![0u8; v.size() as usize];
    v.read_at(&mut b, 0).unwrap();
    b
}

#[test]
fn a_new_snapshot_of_a_former_origin_keeps_its_point_in_time() {
    for how in ["lvremove -f vg/old", "lvconvert --merge vg/old"] {
        let m = Machine::new(1, 8 * MIB);
        let devs = dyns(&m.blank().mem());
        let p = Proc::boot(&m, &devs);
        p.cmd(&format!("pvcreate --metadatasize 16k {}", m.pv(0)))
            .unwrap();
        p.cmd(&format!("vgcreate -s 64k vg {}", m.pv(0))).unwrap();
        p.cmd("lvcreate -l 4 -n o vg").unwrap();
        // The family opens for the first snapshot, and stays open after it goes.
        p.cmd("lvcreate -s -l 100%ORIGIN -n old vg/o").unwrap();
        p.cmd(how).unwrap();
        let o = p.volume("vg", "o").unwrap();
        let size = o.size() as usize;
        o.write_at(&pattern(1, 0, size), 0, false).unwrap();
        p.cmd("lvcreate -s -l 100%ORIGIN -n new vg/o").unwrap();
        o.write_at(&pattern(2, 0, size), 0, false).unwrap();
        o.flush().unwrap();
        assert!(
            read(&p, "new") == pattern(1, 0, size),
            "after `{how}`: the new snapshot does not hold its point in time"
        );
        assert!(
            read(&p, "o") == pattern(2, 0, size),
            "after `{how}`: origin"
        );
        drop(o);
        p.shutdown().unwrap();
    }
}
