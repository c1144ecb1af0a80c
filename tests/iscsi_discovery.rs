//! SendTargets discovery with iscsi-ls: two targets with a LUN each come back from one
//! SendTargets with their portal, and an initiator outside a target's ACL is not told of it.

mod iscsi_common;
use iscsi_common::*;

const T1: &str = "iqn.2026-11.org.example:vol1";
const T2: &str = "iqn.2026-11.org.example:vol2";
const HIDDEN: &str = "iqn.2026-11.org.example:private";

#[test]
fn two_targets_in_one_sendtargets_with_portals() {
    let mut t = TestServer::start();
    t.target(T1, &[8 << 20], &[INITIATOR]);
    t.target(T2, &[8 << 20], &["ALL"]);
    t.target(HIDDEN, &[8 << 20], &[OTHER_INITIATOR]);
    let url = format!("iscsi://{}/", t.addr);
    let o = tool(&["iscsi-ls", "-i", INITIATOR, &url]);
    assert!(o.status.success(), "iscsi-ls: {o:?}");
    let s = stdout(&o);
    let portal = format!("Portal:{},1", t.addr);
    for name in [T1, T2] {
        let line = format!("Target:{name} {portal}");
        assert!(s.contains(&line), "missing {line:?} in {s}");
    }
    assert!(
        !s.contains(HIDDEN),
        "target outside the ACL was listed: {s}"
    );

    // The outsider sees only what admits it.
    let o = tool(&["iscsi-ls", "-i", OTHER_INITIATOR, &url]);
    let s = stdout(&o);
    assert!(
        s.contains(HIDDEN) && s.contains(T2) && !s.contains(T1),
        "{s}"
    );
}

#[test]
fn sendtargets_by_name_in_a_normal_session() {
    let mut t = TestServer::start();
    t.target(T1, &[1 << 20], &[INITIATOR]);
    t.target(T2, &[1 << 20], &[INITIATOR]);
    let mut r = session(t.addr, T1);
    for (value, expect) in [("", Some(T1)), (T2, Some(T2)), ("All", None)] {
        let mut b = rvm::iscsi::pdu::Bhs::default();
        b.0[0] = 0x44;
        b.0[1] = 0x80;
        b.set_itt(77);
        b.set_ttt(0xffff_ffff);
        rvm::iscsi::pdu::BigEndian::put_u32(&mut b, 24, r.cmd_sn);
        r.cmd_sn += 1;
        r.send(&b, &text_of(&[("SendTargets", value)])).unwrap();
        let p = r.recv().unwrap();
        assert_eq!(p.opcode(), 0x24);
        let tx = p.text();
        match expect {
            Some(name) => {
                assert_eq!(tx.get("TargetName"), Some(name));
                let want = format!("{},1", t.addr);
                assert_eq!(tx.get("TargetAddress"), Some(want.as_str()));
            }
            None => assert_eq!(tx.get("SendTargets"), Some("Reject")),
        }
    }
}
