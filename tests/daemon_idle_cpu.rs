//! An idle daemon with 100 exports (linear LVs and origins with snapshots, over NBD and
//! iSCSI) uses no measurable CPU: nothing polls, no timer ticks.

mod common;
mod daemon_common;
use common::*;
use daemon_common::*;
use std::time::Duration;

#[test]
fn an_idle_daemon_with_100_exports_uses_no_cpu() {
    let s = Sandbox::new();
    s.vg("vg0", 1, 4 * GIB);
    for i in 0..100 {
        let lv = format!("lv{i}");
        s.ok(&["lvcreate", "-L", "8m", "-n", &lv, "vg0"]);
        if i % 10 == 0 {
            // Origins run a committer thread each.
            s.ok(&[
                "lvcreate",
                "-s",
                "-L",
                "4m",
                "-n",
                &format!("{lv}s"),
                &format!("vg0/{lv}"),
            ]);
        }
        if i % 4 == 0 {
            let t = format!("iqn.2026-11.org.example:{lv}");
            s.ok(&["iscsi", "target", "create", &t]);
            s.ok(&["iscsi", "lun", "add", &t, &format!("vg0/{lv}")]);
        } else {
            s.ok(&["nbd", "export", &format!("vg0/{lv}")]);
        }
    }
    let d = Daemon::start(&s);
    // Every export is open: the log names none that failed.
    assert!(!d.log_text().contains("not found"), "{}", d.log_text());
    std::thread::sleep(Duration::from_millis(500));
    let before = d.cpu_ticks();
    std::thread::sleep(Duration::from_secs(3));
    let used = d.cpu_ticks() - before;
    // One clock tick is 10 ms; a 100 ms poll in each of 100 threads would cost far more.
    assert!(used <= 1, "idle daemon used {used} ticks in 3 s");
    d.stop();
}
