//! Malformed and hostile PDUs: each gets a Reject or a dropped connection, memory stays
//! bounded, and after each one another session still works.

mod iscsi_common;
use iscsi_common::*;
use rvm::iscsi::pdu::{digest, Bhs, BigEndian, BHS_LEN, RESERVED_TAG};
use std::io::Write;

const T: &str = "iqn.2026-11.org.example:hostile";

fn server() -> TestServer {
    let mut t = TestServer::start();
    t.target(T, &[4 << 20], &["ALL"]);
    t
}

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn expect_reject(r: &mut Raw, reason: u8) -> Bhs {
    loop {
        let p = r.recv().expect("a Reject");
        if p.opcode() == 0x3f {
            assert_eq!(p.bhs.0[2], reason, "reject reason");
            assert_eq!(p.data.len(), BHS_LEN, "Reject carries the offending header");
            return Bhs::from_slice(&p.data).unwrap();
        }
    }
}

#[test]
fn unknown_opcodes_are_rejected() {
    let t = server();
    let mut r = session(t.addr, T);
    for op in [0x1cu8, 0x1e, 0x07, 0x3f] {
        let mut b = Bhs::default();
        b.0[0] = op;
        b.set_itt(0x55);
        r.send(&b, &[]).unwrap();
        let bad = expect_reject(&mut r, 0x05);
        assert_eq!(bad.opcode_byte(), op);
    }
    assert!(r.ping(b"after"), "session survives unknown opcodes");
    assert_serving(t.addr, T);
}

#[test]
fn wrong_lengths_are_rejected_or_dropped() {
    let t = server();
    // An AHS that claims more than is there.
    let mut r = session(t.addr, T);
    let mut b = Bhs::default();
    b.0[0] = 0x01;
    b.0[1] = 0x80;
    b.0[4] = 1; // 4 bytes of AHS
    b.put_u32(24, r.cmd_sn);
    r.cmd_sn += 1;
    let mut v = b.0.to_vec();
    v.extend_from_slice(&[0, 200, 1, 0]);
    r.send_raw(&v).unwrap();
    expect_reject(&mut r, 0x09);
    assert!(r.ping(b"x"));
    // Immediate data on a read.
    let itt = r.command(0, &[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0], 0xc0, 512, &[1; 512]);
    let _ = itt;
    expect_reject(&mut r, 0x04);
    // A Login Request in full feature phase ends the connection.
    let (lb, ld) = login_pdu(0x87, 1, 1, r.cmd_sn, b"InitiatorName=iqn.2026-11.x:y\0");
    r.send(&lb, &ld).unwrap();
    assert!(r.closed());
    assert_serving(t.addr, T);
}

#[test]
fn data_segment_beyond_max_recv_data_segment_length() {
    let t = server();
    let mut r = session(t.addr, T);
    let before = rss_kib();
    let mut b = Bhs::default();
    b.0[0] = 0x40;
    b.0[1] = 0x80;
    b.set_itt(9);
    b.set_ttt(RESERVED_TAG);
    b.set_data_len(0xff_ffff); // far above the 256 KiB we declared
    r.send_raw(&b.0).unwrap();
    let _ = r.s.write_all(&[0u8; 4096]);
    assert!(
        r.closed(),
        "connection kept after an oversized data segment"
    );
    assert!(
        rss_kib() < before + 8 * 1024,
        "memory grew with the claimed length"
    );
    assert_serving(t.addr, T);
}

#[test]
fn bad_header_digest_drops_the_connection() {
    let t = server();
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.header_digest = true;
    o.data_digest = true;
    r.login(&o).unwrap();
    assert!(r.header_digest && r.data_digest, "CRC32C both ways");
    assert!(r.ping(b"digested"), "digests work");
    let mut b = Bhs::default();
    b.0[0] = 0x40;
    b.0[1] = 0x80;
    b.set_itt(3);
    b.set_ttt(RESERVED_TAG);
    let mut v = b.0.to_vec();
    let mut d = digest(&[&b.0]);
    d[0] ^= 0xff;
    v.extend_from_slice(&d);
    r.send_raw(&v).unwrap();
    assert!(r.closed());
    assert_serving(t.addr, T);
}

#[test]
fn bad_data_digest_is_rejected_and_dropped() {
    let t = server();
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.header_digest = true;
    o.data_digest = true;
    r.login(&o).unwrap();
    let mut b = Bhs::default();
    b.0[0] = 0x40;
    b.0[1] = 0x80;
    b.set_itt(4);
    b.set_ttt(RESERVED_TAG);
    b.set_data_len(4);
    let mut v = b.0.to_vec();
    v.extend_from_slice(&digest(&[&b.0]));
    v.extend_from_slice(b"ping");
    v.extend_from_slice(&[0, 0, 0, 0]); // wrong data digest
    r.send_raw(&v).unwrap();
    expect_reject(&mut r, 0x02);
    assert!(r.closed());
    assert_serving(t.addr, T);
}

