//! Fuzzing the parsers with arbitrary bytes (proptest, so it runs on stable in every test run):
//! PDU framing, key=value text and the login state machine never panic, and every length they
//! report stays within the limits they were given.

use proptest::prelude::*;
use rvm::iscsi::login::{Login, LoginSetup, Step};
use rvm::iscsi::params::Limits;
use rvm::iscsi::pdu::{Bhs, Framing, BHS_LEN};
use rvm::iscsi::target::Registry;
use rvm::iscsi::text::{TextPairs, MAX_TEXT_TOTAL};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn framing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600),
                            hd in any::<bool>(), dd in any::<bool>(), max in 512u32..70_000) {
        let f = Framing { header_digest: hd, data_digest: dd, max_recv_data: max };
        if let Ok(Some(n)) = f.wire_len(&bytes) {
            prop_assert!(n <= BHS_LEN + 1020 + 4 + max as usize + 3 + 4);
            if bytes.len() >= n {
                if let Ok(p) = f.split(&bytes[..n]) {
                    prop_assert!(p.data.len() <= max as usize);
                }
            }
        }
    }

    #[test]
    fn text_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(t) = TextPairs::parse(&bytes) {
            prop_assert!(t.len() <= 256);
            prop_assert!(t.encode().len() <= MAX_TEXT_TOTAL);
        }
    }

    #[test]
    fn text_parser_on_key_value_shapes(pairs in proptest::collection::vec(
        ("[A-Za-z0-9_.=-]{0,70}", "[ -~]{0,300}"), 0..40)) {
        let mut data = Vec::new();
        for (k, v) in &pairs {
            data.extend_from_slice(format!("{k}={v}\0").as_bytes());
        }
        let _ = TextPairs::parse(&data);
    }

    #[test]
    fn login_never_panics(pdus in proptest::collection::vec(
        (proptest::collection::vec(any::<u8>(), BHS_LEN), proptest::collection::vec(any::<u8>(), 0..300)),
        1..6)) {
        let reg = Registry::default();
        let mut login = Login::new(LoginSetup {
            registry: &reg,
            limits: Limits::default(),
            queue_depth: 32,
            tpgt: 1,
            first_stat_sn: 1,
        });
        for (hdr, data) in &pdus {
            let mut bhs = Bhs::from_slice(hdr).unwrap();
            bhs.0[0] = 0x43 | (bhs.0[0] & 0x40);
            let p = rvm::iscsi::pdu::InPdu { bhs, ahs: &[], data };
            match login.step(&p) {
                Step::Continue(r) => prop_assert_eq!(r.bhs.0[0], 0x23),
                Step::Fail(r, _) => { prop_assert_ne!(r.bhs.0[36], 0); break; }
                Step::Done(..) => break,
            }
        }
    }
}
