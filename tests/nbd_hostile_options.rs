//! Hostile option haggling: malformed lengths, unknown options, oversized data, bad magic,
//! unknown exports and bad flags get an error or a closed connection, and a well-behaved
//! client is served afterwards.

mod nbd_common;
use nbd_common::*;
use rvm::nbd::wire::*;
use std::io::Write;

fn fixed(addr: std::net::SocketAddr) -> std::net::TcpStream {
    let mut s = greeted(addr);
    s.write_all(&FLAG_C_FIXED_NEWSTYLE.to_be_bytes()).unwrap();
    s
}

#[test]
fn malformed_and_unknown_options_get_errors_and_the_session_goes_on() {
    let fx = Fixture::new();
    fx.add_file("vol", 1 << 20, false);
    let mut s = fixed(fx.addr);
    // GO whose name length runs past the option.
    let mut go = Vec::new();
    go.extend_from_slice(&500u32.to_be_bytes());
    go.extend_from_slice(b"vol");
    go.extend_from_slice(&0u16.to_be_bytes());
    s.write_all(&option(OPT_GO, &go)).unwrap();
    assert_eq!(option_reply(&mut s).1, REP_ERR_INVALID);
    // INFO with a trailing byte, LIST with data, STRUCTURED_REPLY with data.
    let mut info = Vec::new();
    info.extend_from_slice(&3u32.to_be_bytes());
    info.extend_from_slice(b"vol");
    info.extend_from_slice(&[0, 0, 9]);
    s.write_all(&option(OPT_INFO, &info)).unwrap();
    assert_eq!(option_reply(&mut s).1, REP_ERR_INVALID);
    s.write_all(&option(OPT_LIST, b"junk")).unwrap();
    assert_eq!(option_reply(&mut s).1, REP_ERR_INVALID);
    s.write_all(&option(OPT_STRUCTURED_REPLY, b"x")).unwrap();
    assert_eq!(option_reply(&mut s).1, REP_ERR_INVALID);
    // Unknown options, STARTTLS.
    s.write_all(&option(0x1234, b"whatever")).unwrap();
    assert_eq!(option_reply(&mut s).1, REP_ERR_UNSUP);
    s.write_all(&option(OPT_STARTTLS, &[])).unwrap();
    assert_eq!(option_reply(&mut s).1, REP_ERR_UNSUP);
    // Unknown export.
    let mut go = Vec::new();
    go.extend_from_slice(&7u32.to_be_bytes());
    go.extend_from_slice(b"missing");
    go.extend_from_slice(&0u16.to_be_bytes());
    s.write_all(&option(OPT_GO, &go)).unwrap();
    let (_, kind, msg) = option_reply(&mut s);
    assert_eq!(kind, REP_ERR_UNKNOWN);
    assert!(String::from_utf8_lossy(&msg).contains("missing"));
    // An oversized option is skipped as it streams and refused.
    let mut big = Vec::new();
    big.extend_from_slice(&IHAVEOPT.to_be_bytes());
    big.extend_from_slice(&OPT_GO.to_be_bytes());
    big.extend_from_slice(&(8u32 << 20).to_be_bytes());
    s.write_all(&big).unwrap();
    let chunk = vec![0x41u8; 1 << 20];
    for _ in 0..8 {
        s.write_all(&chunk).unwrap();
    }
    assert_eq!(option_reply(&mut s).1, REP_ERR_TOO_BIG);
    // Still haggling: ABORT is acknowledged.
    s.write_all(&option(OPT_ABORT, &[])).unwrap();
    assert_eq!(option_reply(&mut s), (OPT_ABORT, REP_ACK, vec![]));
    assert!(closed_by_server(&mut s));
    assert_healthy(fx.addr, "vol");
}

#[test]
fn protocol_violations_close_the_connection() {
    let fx = Fixture::new();
    fx.add_file("vol", 1 << 20, false);
    // Unknown client flags.
    let mut s = greeted(fx.addr);
    s.write_all(&0x8000_0000u32.to_be_bytes()).unwrap();
    assert!(closed_by_server(&mut s));
    // Bad option magic.
    let mut s = fixed(fx.addr);
    s.write_all(&[0xde; 16]).unwrap();
    assert!(closed_by_server(&mut s));
    // EXPORT_NAME of an unknown export cannot be answered with an error.
    let mut s = fixed(fx.addr);
    s.write_all(&option(OPT_EXPORT_NAME, b"nope")).unwrap();
    assert!(closed_by_server(&mut s));
    // An option that claims 4 GiB, then the client vanishes mid-option.
    let mut s = fixed(fx.addr);
    let mut big = Vec::new();
    big.extend_from_slice(&IHAVEOPT.to_be_bytes());
    big.extend_from_slice(&OPT_INFO.to_be_bytes());
    big.extend_from_slice(&u32::MAX.to_be_bytes());
    big.extend_from_slice(&[1; 1000]);
    s.write_all(&big).unwrap();
    drop(s);
    // A client speaking no NBD at all.
    let mut s = greeted(fx.addr);
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert!(closed_by_server(&mut s));
    fx.wait_connections(0);
    assert_healthy(fx.addr, "vol");
}
