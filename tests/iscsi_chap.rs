//! CHAP done right: each rule that closed a CVE in some target is one named test, checked
//! with a raw initiator that can say exactly the wrong thing, and with iscsi-ls.

mod iscsi_common;
use iscsi_common::*;
use rvm::iscsi::chap::{decode_binary, encode_hex, response};

const T: &str = "iqn.2026-11.org.example:secure";
const USER: &str = "alice";
const SECRET: &str = "alice-secret-12";
const TUSER: &str = "target-user";
const TSECRET: &str = "target-secret-34";

fn server(mutual: bool) -> TestServer {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &[INITIATOR]);
    let m = mutual.then_some((TUSER, TSECRET));
    t.set_chap(T, &[INITIATOR], Some(chap(USER, SECRET, m)));
    t
}

/// Runs the security stage up to the target's challenge: (raw, CHAP_I, CHAP_C bytes).
fn challenge(t: &TestServer) -> (Raw, LoginOpts, u8, Vec<u8>) {
    let mut r = Raw::connect(t.addr);
    let o = LoginOpts::normal(T);
    let first = vec![
        ("InitiatorName", INITIATOR.to_string()),
        ("SessionType", "Normal".to_string()),
        ("TargetName", T.to_string()),
        ("AuthMethod", "CHAP,None".to_string()),
    ];
    let p = r.exchange(0x81, &o, 9, &first).expect("security stage");
    assert_eq!(p.bhs.0[1] & 0x80, 0, "no transit before authentication");
    let p = r
        .exchange(0x01, &o, 9, &[("CHAP_A", "5".to_string())])
        .unwrap();
    let tx = p.text();
    assert_eq!(tx.get("CHAP_A"), Some("5"));
    let id = tx.get("CHAP_I").unwrap().parse().unwrap();
    let c = decode_binary(tx.get("CHAP_C").unwrap(), 1024).unwrap();
    (r, o, id, c)
}

fn answer(r: &mut Raw, o: &LoginOpts, pairs: &[(&str, String)]) -> Result<(), (u8, u8)> {
    r.exchange(0x81, o, 9, pairs).map(|_| ())
}

const AUTH_FAILED: Result<(), (u8, u8)> = Err((2, 1));

#[test]
fn challenge_is_fresh_full_length_from_csprng() {
    let t = server(false);
    let (_, _, id1, c1) = challenge(&t);
    let (_, _, id2, c2) = challenge(&t);
    assert!(c1.len() >= 16 && c2.len() >= 16, "challenge too short");
    assert_eq!(c1.len(), 32);
    assert_ne!(c1, c2, "challenge repeated");
    assert!(c1 != vec![0; 32] && (id1, &c1) != (id2, &c2));
}

#[test]
fn correct_response_logs_in() {
    let t = server(false);
    let (mut r, o, id, c) = challenge(&t);
    let resp = encode_hex(&response(id, SECRET.as_bytes(), &c));
    answer(&mut r, &o, &[("CHAP_N", USER.into()), ("CHAP_R", resp)]).unwrap();
}

#[test]
fn user_name_compared_exactly() {
    let t = server(false);
    for name in ["alic", "alice2", "ALICE", "", "alice\u{7f}"] {
        let (mut r, o, id, c) = challenge(&t);
        let resp = encode_hex(&response(id, SECRET.as_bytes(), &c));
        let got = answer(&mut r, &o, &[("CHAP_N", name.into()), ("CHAP_R", resp)]);
        assert_eq!(got, AUTH_FAILED, "name {name:?} accepted");
    }
}

#[test]
fn chap_r_length_checked() {
    let t = server(false);
    for cut in [15usize, 17, 0] {
        let (mut r, o, id, c) = challenge(&t);
        let mut raw = response(id, SECRET.as_bytes(), &c).to_vec();
        raw.resize(cut, 0);
        let got = answer(
            &mut r,
            &o,
            &[("CHAP_N", USER.into()), ("CHAP_R", encode_hex(&raw))],
        );
        assert_eq!(got, AUTH_FAILED, "CHAP_R of {cut} bytes accepted");
    }
    let (mut r, o, _, _) = challenge(&t);
    let got = answer(
        &mut r,
        &o,
        &[("CHAP_N", USER.into()), ("CHAP_R", "0xnothex".into())],
    );
    assert_eq!(got, AUTH_FAILED);
}

