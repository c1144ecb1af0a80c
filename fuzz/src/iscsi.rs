//! iSCSI with arbitrary initiator bytes: PDU framing and the full feature phase of a logged-in
//! connection, the login phase with its key=value text, and SCSI CDBs with Data-Out through
//! `TargetLuns::execute` over an in-memory volume.

use super::{mem_volume, mode};
use rvm::iscsi::connection::{ConnSetup, Connection, Flow};
use rvm::iscsi::login::{Established, Login, LoginSetup, Step};
use rvm::iscsi::params::Limits;
use rvm::iscsi::pdu::{Bhs, BigEndian, Framing, InPdu, BHS_LEN};
use rvm::iscsi::scsi::{LunSettings, Nexus, ScsiCommand, ScsiStatus, TargetLuns, TaskAttr};
use rvm::iscsi::target::{Access, Registry, Target};
use rvm::iscsi::text::TextPairs;
use rvm::iscsi::wire::Outbox;
use std::collections::BTreeSet;
use std::sync::Arc;

pub const TARGET: &str = "iqn.2026-11.org.example:fuzz";
pub const INITIATOR: &str = "iqn.2026-11.org.example:init";

/// A registry with one target: two LUNs, open to every initiator, no CHAP.
pub fn registry() -> Arc<Registry> {
    let reg = Arc::new(Registry::default());
    let luns = Arc::new(TargetLuns::new(TARGET));
    let _ = luns.add_lun(0, mem_volume(1 << 20), LunSettings::default());
    let ro = LunSettings {
        read_only: true,
        ..LunSettings::default()
    };
    let _ = luns.add_lun(1, mem_volume(64 << 10), ro);
    let mut acl = BTreeSet::new();
    acl.insert("ALL".to_string());
    let access = Access {
        alias: None,
        acl,
        auth: None,
    };
    reg.insert_target(Arc::new(Target::new(TARGET.into(), 1, luns, access)));
    reg
}

fn setup(reg: &Registry) -> LoginSetup<'_> {
    LoginSetup {
        registry: reg,
        limits: Limits::default(),
        queue_depth: 32,
        tpgt: 1,
        first_stat_sn: 1,
    }
}

/// A Login Request PDU: operational stage straight to full feature phase.
pub fn login_request(text: &[u8]) -> (Bhs, Vec<u8>) {
    let mut b = Bhs::default();
    b.0[0] = 0x43; // Login Request, immediate
    b.0[1] = 0x80 | (1 << 2) | 3; // Transit, CSG operational, NSG full feature
    b.put_u48(8, 0x0002_3d00_0001);
    b.set_itt(1);
    b.put_u32(24, 1); // CmdSN
    b.set_data_len(text.len() as u32);
    (b, text.to_vec())
}

/// The text of a plain normal-session login to the fuzz target.
pub fn login_text() -> Vec<u8> {
    let mut t = TextPairs::new();
    for (k, v) in [
        ("InitiatorName", INITIATOR),
        ("TargetName", TARGET),
        ("SessionType", "Normal"),
        ("HeaderDigest", "None"),
        ("DataDigest", "None"),
        ("MaxRecvDataSegmentLength", "262144"),
    ] {
        t.push(k, v);
    }
    t.encode()
}

fn log_in(reg: &Registry) -> Option<Established> {
    let mut login = Login::new(setup(reg));
    let (bhs, data) = login_request(&login_text());
    let p = InPdu {
        bhs,
        ahs: &[],
        data: &data,
    };
    match login.step(&p) {
        Step::Done(_, est) => Some(est),
        _ => None,
    }
}

/// The login phase: a sequence of Login Request PDUs (48-byte header, a length byte, that
/// much text), each of whose opcode is forced to Login Request. Every answer is a Login
/// Response, and a refusal carries a non-zero status class.
pub fn iscsi_login(data: &[u8]) {
    let reg = registry();
    let mut login = Login::new(setup(&reg));
    let mut rest = data;
    while rest.len() > BHS_LEN {
        let (hdr, tail) = rest.split_at(BHS_LEN);
        let n = (tail[0] as usize * 4).min(tail.len() - 1);
        let text = &tail[1..1 + n];
        rest = &tail[1 + n..];
        let Some(mut bhs) = Bhs::from_slice(hdr) else {
            return;
        };
        bhs.0[0] = 0x43 | (bhs.0[0] & 0x40);
        bhs.set_data_len(text.len() as u32);
        let _ = TextPairs::parse(text);
        let p = InPdu {
            bhs,
            ahs: &[],
            data: text,
        };
        match login.step(&p) {
            Step::Continue(r) => assert_eq!(r.bhs.0[0] & 0x3f, 0x23, "a Login Response"),
            Step::Fail(r, _) => {
                assert_ne!(r.bhs.0[36], 0, "a refusal has a status class");
                return;
            }
            Step::Done(r, _) => {
                assert_eq!(r.bhs.0[0] & 0x3f, 0x23);
                return;
            }
        }
    }
}

