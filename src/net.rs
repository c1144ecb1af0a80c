//! Socket helpers the frontends and the daemon share.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The next connection `accept` gives, or `None` once `stopping` is set: it is checked
/// after every accept, which [`wake_acceptor`] (or a Unix socket's own connect) wakes at
/// shutdown. A failing accept (out of descriptors or memory) backs off instead of
/// spinning.
pub fn next_connection<S>(
    stopping: &AtomicBool,
    mut accept: impl FnMut() -> io::Result<S>,
) -> Option<S> {
    loop {
        let r = accept();
        if stopping.load(Ordering::Acquire) {
            return None;
        }
        match r {
            Ok(s) => return Some(s),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Wakes a thread blocked in `accept` on `listening` by connecting to it, so listeners
/// need no poll timeout (an idle daemon uses no CPU). The thread sees its stop flag when
/// it wakes; an unspecified address (0.0.0.0) is reached through the loopback.
pub fn wake_acceptor(listening: SocketAddr) {
    let mut a = listening;
    if a.ip().is_unspecified() {
        a.set_ip(match a {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let _ = TcpStream::connect_timeout(&a, Duration::from_secs(1));
}
