//! iSCSI through `rvm serve`, the way an operator of a CloudStack-style SAN sets it up
//! with rvm's commands: two targets with an LV each are found in one SendTargets, an
//! initiator outside a target's ACL is refused, CHAP is enforced (a wrong secret is
//! refused), LUN identities are stable across restarts, lvextend shows as a new capacity,
//! and targets and LUNs added while the daemon runs are served at once.

mod common;
mod daemon_common;
mod iscsi_common;
use common::*;
use daemon_common::*;

const T1: &str = "iqn.2026-11.org.example:vol1";
const T2: &str = "iqn.2026-11.org.example:vol2";
const KVM1: &str = "iqn.2026-11.org.example:kvm1";
const KVM2: &str = "iqn.2026-11.org.example:kvm2";
const OUTSIDER: &str = "iqn.2026-11.org.example:outsider";

fn setup() -> Sandbox {
    let s = Sandbox::new();
    s.vg("vg0", 1, GIB);
    for (lv, t) in [("vol1", T1), ("vol2", T2)] {
        s.ok(&["lvcreate", "-L", "64m", "-n", lv, "vg0"]);
        s.ok(&["iscsi", "target", "create", t]);
        s.ok(&["iscsi", "lun", "add", t, &format!("vg0/{lv}")]);
    }
    s.ok(&["iscsi", "acl", "add", T1, KVM1]);
    s.ok(&["iscsi", "acl", "add", T1, KVM2]);
    s.ok(&["iscsi", "acl", "add", T2, KVM1]);
    s
}

fn url(d: &Daemon, t: &str, auth: &str) -> String {
    format!("iscsi://{auth}{}/{t}/0", d.iscsi)
}

#[test]
fn two_targets_in_one_sendtargets_and_the_acl_decides() {
    let s = setup();
    let d = Daemon::start(&s);
    let ls = tool_ok(
        30,
        "iscsi-ls",
        &["-i", KVM1, &format!("iscsi://{}/", d.iscsi)],
    );
    for t in [T1, T2] {
        let line = format!("Target:{t} Portal:{},1", d.iscsi);
        assert!(ls.contains(&line), "{line:?} missing: {ls}");
    }
    // kvm2 may use vol1 only, and is told of nothing else.
    let ls = tool_ok(
        30,
        "iscsi-ls",
        &["-i", KVM2, &format!("iscsi://{}/", d.iscsi)],
    );
    assert!(ls.contains(T1) && !ls.contains(T2), "{ls}");
    let o = tool(30, "iscsi-inq", &["-i", KVM2, &url(&d, T2, "")]);
    assert!(!o.status.success(), "kvm2 got into vol2: {o:?}");
    let o = tool(30, "iscsi-inq", &["-i", OUTSIDER, &url(&d, T1, "")]);
    assert!(!o.status.success(), "an outsider got in: {o:?}");
    let inq = tool_ok(30, "iscsi-inq", &["-i", KVM1, &url(&d, T1, "")]);
    assert!(inq.contains("DIRECT_ACCESS"), "{inq}");
    let cap = tool_ok(30, "iscsi-readcapacity16", &["-i", KVM1, &url(&d, T1, "")]);
    assert!(
        cap.contains(&format!("Total size:{}", 64u64 << 20)),
        "{cap}"
    );
    // `rvm iscsi list` shows the daemon's portal.
    let list = s.ok(&["iscsi", "list"]);
    assert!(list.contains(&d.iscsi.to_string()), "{list}");
    d.stop();
}

#[test]
fn chap_is_enforced_and_a_wrong_secret_is_refused() {
    let s = setup();
    let d = Daemon::start(&s);
    // Set while the daemon runs: applies to the next login.
    s.ok(&[
        "iscsi",
        "auth",
        T1,
        "--user",
        "kvm",
        "--password",
        "secret-of-kvm1",
    ]);
    let good = url(&d, T1, "kvm%secret-of-kvm1@");
    let bad = url(&d, T1, "kvm%secret-of-kvm2@");
    assert!(tool_ok(30, "iscsi-inq", &["-i", KVM1, &good]).contains("DIRECT_ACCESS"));
    let o = tool(30, "iscsi-inq", &["-i", KVM1, &bad]);
    assert!(!o.status.success(), "wrong secret accepted: {o:?}");
    let o = tool(30, "iscsi-inq", &["-i", KVM1, &url(&d, T1, "")]);
    assert!(!o.status.success(), "no CHAP accepted: {o:?}");
    // T2 has no CHAP and is unaffected.
    assert!(tool_ok(30, "iscsi-inq", &["-i", KVM1, &url(&d, T2, "")]).contains("DIRECT_ACCESS"));
    // Discovery CHAP, once configured, applies to SendTargets.
    s.ok(&[
        "iscsi",
        "auth",
        "discovery",
        "--user",
        "disc",
        "--password",
        "discovery-secret",
    ]);
    let o = tool(
        30,
        "iscsi-ls",
        &["-i", KVM1, &format!("iscsi://{}/", d.iscsi)],
    );
    assert!(!o.status.success(), "discovery without CHAP: {o:?}");
    let ls = tool_ok(
        30,
        "iscsi-ls",
        &[
            "-i",
            KVM1,
            &format!("iscsi://disc%discovery-secret@{}/", d.iscsi),
        ],
    );
    assert!(ls.contains(T1), "{ls}");
    // And after a restart, from exports.json.
    d.stop();
    let d = Daemon::start(&s);
    let o = tool(
        30,
        "iscsi-inq",
        &["-i", KVM1, &url(&d, T1, "kvm%secret-of-kvm2@")],
    );
    assert!(
        !o.status.success(),
        "wrong secret accepted after restart: {o:?}"
    );
    assert!(tool_ok(
        30,
        "iscsi-inq",
        &["-i", KVM1, &url(&d, T1, "kvm%secret-of-kvm1@")]
    )
    .contains("DIRECT_ACCESS"));
    d.stop();
}

