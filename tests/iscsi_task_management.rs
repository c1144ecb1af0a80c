//! Task management: ABORT TASK on a write waiting for data, ABORT TASK SET, LUN RESET,
//! TARGET WARM RESET, TARGET COLD RESET (which ends the connections), and the answers to the
//! functions rvm does not perform.

mod iscsi_common;
use iscsi_common::*;
use rvm::iscsi::pdu::{Bhs, BigEndian, RESERVED_TAG};

const T: &str = "iqn.2026-11.org.example:tmf";

fn tmf(r: &mut Raw, function: u8, lun: u64, rtt: u32, ref_sn: u32) -> u8 {
    let mut b = Bhs::default();
    b.0[0] = 0x42;
    b.0[1] = 0x80 | function;
    b.set_lun_field(lun << 48);
    b.set_itt(0x7000 + u32::from(function));
    b.set_ttt(rtt);
    b.put_u32(24, r.cmd_sn);
    b.put_u32(32, ref_sn);
    r.send(&b, &[]).unwrap();
    loop {
        let p = r.recv().expect("TMF response");
        if p.opcode() == 0x22 {
            return p.bhs.0[2];
        }
    }
}

fn server() -> (TestServer, Raw) {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &[INITIATOR]);
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.keys = vec![
        ("InitialR2T".into(), "Yes".into()),
        ("ImmediateData".into(), "No".into()),
    ];
    r.login(&o).unwrap();
    assert_eq!(r.tur(), Some(0));
    (t, r)
}

/// A WRITE(10) of 8 blocks that waits for its R2T data; returns (ITT, CmdSN).
fn pending_write(r: &mut Raw) -> (u32, u32) {
    let sn = r.cmd_sn;
    let itt = r.command(0, &[0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0], 0xa0, 4096, &[]);
    let p = r.recv().unwrap();
    assert_eq!(p.opcode(), 0x31, "R2T");
    (itt, sn)
}

#[test]
fn abort_task() {
    let (_t, mut r) = server();
    let (itt, sn) = pending_write(&mut r);
    assert_eq!(tmf(&mut r, 1, 0, itt, sn), 0, "function complete");
    // Its late Data-Out is dropped without a Reject, and no response comes for it.
    let mut b = Bhs::default();
    b.0[0] = 0x05;
    b.0[1] = 0x80;
    b.set_itt(itt);
    b.set_ttt(1);
    r.send(&b, &[0; 512]).unwrap();
    assert!(r.ping(b"after abort"));
    // A task that already completed: "task does not exist".
    let done_sn = r.cmd_sn;
    let done = r.command(0, &[0; 6], 0x80, 0, &[]);
    r.status(done).unwrap();
    assert_eq!(tmf(&mut r, 1, 0, done, done_sn), 1);
    // A LUN that does not exist.
    assert_eq!(tmf(&mut r, 1, 9, 1, 0), 2);
}

#[test]
fn task_set_lun_and_warm_resets() {
    let (_t, mut r) = server();
    pending_write(&mut r);
    assert_eq!(tmf(&mut r, 2, 0, RESERVED_TAG, 0), 0, "ABORT TASK SET");
    pending_write(&mut r);
    assert_eq!(tmf(&mut r, 5, 0, RESERVED_TAG, 0), 0, "LUN RESET");
    assert_eq!(
        tmf(&mut r, 5, 7, RESERVED_TAG, 0),
        2,
        "LUN RESET of a missing LUN"
    );
    assert_eq!(tmf(&mut r, 6, 0, RESERVED_TAG, 0), 0, "TARGET WARM RESET");
    assert_eq!(r.tur(), Some(0), "usable after the resets");
}

#[test]
fn unsupported_functions_are_answered() {
    let (_t, mut r) = server();
    assert_eq!(
        tmf(&mut r, 8, 0, 1, 0),
        4,
        "TASK REASSIGN: reassignment not supported"
    );
    assert_eq!(
        tmf(&mut r, 3, 0, RESERVED_TAG, 0),
        5,
        "CLEAR ACA: not supported"
    );
    assert_eq!(
        tmf(&mut r, 99, 0, RESERVED_TAG, 0),
        255,
        "unknown: rejected"
    );
    assert!(r.ping(b"ok"));
}

#[test]
fn cold_reset_ends_the_targets_connections() {
    let (t, mut r) = server();
    let mut other = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.isid = 0x8000_0000_0077;
    other.login(&o).unwrap();
    assert_eq!(tmf(&mut r, 7, 0, RESERVED_TAG, 0), 0);
    assert!(r.closed());
    assert!(other.closed());
    assert_serving(t.addr, T);
}
