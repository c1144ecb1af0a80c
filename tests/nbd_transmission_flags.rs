//! Transmission flags are advertised honestly: multi-conn only where a flush covers every
//! connection, DF only with structured replies.

mod nbd_common;
use nbd_common::*;
use rvm::nbd::wire::*;

#[test]
fn flags_follow_the_volume_and_the_negotiation() {
    let fx = Fixture::new();
    fx.add_gated("shared-cache", 1 << 20, false, true);
    fx.add_gated("private-cache", 1 << 20, false, false);
    let want = FLAG_HAS_FLAGS
        | FLAG_SEND_FLUSH
        | FLAG_SEND_FUA
        | FLAG_SEND_TRIM
        | FLAG_SEND_WRITE_ZEROES
        | FLAG_SEND_FAST_ZERO
        | FLAG_SEND_CACHE;
    let c = RawClient::connect(fx.addr, "shared-cache", true);
    assert_eq!(c.flags, want | FLAG_CAN_MULTI_CONN | FLAG_SEND_DF);
    let c = RawClient::connect(fx.addr, "private-cache", false);
    assert_eq!(c.flags, want);
    let out = run_ok("nbdinfo", &["--json", &fx.uri("private-cache")]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["exports"][0]["can_multi_conn"], false);
}