#[test]
fn chap_c_length_checked() {
    let t = server(true);
    for len in [0usize, 8, 15, 1025] {
        let (mut r, o, id, c) = challenge(&t);
        let resp = encode_hex(&response(id, SECRET.as_bytes(), &c));
        let mine = if len == 0 {
            "0x".to_string()
        } else {
            encode_hex(&vec![0x42; len])
        };
        let got = answer(
            &mut r,
            &o,
            &[
                ("CHAP_N", USER.into()),
                ("CHAP_R", resp),
                ("CHAP_I", "3".into()),
                ("CHAP_C", mine),
            ],
        );
        assert_eq!(got, AUTH_FAILED, "CHAP_C of {len} bytes accepted");
    }
}

#[test]
fn reflected_challenge_refused() {
    let t = server(true);
    let (mut r, o, id, c) = challenge(&t);
    let resp = encode_hex(&response(id, SECRET.as_bytes(), &c));
    let got = answer(
        &mut r,
        &o,
        &[
            ("CHAP_N", USER.into()),
            ("CHAP_R", resp),
            ("CHAP_I", id.to_string()),
            ("CHAP_C", encode_hex(&c)),
        ],
    );
    assert_eq!(got, AUTH_FAILED);
}

#[test]
fn mutual_chap_authenticates_the_target() {
    let t = server(true);
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.chap = Some((USER.into(), SECRET.into()));
    o.mutual = Some((TUSER.into(), TSECRET.into()));
    r.login(&o).expect("mutual login");
    assert_eq!(r.tur(), Some(0));
}

#[test]
fn same_secret_mutual_refused() {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &[INITIATOR]);
    let same = chap(USER, SECRET, Some((TUSER, SECRET)));
    let acl = [INITIATOR.to_string()];
    assert!(t
        .server()
        .set_access(T, None, acl.clone(), Some(&same))
        .is_err());
    // Nothing changed: the target still has no CHAP.
    assert_serving(t.addr, T);
}

#[test]
fn empty_or_short_secret_refused() {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &[INITIATOR]);
    for pw in ["", "short", "elevenchars"] {
        let a = chap(USER, pw, None);
        assert!(t
            .server()
            .set_access(T, None, [INITIATOR.to_string()], Some(&a))
            .is_err());
        assert!(t.server().set_discovery_auth(Some(&a)).is_err());
    }
}

#[test]
fn unauthenticated_login_refused() {
    let t = server(false);
    // Straight to the operational stage.
    let mut r = Raw::connect(t.addr);
    assert_eq!(r.login(&LoginOpts::normal(T)), AUTH_FAILED);
    // Offering only None.
    let mut r = Raw::connect(t.addr);
    let o = LoginOpts::normal(T);
    let first = vec![
        ("InitiatorName", INITIATOR.to_string()),
        ("TargetName", T.to_string()),
        ("AuthMethod", "None".to_string()),
    ];
    assert_eq!(r.exchange(0x83, &o, 9, &first).map(|_| ()), AUTH_FAILED);
    // Skipping the answer and asking for full feature phase.
    let (mut r, o, _, _) = challenge(&t);
    assert!(r.exchange(0x83, &o, 9, &[]).is_err());
}

#[test]
fn wrong_secret_refused() {
    let t = server(false);
    let mut r = Raw::connect(t.addr);
    let mut o = LoginOpts::normal(T);
    o.chap = Some((USER.into(), "not-the-secret".into()));
    assert_eq!(r.login(&o), AUTH_FAILED);
    let url = format!("iscsi://{USER}%not-the-secret@{}/{T}/0", t.addr);
    let out = tool(&["iscsi-readcapacity16", "-i", INITIATOR, &url]);
    let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(
        !out.status.success() && all.contains("Authentication failure"),
        "wrong secret not refused as an authentication failure: {all}"
    );
}

#[test]
fn discovery_chap_enforced() {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &["ALL"]);
    t.server()
        .set_discovery_auth(Some(&chap("disco", "discovery-pw-1", None)))
        .unwrap();
    let plain = format!("iscsi://{}/", t.addr);
    let wrong = format!("iscsi://disco%wrong-password@{}/", t.addr);
    let right = format!("iscsi://disco%discovery-pw-1@{}/", t.addr);
    let o = tool(&["iscsi-ls", "-i", INITIATOR, &plain]);
    assert!(
        !stdout(&o).contains(T),
        "discovery without CHAP listed: {o:?}"
    );
    let o = tool(&["iscsi-ls", "-i", INITIATOR, &wrong]);
    assert!(
        !stdout(&o).contains(T),
        "discovery with a wrong secret listed: {o:?}"
    );
    let o = tool(&["iscsi-ls", "-i", INITIATOR, &right]);
    assert!(o.status.success() && stdout(&o).contains(T), "{o:?}");
    let mut r = Raw::connect(t.addr);
    assert_eq!(r.login(&LoginOpts::discovery()), AUTH_FAILED);
}
