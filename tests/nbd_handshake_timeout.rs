//! Slow handshakes are cut at the timeout, whether silent or trickling bytes.

mod nbd_common;
use nbd_common::*;
use rvm::nbd::ServerConfig;
use std::io::Write;
use std::time::{Duration, Instant};

#[test]
fn silent_and_trickling_handshakes_time_out() {
    let config = ServerConfig {
        handshake_timeout: Duration::from_secs(1),
        ..ServerConfig::default()
    };
    let fx = Fixture::with_config(config);
    fx.add_file("vol", 1 << 20, false);

    let start = Instant::now();
    let mut silent = greeted(fx.addr);
    assert!(closed_by_server(&mut silent));
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    // One byte every 200 ms never finishes an option; the deadline covers the whole handshake.
    let start = Instant::now();
    let mut slow = greeted(fx.addr);
    let bytes = rvm::nbd::wire::FLAG_C_FIXED_NEWSTYLE.to_be_bytes();
    let mut closed = false;
    for b in bytes
        .iter()
        .chain(option(rvm::nbd::wire::OPT_LIST, &[]).iter())
        .cycle()
        .take(100)
    {
        if slow.write_all(&[*b]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
        if start.elapsed() > Duration::from_secs(4) {
            break;
        }
    }
    assert!(closed || closed_by_server(&mut slow));
    assert!(start.elapsed() < Duration::from_secs(6));
    fx.wait_connections(0);
    assert_healthy(fx.addr, "vol");
}
