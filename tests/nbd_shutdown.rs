//! Graceful shutdown: stop accepting, let in-flight requests finish, answer requests already
//! received with ESHUTDOWN or close, flush every volume, return.

mod nbd_common;
use nbd_common::*;
use rvm::nbd::wire::*;
use std::time::Duration;

#[test]
fn shutdown_drains_in_flight_requests_and_flushes() {
    let mut fx = Fixture::new();
    let gate = fx.add_gated("vol", 1 << 20, true, true);
    fx.add_file("other", 1 << 20, false);
    let mut busy = RawClient::connect(fx.addr, "vol", true);
    let idle = RawClient::connect(fx.addr, "other", false);
    let mut handshaking = greeted(fx.addr);
    assert_eq!(busy.write(0, &[4; 4096]), 0);
    busy.send(CMD_FLUSH, 0, 9, 0, 0, &[]);
    std::thread::sleep(Duration::from_millis(100));

    let server = fx.server.take().unwrap();
    let addr = fx.addr;
    let t = std::thread::spawn(move || server.shutdown());
    std::thread::sleep(Duration::from_millis(300));
    assert!(!t.is_finished(), "shutdown waits for the in-flight flush");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "no longer accepting"
    );
    gate.release();
    let report = t.join().unwrap();
    assert_eq!(report.connections, 3);
    assert_eq!(report.forced, 0);
    assert_eq!(report.flush_errors, 0);

    let r = busy.reply(0);
    assert_eq!((r.handle, r.error), (9, 0));
    assert!(gate.flush_count() >= 2, "volume flushed at shutdown");
    assert!(closed_by_server(&mut busy.stream));
    let mut idle = idle;
    assert!(closed_by_server(&mut idle.stream));
    assert!(closed_by_server(&mut handshaking));
    assert_eq!(std::fs::read(fx.path("vol")).unwrap()[..4096], [4; 4096]);
}
