//! Targets, LUNs, ACLs and CHAP change while sessions run: sessions of other targets never
//! drop, a LUN added to a target raises REPORTED LUNS DATA HAS CHANGED on its sessions, and a
//! session whose initiator leaves the ACL ends.

mod iscsi_common;
use iscsi_common::*;

const A: &str = "iqn.2026-11.org.example:live-a";
const B: &str = "iqn.2026-11.org.example:live-b";

/// Sends TEST UNIT READY once; returns (status, sense key, ASC, ASCQ).
fn tur_once(r: &mut Raw) -> (u8, u8, u8, u8) {
    let itt = r.command(0, &[0; 6], 0x80, 0, &[]);
    let (st, _, s) = r.status(itt).expect("TUR status");
    if s.len() >= 14 {
        (st, s[2] & 0x0f, s[12], s[13])
    } else {
        (st, 0, 0, 0)
    }
}

#[test]
fn lun_added_raises_reported_luns_data_has_changed() {
    let mut t = TestServer::start();
    t.target(A, &[1 << 20], &[INITIATOR]);
    let mut r = session(t.addr, A);
    assert_eq!(r.tur(), Some(0));
    let v = t.volume(2 << 20);
    t.server().add_lun(A, 1, "vg/new", v, false).unwrap();
    assert_eq!(
        tur_once(&mut r),
        (2, 6, 0x3f, 0x0e),
        "REPORTED LUNS DATA HAS CHANGED"
    );
    assert_eq!(r.tur(), Some(0));
    // REPORT LUNS now lists both.
    let itt = r.command(0, &[0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], 0xc0, 256, &[]);
    let (st, data, _) = r.status(itt).unwrap();
    assert_eq!(st, 0);
    assert_eq!(
        u32::from_be_bytes(data[..4].try_into().unwrap()),
        16,
        "two LUNs"
    );
    t.server().remove_lun(A, 1).unwrap();
    assert_eq!(tur_once(&mut r), (2, 6, 0x3f, 0x0e));
}

#[test]
fn changes_to_one_target_leave_other_sessions_alone() {
    let mut t = TestServer::start();
    t.target(A, &[1 << 20], &[INITIATOR]);
    t.target(B, &[1 << 20], &[INITIATOR]);
    let mut b = session(t.addr, B);
    assert_eq!(b.tur(), Some(0));
    let mut a = session(t.addr, A);
    assert_eq!(a.tur(), Some(0));

    let v = t.volume(1 << 20);
    t.server().add_lun(A, 5, "vg/x", v, false).unwrap();
    t.set_chap(A, &[INITIATOR], Some(chap("u", "twelve-chars-pw", None)));
    t.server().remove_lun(A, 5).unwrap();
    assert!(b.ping(b"b lives"), "session of B dropped by changes to A");
    assert_eq!(b.tur(), Some(0));

    // A's ACL loses the initiator: A's session ends, B's does not.
    t.server()
        .set_access(A, None, [OTHER_INITIATOR.to_string()], None)
        .unwrap();
    assert!(a.closed(), "session kept after its initiator left the ACL");
    assert!(b.ping(b"still"));
    let mut r = Raw::connect(t.addr);
    assert_eq!(
        r.login(&LoginOpts::normal(A)),
        Err((2, 2)),
        "authorization failure"
    );

    // Deleting A ends nothing of B.
    t.server().delete_target(A).unwrap();
    assert!(b.ping(b"after delete"));
    let mut r = Raw::connect(t.addr);
    assert_eq!(
        r.login(&LoginOpts::normal(A)),
        Err((2, 3)),
        "target not found"
    );
    assert_serving(t.addr, B);
}

#[test]
fn apply_brings_the_live_state_to_a_configuration() {
    use rvm::iscsi::config::IscsiConfig;
    let mut t = TestServer::start();
    let mut c = IscsiConfig::default();
    c.create_target(A).unwrap();
    c.add_lun(A, "vg0/one", None).unwrap();
    c.acl_add(A, INITIATOR).unwrap();
    let vols: Vec<_> = (0..3).map(|_| t.volume(1 << 20)).collect();
    let names = ["vg0/one", "vg0/two", "vg0/three"];
    let open = |_: &str, _: u64, l: &rvm::iscsi::config::LunConfig| {
        let i = names
            .iter()
            .position(|n| *n == l.volume)
            .ok_or("unknown LV")?;
        Ok(vols[i].clone())
    };
    assert!(t.server().apply(&c, open).unwrap().is_empty());
    let mut r = session(t.addr, A);
    assert_eq!(r.tur(), Some(0));
    c.add_lun(A, "vg0/two", None).unwrap();
    c.create_target(B).unwrap();
    c.add_lun(B, "vg0/three", None).unwrap();
    c.acl_add(B, "ALL").unwrap();
    assert!(t.server().apply(&c, open).unwrap().is_empty());
    assert_eq!(tur_once(&mut r), (2, 6, 0x3f, 0x0e));
    assert_serving(t.addr, B);
    c.delete_target(B).unwrap();
    assert!(t.server().apply(&c, open).unwrap().is_empty());
    assert!(r.ping(b"a survives"));
    let mut x = Raw::connect(t.addr);
    assert_eq!(x.login(&LoginOpts::normal(B)), Err((2, 3)));
}