#[test]
fn cmdsn_outside_the_window_is_ignored() {
    let t = server();
    let mut r = session(t.addr, T);
    assert_eq!(r.tur(), Some(0));
    r.s.set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    for sn in [r.cmd_sn.wrapping_sub(1), r.cmd_sn.wrapping_add(100_000)] {
        let keep = r.cmd_sn;
        r.cmd_sn = sn;
        r.command(0, &[0; 6], 0x80, 0, &[]);
        r.cmd_sn = keep;
        assert!(r.recv().is_none(), "answered a command with CmdSN {sn}");
    }
    r.s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    assert_eq!(r.tur(), Some(0), "in-window commands still run");
    assert_serving(t.addr, T);
}

#[test]
fn data_out_for_an_unknown_task_is_rejected() {
    let t = server();
    let mut r = session(t.addr, T);
    let mut b = Bhs::default();
    b.0[0] = 0x05;
    b.0[1] = 0x80;
    b.set_itt(0xdead);
    b.set_ttt(0x1234);
    r.send(&b, &[7; 512]).unwrap();
    expect_reject(&mut r, 0x09);
    assert!(r.ping(b"alive"));
    assert_serving(t.addr, T);
}

#[test]
fn login_text_without_nul_terminators() {
    let t = server();
    let mut r = Raw::connect(t.addr);
    let text = format!("InitiatorName={INITIATOR}\0SessionType=Normal\0TargetName={T}");
    let (b, d) = login_pdu(0x87, 1, 1, 1, text.as_bytes());
    r.send(&b, &d).unwrap();
    let p = r.recv().unwrap();
    assert_eq!((p.bhs.0[36], p.bhs.0[37]), (2, 0), "initiator error");
    assert!(r.closed());
    assert_serving(t.addr, T);
}

#[test]
fn ten_thousand_keys() {
    let t = server();
    let before = rss_kib();
    let keys: String = (0..10_000).map(|i| format!("X-k{i}=v\0")).collect();
    let head = format!("InitiatorName={INITIATOR}\0TargetName={T}\0");
    // In one PDU: far beyond the 8192-byte login limit.
    let mut r = Raw::connect(t.addr);
    let (b, d) = login_pdu(0x87, 1, 1, 1, format!("{head}{keys}").as_bytes());
    let _ = r.send(&b, &d);
    assert!(r.closed());
    // Split over continued PDUs of 8 KiB: refused once the total passes its bound.
    let mut r = Raw::connect(t.addr);
    let all = format!("{head}{keys}").into_bytes();
    let mut refused = false;
    for chunk in all.chunks(8192) {
        let (b, d) = login_pdu(0x40 | 0x04 | 1, 1, 1, 1, chunk);
        if r.send(&b, &d).is_err() {
            refused = true;
            break;
        }
        match r.recv() {
            Some(p) if p.bhs.0[36] == 0 => continue,
            Some(p) => {
                assert_eq!(p.bhs.0[36], 2);
                refused = true;
                break;
            }
            None => {
                refused = true;
                break;
            }
        }
    }
    assert!(refused, "10,000 keys accepted");
    assert!(rss_kib() < before + 8 * 1024);
    assert_serving(t.addr, T);
}

#[test]
fn abrupt_disconnects_and_garbage() {
    let t = server();
    for i in 0..50u32 {
        let mut r = Raw::connect(t.addr);
        match i % 4 {
            0 => {}
            1 => {
                let _ = r.send_raw(&[0x43, 0x87, 0, 0, 0, 0, 1]);
            }
            2 => {
                let _ = r.send_raw(&(0..4096).map(|x| (x * 7 + i) as u8).collect::<Vec<_>>());
            }
            _ => {
                r.login(&LoginOpts::normal(T)).unwrap();
                r.command(0, &[0x28, 0, 0, 0, 0, 0, 0, 0, 64, 0], 0xc0, 64 * 512, &[]);
            }
        }
        drop(r);
    }
    assert_serving(t.addr, T);
}

#[test]
fn huge_expected_length_allocates_nothing() {
    let t = server();
    let mut r = session(t.addr, T);
    assert_eq!(r.tur(), Some(0));
    let before = rss_kib();
    // WRITE(10) of one block claiming a 4 GiB transfer, all of it "immediate".
    let itt = r.command(
        0,
        &[0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0],
        0xa0,
        u32::MAX,
        &[1; 512],
    );
    let (st, _, sense) = r.status(itt).expect("a status");
    assert_eq!(st, 2, "CHECK CONDITION");
    assert_eq!(sense[2] & 0x0f, 5, "ILLEGAL REQUEST");
    // A read claiming 4 GiB gets at most what the command moves.
    let itt = r.command(0, &[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0], 0xc0, u32::MAX, &[]);
    let (st, data, _) = r.status(itt).expect("a status");
    assert_eq!((st, data.len()), (0, 512));
    assert!(rss_kib() < before + 64 * 1024);
    assert_serving(t.addr, T);
}
