//! Hostile transmission: out-of-range, oversized, unknown and garbage requests, and abrupt
//! disconnects; errors keep the connection usable where the stream is still in step, and
//! other clients are always served.

mod nbd_common;
use nbd_common::*;
use rvm::nbd::wire::*;
use std::io::Write;

#[test]
fn bad_requests_get_errors_and_the_connection_stays_usable() {
    let fx = Fixture::new();
    fx.add_file("vol", 1 << 20, false);
    for structured in [false, true] {
        let mut c = RawClient::connect(fx.addr, "vol", structured);
        assert_eq!(
            c.read((1 << 20) - 512, 1024),
            Err(EINVAL),
            "read past the end"
        );
        assert_eq!(c.read(u64::MAX - 100, 512), Err(EINVAL), "offset overflow");
        assert_eq!(c.write(1 << 20, &[1; 512]), EINVAL, "write past the end");
        assert_eq!(c.read(0, 64 << 20), Err(EINVAL), "read over the maximum");
        c.send(99, 0, 77, 0, 512, &[]);
        let r = c.reply(0);
        assert_eq!((r.handle, r.error), (77, EINVAL), "unknown command");
        c.send(CMD_READ, 1 << 9, 78, 0, 512, &[]);
        assert_eq!(c.reply(0).error, EINVAL, "unknown flag");
        c.send(CMD_TRIM, 0, 79, 0, 0, &[]);
        assert_eq!(c.reply(0).error, EINVAL, "zero length");
        // Still in step: real I/O works on the same connection.
        assert_eq!(c.write(4096, &[7; 4096]), 0);
        assert_eq!(c.read(4096, 4096).unwrap(), vec![7; 4096]);
        c.disconnect();
    }
    assert_healthy(fx.addr, "vol");
}

#[test]
fn oversized_write_is_refused_and_closed() {
    let fx = Fixture::new();
    fx.add_file("vol", 1 << 20, false);
    let mut c = RawClient::connect(fx.addr, "vol", false);
    c.send(CMD_WRITE, 0, 5, 0, 1 << 30, &[0; 4096]);
    let r = c.reply(0);
    assert_eq!((r.handle, r.error), (5, EINVAL));
    assert!(closed_by_server(&mut c.stream));
    assert_healthy(fx.addr, "vol");
}

#[test]
fn pipelined_garbage_and_abrupt_disconnects() {
    let fx = Fixture::new();
    fx.add_file("vol", 1 << 20, false);
    // Valid requests, then a megabyte of garbage: the valid ones are answered, then close.
    let mut c = RawClient::connect(fx.addr, "vol", true);
    let mut burst = Vec::new();
    for i in 0..16u64 {
        RequestHeader {
            flags: 0,
            command: CMD_READ,
            handle: i,
            offset: i * 4096,
            len: 4096,
        }
        .encode(&mut burst);
    }
    let garbage: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2246822519) >> 7) as u8)
        .collect();
    burst.extend_from_slice(&garbage);
    let _ = c.stream.write_all(&burst);
    for i in 0..16u64 {
        assert_eq!(c.reply(4096).handle, i);
    }
    assert!(closed_by_server(&mut c.stream));

    // A write header and part of its payload, then the client vanishes.
    let mut c = RawClient::connect(fx.addr, "vol", false);
    c.send(CMD_WRITE, 0, 1, 0, 1 << 20, &[9; 1000]);
    drop(c);
    // Many requests in flight, replies never read, then the client vanishes.
    let mut c = RawClient::connect(fx.addr, "vol", false);
    let mut many = Vec::new();
    for i in 0..2000u64 {
        RequestHeader {
            flags: 0,
            command: CMD_READ,
            handle: i,
            offset: 0,
            len: 65536,
        }
        .encode(&mut many);
    }
    let _ = c.stream.write_all(&many);
    drop(c);
    // A client that connects and closes at once, and one that resets mid-greeting.
    drop(std::net::TcpStream::connect(fx.addr).unwrap());
    fx.wait_connections(0);
    let first = std::fs::read(fx.path("vol")).unwrap();
    assert!(
        first[..1000].iter().all(|&b| b != 9),
        "a partial write must not land"
    );
    assert_healthy(fx.addr, "vol");
}
