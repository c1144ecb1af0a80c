//! kill -9 at any instant of lvcreate or lvremove leaves the old or the new state, and vgck
//! passes afterwards.

mod common;
use common::*;
use std::time::Duration;

#[test]
fn kill9_during_lvcreate_and_lvremove_leaves_old_or_new_state() {
    let s = Sandbox::new();
    s.vg("vg", 2, GIB);
    for i in 0..50 {
        s.ok(&["lvcreate", "-l", "1", "-n", &format!("base{i}"), "vg"]);
    }
    // A fixed pseudo-random sequence of kill delays, so failures reproduce.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % 12_000
    };
    let (mut saw_old, mut saw_new) = (0, 0);
    for i in 0..60 {
        let before = s.lv_sizes("vg");
        let create = i % 2 == 0;
        let name = format!("crash{}", i / 2);
        let args: Vec<String> = if create {
            vec![
                "lvcreate".into(),
                "-l".into(),
                "3".into(),
                "-n".into(),
                name.clone(),
                "vg".into(),
            ]
        } else {
            vec!["lvremove".into(), "-f".into(), format!("vg/{name}")]
        };
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = s
            .cmd(&argv)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(next()));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        s.ok(&["vgck", "vg"]);
        let after = s.lv_sizes("vg");
        let mut expected_new = before.clone();
        if create {
            if !expected_new.iter().any(|(n, _)| *n == name) {
                expected_new.push((name.clone(), 3));
                expected_new.sort();
            }
        } else {
            expected_new.retain(|(n, _)| *n != name);
        }
        if after == before {
            saw_old += 1;
        } else {
            assert_eq!(
                after, expected_new,
                "iteration {i}: neither old nor new state"
            );
            saw_new += 1;
        }
        // Make the next removal meaningful whatever happened.
        if create && after == before {
            s.ok(&["lvcreate", "-l", "3", "-n", &name, "vg"]);
        }
    }
    assert!(saw_old + saw_new == 60);
    // The kill delays span a whole command, so both outcomes occur.
    assert!(saw_old > 0 && saw_new > 0, "old {saw_old}, new {saw_new}");
    s.ok(&["vgck", "vg"]);
}
