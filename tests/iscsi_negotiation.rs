//! Login negotiation as iSCSI initiators see it: every operational key answered by its
//! result function, NotUnderstood/Irrelevant/Reject answers, TargetPortalGroupTag, status
//! classes for bad logins, digests in both directions, and iscsi-inq/iscsi-readcapacity16
//! through a real initiator.

mod iscsi_common;
use iscsi_common::*;

const T: &str = "iqn.2026-11.org.example:neg";

fn keys(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn server() -> TestServer {
    let mut t = TestServer::start();
    t.target(T, &[8 << 20], &[INITIATOR]);
    t
}

#[test]
fn operational_keys_get_their_results() {
    let t = server();
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.keys = keys(&[
        ("MaxConnections", "8"),
        ("InitialR2T", "No"),
        ("ImmediateData", "Yes"),
        ("MaxRecvDataSegmentLength", "65536"),
        ("MaxBurstLength", "16776192"),
        ("FirstBurstLength", "262144"),
        ("DefaultTime2Wait", "0"),
        ("DefaultTime2Retain", "0"),
        ("MaxOutstandingR2T", "1"),
        ("DataPDUInOrder", "Yes"),
        ("DataSequenceInOrder", "Yes"),
        ("ErrorRecoveryLevel", "2"),
        ("IFMarker", "No"),
        ("OFMarker", "No"),
        ("X-com.example.private", "1"),
        ("NoSuchKey", "1"),
        ("TargetAlias", "mine"),
    ]);
    r.login(&o).unwrap();
    let a = &r.answers;
    for (k, v) in [
        ("MaxConnections", "1"),
        ("InitialR2T", "No"),
        ("ImmediateData", "Yes"),
        ("MaxBurstLength", "1048576"),
        ("FirstBurstLength", "262144"),
        ("DefaultTime2Wait", "2"),
        ("DefaultTime2Retain", "0"),
        ("MaxOutstandingR2T", "1"),
        ("DataPDUInOrder", "Yes"),
        ("DataSequenceInOrder", "Yes"),
        ("ErrorRecoveryLevel", "0"),
        ("IFMarker", "No"),
        ("X-com.example.private", "NotUnderstood"),
        ("NoSuchKey", "NotUnderstood"),
        ("TargetAlias", "Reject"),
        ("MaxRecvDataSegmentLength", "262144"),
        ("HeaderDigest", "None"),
        ("DataDigest", "None"),
    ] {
        assert_eq!(a.get(k), Some(v), "{k}");
    }
    assert_eq!(r.tur(), Some(0));
}

#[test]
fn first_response_names_the_portal_group_and_tsih_is_assigned() {
    let t = server();
    let mut r = Raw::connect(t.addr);
    let o = LoginOpts::normal(T);
    let first = vec![
        ("InitiatorName", INITIATOR.to_string()),
        ("TargetName", T.to_string()),
    ];
    let p = r.exchange(0x87, &o, 1, &first).unwrap();
    assert_eq!(p.text().get("TargetPortalGroupTag"), Some("1"));
    assert_ne!(rvm::iscsi::pdu::BigEndian::get_u16(&p.bhs, 14), 0, "TSIH");
}

#[test]
fn discovery_sessions_answer_session_keys_irrelevant() {
    let t = server();
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::discovery();
    o.keys = keys(&[("MaxBurstLength", "4096"), ("InitialR2T", "No")]);
    r.login(&o).unwrap();
    assert_eq!(r.answers.get("MaxBurstLength"), Some("Irrelevant"));
    assert_eq!(r.answers.get("InitialR2T"), Some("Irrelevant"));
}

#[test]
fn bad_logins_get_their_status_class() {
    let t = server();
    let mut r = Raw::connect(t.addr);
    assert_eq!(
        r.login(&LoginOpts::normal("iqn.2026-11.org.example:nothere")),
        Err((2, 3)),
        "target not found"
    );
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.initiator = OTHER_INITIATOR.into();
    assert_eq!(r.login(&o), Err((2, 2)), "authorization failure");
    let mut r = Raw::connect(t.addr);
    let o = LoginOpts::normal(T);
    let p = r.exchange(0x87, &o, 1, &[("TargetName", T.to_string())]);
    assert_eq!(p.map(|_| ()), Err((2, 7)), "missing InitiatorName");
    let mut r = Raw::connect(t.addr);
    let first = vec![
        ("InitiatorName", INITIATOR.to_string()),
        ("SessionType", "Bogus".to_string()),
    ];
    assert_eq!(r.exchange(0x87, &o, 1, &first).map(|_| ()), Err((2, 9)));
    // Version-min above 0.
    let mut r = Raw::connect(t.addr);
    let (mut b, d) = login_pdu(0x87, 1, 1, 1, &text_of(&[("InitiatorName", INITIATOR)]));
    b.0[3] = 1;
    r.send(&b, &d).unwrap();
    assert_eq!(r.recv().map(|p| (p.bhs.0[36], p.bhs.0[37])), Some((2, 5)));
}

#[test]
fn header_and_data_digests_both_ways() {
    let t = server();
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.header_digest = true;
    o.data_digest = true;
    r.login(&o).unwrap();
    assert!(r.header_digest && r.data_digest);
    assert_eq!(r.tur(), Some(0));
    let block = vec![0x3cu8; 4096];
    let itt = r.command(0, &[0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0], 0xa0, 4096, &block);
    assert_eq!(r.status(itt).unwrap().0, 0);
    let itt = r.command(0, &[0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0], 0xc0, 4096, &[]);
    let (st, data, _) = r.status(itt).unwrap();
    assert_eq!((st, data == block), (0, true));
}

#[test]
fn libiscsi_tools_inquiry_and_read_capacity() {
    let t = server();
    let url = t.url(T, 0);
    let o = tool(&["iscsi-inq", "-i", INITIATOR, &url]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("DIRECT_ACCESS"), "{}", stdout(&o));
    let o = tool(&["iscsi-readcapacity16", "-i", INITIATOR, &url]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        stdout(&o).contains(&format!("Total size:{}", 8 << 20)),
        "{}",
        stdout(&o)
    );
    let o = tool(&["iscsi-inq", "-i", OTHER_INITIATOR, &url]);
    assert!(!o.status.success(), "an initiator outside the ACL got in");
}