#[test]
fn identities_survive_restarts_and_lvextend_is_a_new_capacity() {
    let s = setup();
    let d = Daemon::start(&s);
    let page = |d: &Daemon, code: &str| {
        tool_ok(
            30,
            "iscsi-inq",
            &["-i", KVM1, "-e", "1", "-c", code, &url(d, T1, "")],
        )
    };
    let serial = page(&d, "128");
    let designators = page(&d, "131");
    let uuid = s.ok(&["lvs", "--noheadings", "-o", "lv_uuid", "vg0/vol1"]);
    let hex: String = uuid.trim().chars().filter(|c| *c != '-').collect();
    assert!(
        serial.contains(&hex),
        "serial not from the LV UUID {hex}: {serial}"
    );
    s.ok(&["lvextend", "-L", "96m", "vg0/vol1"]);
    let cap = tool_ok(30, "iscsi-readcapacity16", &["-i", KVM1, &url(&d, T1, "")]);
    assert!(
        cap.contains(&format!("Total size:{}", 96u64 << 20)),
        "{cap}"
    );
    d.stop();
    let d = Daemon::start(&s);
    assert_eq!(page(&d, "128"), serial);
    assert_eq!(page(&d, "131"), designators);
    d.stop();
}

#[test]
fn targets_and_luns_added_while_serving_are_served_at_once() {
    let s = setup();
    let d = Daemon::start(&s);
    const T3: &str = "iqn.2026-11.org.example:vol3";
    s.ok(&["lvcreate", "-L", "32m", "-n", "vol3", "vg0"]);
    s.ok(&["iscsi", "target", "create", T3]);
    s.ok(&["iscsi", "lun", "add", T3, "vg0/vol3"]);
    s.ok(&["iscsi", "lun", "add", T3, "vg0/vol1", "--lun", "1"]);
    s.ok(&["iscsi", "acl", "add", T3, "ALL"]);
    let cap = tool_ok(
        30,
        "iscsi-readcapacity16",
        &["-i", OUTSIDER, &url(&d, T3, "")],
    );
    assert!(
        cap.contains(&format!("Total size:{}", 32u64 << 20)),
        "{cap}"
    );
    let lun1 = format!("iscsi://{}/{T3}/1", d.iscsi);
    let cap = tool_ok(30, "iscsi-readcapacity16", &["-i", OUTSIDER, &lun1]);
    assert!(
        cap.contains(&format!("Total size:{}", 64u64 << 20)),
        "{cap}"
    );
    s.ok(&["iscsi", "lun", "remove", T3, "1"]);
    let o = tool(30, "iscsi-readcapacity16", &["-i", OUTSIDER, &lun1]);
    assert!(!o.status.success(), "a removed LUN still answers: {o:?}");
    s.ok(&["iscsi", "target", "delete", T3]);
    let o = tool(30, "iscsi-inq", &["-i", OUTSIDER, &url(&d, T3, "")]);
    assert!(!o.status.success(), "a deleted target still answers: {o:?}");
    // The other targets were not disturbed.
    assert!(tool_ok(30, "iscsi-inq", &["-i", KVM1, &url(&d, T1, "")]).contains("DIRECT_ACCESS"));
    d.stop();
}

#[test]
fn a_session_open_during_lvextend_gets_capacity_data_has_changed() {
    let s = setup();
    let d = Daemon::start(&s);
    let mut r = iscsi_common::session(d.iscsi, T1);
    assert_eq!(r.tur(), Some(0), "past the power-on unit attention");
    s.ok(&["lvextend", "-L", "+32m", "vg0/vol1"]);
    let itt = r.command(0, &[0; 6], 0x80, 0, &[]);
    let (status, _, sense) = r.status(itt).unwrap();
    assert_eq!(status, 2, "CHECK CONDITION expected");
    assert_eq!(
        (sense[2] & 0x0f, sense[12], sense[13]),
        (6, 0x2a, 0x09),
        "UNIT ATTENTION / CAPACITY DATA HAS CHANGED"
    );
    // READ CAPACITY(16) on the same session gives the new size.
    let itt = r.command(
        0,
        &[0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0],
        0xc0,
        32,
        &[],
    );
    let (status, data, _) = r.status(itt).unwrap();
    assert_eq!(status, 0);
    let last = u64::from_be_bytes(data[..8].try_into().unwrap());
    let block = u32::from_be_bytes(data[8..12].try_into().unwrap()) as u64;
    assert_eq!((last + 1) * block, 96 << 20);
    r.logout();
    d.stop();
}