/// The full feature phase of a logged-in connection. Mode bit 0: raw PDU stream through
/// the framing (digests from bits 1-2); otherwise a sequence of headers each followed by a
/// 16-bit data length and that much data, with the data length field fixed up.
pub fn iscsi_pdu(data: &[u8]) {
    let (m, input) = mode(data);
    let reg = registry();
    let Some(est) = log_in(&reg) else {
        panic!("the scripted login must succeed");
    };
    let mut conn = Connection::new(ConnSetup {
        registry: reg.clone(),
        session: est.session.clone(),
        cid: est.cid,
        params: est.params,
        limits: Limits::default(),
        stat_sn: est.stat_sn,
        exp_cmd_sn: est.exp_cmd_sn,
        queue_depth: 32,
        portals: vec!["127.0.0.1:3260".parse().expect("address")],
        max_transfer: 1 << 20,
    });
    let mut out = Outbox::default();
    if m & 1 != 0 {
        let framing = Framing {
            header_digest: m & 2 != 0,
            data_digest: m & 4 != 0,
            max_recv_data: 256 << 10,
        };
        let mut at = 0;
        while at < input.len() {
            let n = match framing.wire_len(&input[at..]) {
                Ok(Some(n)) if at + n <= input.len() => n,
                _ => break,
            };
            assert!(n >= BHS_LEN);
            let Ok(p) = framing.split(&input[at..at + n]) else {
                break;
            };
            match conn.handle(&p, &mut out) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Close) | Err(_) => break,
            }
            at += n;
        }
    } else {
        let mut rest = input;
        while rest.len() >= BHS_LEN + 2 {
            let (hdr, tail) = rest.split_at(BHS_LEN);
            let n = (u16::from_be_bytes([tail[0], tail[1]]) as usize).min(tail.len() - 2);
            let payload = &tail[2..2 + n];
            rest = &tail[2 + n..];
            let Some(mut bhs) = Bhs::from_slice(hdr) else {
                break;
            };
            bhs.set_data_len(payload.len() as u32);
            bhs.0[4] = 0; // no AHS
            let p = InPdu {
                bhs,
                ahs: &[],
                data: payload,
            };
            match conn.handle(&p, &mut out) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Close) | Err(_) => break,
            }
            if out.queued_bytes() > 64 << 20 {
                break;
            }
        }
    }
    est.session.close();
}

/// SCSI commands: records of (LUN byte, CDB length byte, CDB, 16-bit expected length,
/// 16-bit Data-Out length, Data-Out). Sense comes exactly with CHECK CONDITION, and Data-In
/// never exceeds what the initiator expects or what the command reports; the target still
/// answers INQUIRY afterwards.
pub fn scsi_cdb(data: &[u8]) {
    let luns = TargetLuns::new(TARGET);
    let _ = luns.add_lun(0, mem_volume(1 << 20), LunSettings::default());
    let ro = LunSettings {
        read_only: true,
        ..LunSettings::default()
    };
    let _ = luns.add_lun(1, mem_volume(64 << 10), ro);
    let nexus = luns.login(Nexus {
        initiator: INITIATOR.into(),
        isid: 1,
        tpgt: 1,
    });
    let other = luns.login(Nexus {
        initiator: "iqn.2026-11.org.example:other".into(),
        isid: 2,
        tpgt: 1,
    });
    let mut rest = data;
    let mut data_in = Vec::new();
    while rest.len() >= 2 {
        let (lun_byte, len) = (rest[0], (rest[1] as usize % 32).max(1));
        rest = &rest[2..];
        if rest.len() < len + 4 {
            break;
        }
        let cdb = &rest[..len];
        let expected = u16::from_be_bytes([rest[len], rest[len + 1]]) as u32 * 16;
        let out_len =
            (u16::from_be_bytes([rest[len + 2], rest[len + 3]]) as usize).min(rest.len() - len - 4);
        let data_out = &rest[len + 4..len + 4 + out_len];
        rest = &rest[len + 4 + out_len..];
        let cmd = ScsiCommand {
            lun: rvm::iscsi::scsi::encode_lun((lun_byte % 3) as u64),
            cdb,
            data_out,
            expected_data_in: expected,
            nexus: if lun_byte & 0x80 == 0 { &nexus } else { &other },
            attr: TaskAttr::Simple,
        };
        data_in.clear();
        let o = luns.execute(&cmd, &mut data_in);
        match o.status {
            ScsiStatus::CheckCondition => {
                assert!(o.sense.is_some(), "CHECK CONDITION without sense");
                assert!(data_in.is_empty(), "Data-In with CHECK CONDITION");
            }
            _ => assert!(o.sense.is_none(), "sense without CHECK CONDITION"),
        }
        assert!(
            data_in.len() <= expected as usize,
            "Data-In beyond the expected length"
        );
        assert!(
            data_in.len() <= o.transfer_len as usize,
            "Data-In beyond transfer length"
        );
    }
    data_in.clear();
    let inquiry = [0x12, 0, 0, 0, 36, 0];
    let o = luns.execute(
        &ScsiCommand {
            lun: 0,
            cdb: &inquiry,
            data_out: &[],
            expected_data_in: 36,
            nexus: &nexus,
            attr: TaskAttr::Simple,
        },
        &mut data_in,
    );
    assert!(o.status == ScsiStatus::Good || o.status == ScsiStatus::CheckCondition);
}
