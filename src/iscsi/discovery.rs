//! SendTargets (RFC 7143 Appendix C): which targets an initiator is told about, and where.
//! A target is listed only if its ACL admits the initiator; discovery CHAP, when configured,
//! has already been enforced at login.

use super::target::{Registry, SessionKind};
use super::text::TextPairs;
use std::net::SocketAddr;

/// `ip:port,tpgt`, with IPv6 addresses in brackets.
pub fn target_address(portal: SocketAddr, tpgt: u16) -> String {
    match portal {
        SocketAddr::V4(a) => format!("{}:{},{}", a.ip(), a.port(), tpgt),
        SocketAddr::V6(a) => format!("[{}]:{},{}", a.ip(), a.port(), tpgt),
    }
}

/// Answers `SendTargets=<value>` for `initiator` on a session of `kind`, listing each target
/// with every portal in `portals`.
pub fn send_targets(
    registry: &Registry,
    kind: &SessionKind,
    initiator: &str,
    value: &str,
    portals: &[SocketAddr],
) -> TextPairs {
    let mut out = TextPairs::new();
    let wanted: Vec<_> = match (value, kind) {
        ("All", SessionKind::Discovery) => registry.targets(),
        ("All", SessionKind::Normal(_)) => {
            out.set("SendTargets", "Reject");
            return out;
        }
        ("", SessionKind::Normal(t)) => vec![t.clone()],
        ("", SessionKind::Discovery) => {
            out.set("SendTargets", "Reject");
            return out;
        }
        (name, _) => registry
            .target(&name.to_ascii_lowercase())
            .into_iter()
            .collect(),
    };
    for t in wanted {
        if !t.access().admits(initiator) {
            continue;
        }
        out.push("TargetName", t.name.clone());
        for p in portals {
            out.push("TargetAddress", target_address(*p, t.tpgt));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_formatted_per_family() {
        let v4: SocketAddr = "127.0.0.1:3260".parse().unwrap();
        let v6: SocketAddr = "[::1]:3261".parse().unwrap();
        assert_eq!(target_address(v4, 1), "127.0.0.1:3260,1");
        assert_eq!(target_address(v6, 2), "[::1]:3261,2");
    }
}
