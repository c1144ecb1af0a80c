//! Socket helpers the frontends and the daemon share.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

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
