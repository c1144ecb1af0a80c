//! Graceful shutdown: the server stops accepting, tells logged-in initiators it drops their
//! connections, ends them, flushes the volumes, and returns.

mod iscsi_common;
use iscsi_common::*;
use std::time::{Duration, Instant};

const T: &str = "iqn.2026-11.org.example:stop";

#[test]
fn shutdown_ends_sessions_and_returns() {
    let mut t = TestServer::start();
    t.target(T, &[1 << 20], &[INITIATOR]);
    let mut r = session(t.addr, T);
    assert_eq!(r.tur(), Some(0));
    let block = vec![9u8; 512];
    let itt = r.command(0, &[0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0], 0xa0, 512, &block);
    assert_eq!(r.status(itt).unwrap().0, 0);
    let server = t.server.take().unwrap();
    let start = Instant::now();
    server.shutdown().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "shutdown took too long"
    );
    let p = r
        .recv()
        .expect("an Async Message before the connection ends");
    assert_eq!(p.opcode(), 0x32);
    assert_eq!(p.bhs.0[36], 2, "AsyncEvent: target drops this connection");
    assert!(r.closed());
    assert!(
        std::net::TcpStream::connect(t.addr).is_err(),
        "still accepting"
    );
    // The write reached the file.
    let f = std::fs::read(t.dir.path().join("lun1.img")).unwrap();
    assert_eq!(&f[..512], &block[..]);
}
