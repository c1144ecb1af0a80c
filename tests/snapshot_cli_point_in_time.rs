//! Several snapshots of one origin, made with `rvm lvcreate -s` and read back with
//! `rvm copy`, each keep their point in time byte for byte while the origin is rewritten
//! (whole, with `rvm copy`, and in scattered pieces of every size and alignment).

mod common;
mod snap_support;
use common::*;
use snap_support::*;

#[test]
fn every_snapshot_reads_its_point_in_time() {
    let s = Sandbox::new();
    s.vg("vg", 1, 512 * MIB);
    s.ok(&["lvcreate", "-L", "32m", "-n", "o", "vg"]);
    let size = 32 * MIB as usize;
    let mut model = data(1, size);
    s.ok(&["copy", &image(&s, "base.img", &model), "vg/o"]);
    let mut snaps: Vec<(String, Vec<u8>)> = Vec::new();
    for (round, chunk) in ["4k", "64k", "8k", "512k"].iter().enumerate() {
        let name = format!("s{round}");
        let out = s.ok(&[
            "lvcreate", "-s", "-L", "48m", "-c", chunk, "-n", &name, "vg/o",
        ]);
        assert!(
            out.contains(&format!("Logical volume \"{name}\" created.")),
            "{out}"
        );
        snaps.push((name, model.clone()));
        if round == 1 {
            // A whole new image through rvm copy.
            model = data(100 + round as u64, size);
            s.ok(&["copy", &image(&s, "next.img", &model), "vg/o"]);
            continue;
        }
        let mut writes = Vec::new();
        let mut r = data(200 + round as u64, 4096);
        for k in 0..300usize {
            let pick = |i: usize| {
                u64::from_le_bytes(r[i * 8 % 4088..i * 8 % 4088 + 8].try_into().unwrap())
            };
            let len = [512usize, 4096, 8192, 12288, 70000, 1 << 20][pick(k) as usize % 6];
            let off = (pick(k + 1) as usize % (size - len)) / 512 * 512;
            let bytes = data((round * 1000 + k) as u64, len);
            model[off..off + len].copy_from_slice(&bytes);
            writes.push((off as u64, bytes));
            if k % 37 == 0 {
                r = data(300 + k as u64, 4096);
            }
        }
        write_lv(&s, "vg", "o", &writes);
    }
    assert_image("origin", &read_lv(&s, "vg/o"), &model);
    for (name, want) in &snaps {
        assert_image(name, &read_lv(&s, &format!("vg/{name}")), want);
        assert_eq!(&field(&s, &format!("vg/{name}"), "origin"), "o");
    }
    // Removing the oldest and a middle snapshot keeps the others' points in time (chunks
    // they borrowed from the removed stores are taken over first).
    s.ok(&["lvremove", "-f", "vg/s0", "vg/s2"]);
    for (name, want) in snaps.iter().filter(|(n, _)| n == "s1" || n == "s3") {
        assert_image(name, &read_lv(&s, &format!("vg/{name}")), want);
    }
    assert_image("origin after removals", &read_lv(&s, "vg/o"), &model);
}
