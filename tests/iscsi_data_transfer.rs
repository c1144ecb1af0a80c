//! Data movement: Data-In split by the initiator's MaxRecvDataSegmentLength with DataSN,
//! offsets and the status in the last PDU; writes with immediate data, unsolicited Data-Out and
//! R2Ts bounded by MaxBurstLength and MaxOutstandingR2T; data read back equals data written.

mod iscsi_common;
use iscsi_common::*;
use rvm::iscsi::pdu::{Bhs, BigEndian, RESERVED_TAG};

const T: &str = "iqn.2026-11.org.example:data";

fn keys(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn read10(lba: u32, blocks: u16) -> [u8; 10] {
    let mut c = [0u8; 10];
    c[0] = 0x28;
    c[2..6].copy_from_slice(&lba.to_be_bytes());
    c[7..9].copy_from_slice(&blocks.to_be_bytes());
    c
}

fn write10(lba: u32, blocks: u16) -> [u8; 10] {
    let mut c = read10(lba, blocks);
    c[0] = 0x2a;
    c
}

fn data_out(r: &mut Raw, itt: u32, ttt: u32, sn: u32, off: u32, data: &[u8], fin: bool) {
    let mut b = Bhs::default();
    b.0[0] = 0x05;
    b.0[1] = if fin { 0x80 } else { 0 };
    b.set_itt(itt);
    b.set_ttt(ttt);
    b.put_u32(28, r.exp_stat_sn);
    b.put_u32(36, sn);
    b.put_u32(40, off);
    r.send(&b, data).unwrap();
}

#[test]
fn data_in_is_split_by_max_recv_data_segment_length() {
    let mut t = TestServer::start();
    t.target(T, &[4 << 20], &[INITIATOR]);
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.keys = keys(&[("MaxRecvDataSegmentLength", "4096")]);
    r.login(&o).unwrap();
    assert_eq!(r.tur(), Some(0));
    let itt = r.command(0, &read10(0, 32), 0xc0, 16384, &[]);
    let mut offsets = Vec::new();
    loop {
        let p = r.recv().unwrap();
        assert_eq!(p.opcode(), 0x25, "only Data-In, status in the last one");
        assert_eq!(p.bhs.itt(), itt);
        assert!(p.data.len() <= 4096);
        assert_eq!(p.bhs.get_u32(36), offsets.len() as u32, "DataSN");
        offsets.push(p.bhs.get_u32(40));
        if p.bhs.0[1] & 0x01 != 0 {
            assert_eq!(p.bhs.0[3], 0, "GOOD");
            assert_eq!(p.bhs.0[1] & 0x80, 0x80, "F with S");
            break;
        }
    }
    assert_eq!(offsets, [0, 4096, 8192, 12288]);
}

#[test]
fn write_with_r2ts_respects_burst_and_outstanding_limits() {
    let mut t = TestServer::start();
    t.target(T, &[4 << 20], &[INITIATOR]);
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.keys = keys(&[
        ("InitialR2T", "Yes"),
        ("ImmediateData", "No"),
        ("MaxBurstLength", "8192"),
        ("FirstBurstLength", "4096"),
        ("MaxOutstandingR2T", "2"),
    ]);
    r.login(&o).unwrap();
    assert_eq!(r.answers.get("MaxBurstLength"), Some("8192"));
    assert_eq!(r.answers.get("MaxOutstandingR2T"), Some("2"));
    assert_eq!(r.tur(), Some(0));
    let payload: Vec<u8> = (0..32768u32).map(|i| (i * 13 % 251) as u8).collect();
    let itt = r.command(0, &write10(8, 64), 0xa0, 32768, &[]);
    let mut done = 0;
    let mut solicited = 0;
    let mut open = Vec::new();
    while done < 32768 {
        while open.len() < 2 && solicited < 32768 {
            let p = r.recv().unwrap();
            if p.opcode() == 0x21 {
                panic!("response before all data: {:?}", p.bhs);
            }
            assert_eq!(p.opcode(), 0x31, "R2T");
            let (ttt, off, len) = (p.bhs.ttt(), p.bhs.get_u32(40), p.bhs.get_u32(44));
            assert!(len <= 8192, "R2T beyond MaxBurstLength");
            assert_eq!(off, solicited, "R2Ts in order");
            open.push((ttt, off, len));
            solicited = off + len;
        }
        assert!(
            open.len() <= 2,
            "more R2Ts outstanding than MaxOutstandingR2T"
        );
        let (ttt, off, len) = open.remove(0);
        let half = len / 2;
        data_out(
            &mut r,
            itt,
            ttt,
            0,
            off,
            &payload[off as usize..(off + half) as usize],
            false,
        );
        let end = (off + len) as usize;
        data_out(
            &mut r,
            itt,
            ttt,
            1,
            off + half,
            &payload[(off + half) as usize..end],
            true,
        );
        done = end;
    }
    let (st, _, _) = r.status(itt).unwrap();
    assert_eq!(st, 0);
    let itt = r.command(0, &read10(8, 64), 0xc0, 32768, &[]);
    let (st, back, _) = r.status(itt).unwrap();
    assert_eq!(st, 0);
    assert!(back == payload, "read back differs from what was written");
}

#[test]
fn immediate_and_unsolicited_data_fill_the_first_burst() {
    let mut t = TestServer::start();
    t.target(T, &[4 << 20], &[INITIATOR]);
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.keys = keys(&[
        ("InitialR2T", "No"),
        ("ImmediateData", "Yes"),
        ("FirstBurstLength", "8192"),
        ("MaxBurstLength", "65536"),
    ]);
    r.login(&o).unwrap();
    assert_eq!(r.tur(), Some(0));
    let payload = vec![0xabu8; 16384];
    // 2 KiB immediate, 6 KiB unsolicited, then one R2T for the last 8 KiB.
    let itt = r.command(0, &write10(100, 32), 0x20, 16384, &payload[..2048]);
    data_out(
        &mut r,
        itt,
        RESERVED_TAG,
        0,
        2048,
        &payload[2048..8192],
        true,
    );
    let p = r.recv().unwrap();
    assert_eq!(p.opcode(), 0x31);
    assert_eq!((p.bhs.get_u32(40), p.bhs.get_u32(44)), (8192, 8192));
    data_out(&mut r, itt, p.bhs.ttt(), 0, 8192, &payload[8192..], true);
    assert_eq!(r.status(itt).unwrap().0, 0);
    let itt = r.command(0, &read10(100, 32), 0xc0, 16384, &[]);
    assert!(r.status(itt).unwrap().1 == payload);
}

#[test]
fn residuals_and_sense_in_the_response() {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &[INITIATOR]);
    let mut r = session(t.addr, T);
    assert_eq!(r.tur(), Some(0));
    // One block asked, 10000 bytes expected: underflow of 9488 in the last Data-In.
    let itt = r.command(0, &read10(0, 1), 0xc0, 10000, &[]);
    let mut last = None;
    while last.is_none() {
        let p = r.recv().unwrap();
        if p.bhs.itt() == itt && p.bhs.0[1] & 1 != 0 {
            last = Some(p);
        }
    }
    let p = last.unwrap();
    assert_eq!(p.bhs.0[1] & 0x06, 0x02, "underflow");
    assert_eq!(p.bhs.get_u32(44), 10000 - 512);
    // Out of range: CHECK CONDITION with sense in the SCSI Response.
    let itt = r.command(0, &read10(1 << 30, 1), 0xc0, 512, &[]);
    let (st, data, sense) = r.status(itt).unwrap();
    assert_eq!(st, 2);
    assert!(data.is_empty());
    assert_eq!((sense[2] & 0x0f, sense[12]), (5, 0x21), "LBA OUT OF RANGE");
}
