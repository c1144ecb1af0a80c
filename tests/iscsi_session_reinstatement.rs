//! Session reinstatement: a leading login with TSIH 0 and the ISID and initiator name of a
//! live session closes the old session first; a different ISID is a second session.

mod iscsi_common;
use iscsi_common::*;

const T: &str = "iqn.2026-11.org.example:reinstate";

#[test]
fn same_isid_replaces_the_old_session() {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &[INITIATOR]);
    let mut old = session(t.addr, T);
    assert_eq!(old.tur(), Some(0));
    let mut other = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.isid = 0x8000_0000_0002;
    other.login(&o).unwrap();

    let mut new = session(t.addr, T);
    assert_ne!(new.tsih, 0);
    assert!(
        old.closed(),
        "the reinstated session's connection stayed open"
    );
    assert_eq!(new.tur(), Some(0));
    assert!(other.ping(b"different ISID is untouched"));
}

#[test]
fn joining_a_missing_session_is_refused() {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &[INITIATOR]);
    let mut r = Raw::connect(t.addr);
    r.tsih = 0x4242;
    assert_eq!(
        r.login(&LoginOpts::normal(T)),
        Err((2, 0x0a)),
        "session does not exist"
    );
}
