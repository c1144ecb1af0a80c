//! Exports are added and removed live. Removing one closes its connections cleanly (in-flight
//! requests finish, the volume is flushed) and leaves every other export's connections alone.

mod nbd_common;
use nbd_common::*;
use rvm::nbd::wire::*;
use std::io::Write;

#[test]
fn add_and_remove_exports_without_disturbing_others() {
    let fx = Fixture::new();
    let gate = fx.add_gated("a", 1 << 20, true, true);
    fx.add_file("b", 1 << 20, false);
    let mut a = RawClient::connect(fx.addr, "a", true);
    let mut b = RawClient::connect(fx.addr, "b", true);
    assert_eq!(b.write(0, &[1; 4096]), 0);

    // Added live: the next handshake sees it.
    fx.add_file("c", 2 << 20, false);
    let list = run_ok(
        "nbdinfo",
        &["--list", &format!("nbd://127.0.0.1:{}", fx.addr.port())],
    );
    assert!(list.contains("export=\"c\""), "{list}");
    let c = RawClient::connect(fx.addr, "c", false);
    assert_eq!(c.size, 2 << 20);

    // A flush is in flight on `a` when it is removed.
    assert_eq!(a.write(0, &[2; 4096]), 0);
    a.send(CMD_FLUSH, 0, 55, 0, 0, &[]);
    std::thread::sleep(std::time::Duration::from_millis(100));
    fx.table.remove("a");
    let server = fx.server.as_ref().unwrap();
    let closed = std::thread::scope(|s| {
        let t = s.spawn(|| server.disconnect_export("a"));
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!t.is_finished(), "disconnect waits for the in-flight flush");
        // `b` is served while `a` drains.
        assert_eq!(b.read(0, 4096).unwrap(), vec![1; 4096]);
        gate.release();
        t.join().unwrap()
    });
    assert_eq!(closed, 1);
    let r = a.reply(0);
    assert_eq!(
        (r.handle, r.error),
        (55, 0),
        "the in-flight flush completed"
    );
    assert!(
        gate.flush_count() >= 2,
        "the removed export was flushed on close"
    );
    assert!(closed_by_server(&mut a.stream));

    // Gone for new clients, with a proper error.
    let mut s = greeted(fx.addr);
    s.write_all(&FLAG_C_FIXED_NEWSTYLE.to_be_bytes()).unwrap();
    let mut go = Vec::new();
    go.extend_from_slice(&1u32.to_be_bytes());
    go.extend_from_slice(b"a");
    go.extend_from_slice(&0u16.to_be_bytes());
    s.write_all(&option(OPT_GO, &go)).unwrap();
    assert_eq!(option_reply(&mut s).1, REP_ERR_UNKNOWN);

    // The other connections never noticed.
    assert_eq!(b.write(8192, &[3; 4096]), 0);
    assert_eq!(b.read(8192, 4096).unwrap(), vec![3; 4096]);
    assert_eq!(fx.server().export_connections("b"), 1);
    b.disconnect();
    c.disconnect();
}

#[test]
fn removing_the_default_export_closes_connections_made_by_the_empty_name() {
    let fx = Fixture::new();
    fx.add_file("vg0/vol", 1 << 20, false);
    fx.table.set_default(Some("vg0/vol"));
    let mut c = RawClient::connect(fx.addr, "", false);
    assert_eq!(c.size, 1 << 20);
    assert_eq!(fx.server().export_connections("vg0/vol"), 1);
    fx.table.remove("vg0/vol");
    assert_eq!(fx.server().disconnect_export("vg0/vol"), 1);
    assert!(closed_by_server(&mut c.stream));
}
