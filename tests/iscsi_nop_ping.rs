//! The target pings idle connections with NOP-In and drops those that stop answering; a
//! connection that answers stays.

mod iscsi_common;
use iscsi_common::*;
use rvm::iscsi::pdu::{Bhs, BigEndian, RESERVED_TAG};
use std::time::{Duration, Instant};

const T: &str = "iqn.2026-11.org.example:nop";

fn server() -> TestServer {
    let mut o = options();
    o.nop_interval = Duration::from_millis(300);
    let mut t = TestServer::with(o);
    t.target(T, &[1 << 20], &[INITIATOR]);
    t
}

#[test]
fn silent_initiator_is_pinged_then_dropped() {
    let t = server();
    let mut r = session(t.addr, T);
    let p = r.recv().expect("a NOP-In ping");
    assert_eq!(p.opcode(), 0x20);
    assert_eq!(p.bhs.itt(), RESERVED_TAG);
    assert_ne!(p.bhs.ttt(), RESERVED_TAG, "the ping asks for an answer");
    let start = Instant::now();
    assert!(r.closed(), "unanswered ping did not drop the connection");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn answering_initiator_stays() {
    let t = server();
    let mut r = session(t.addr, T);
    for _ in 0..4 {
        let p = r.recv().expect("a NOP-In ping");
        assert_eq!(p.opcode(), 0x20);
        let mut b = Bhs::default();
        b.0[0] = 0x40;
        b.0[1] = 0x80;
        b.set_itt(RESERVED_TAG);
        b.set_ttt(p.bhs.ttt());
        b.put_u32(24, r.cmd_sn);
        r.send(&b, &[]).unwrap();
    }
    assert_eq!(r.tur(), Some(0));
}
