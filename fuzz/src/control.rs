//! The daemon's control socket: a stream of frames from a client, as the daemon reads them.

use rvm::daemon::control::server::read_frame;
use rvm::daemon::control::wire::{self, Kind, Request};

/// Reads frames from `data` until it ends or a frame is refused; every request that
/// decodes must encode back to a request that decodes to the same value.
pub fn control_request(data: &[u8]) {
    let mut rest = data;
    while let Ok((kind, payload)) = read_frame(&mut rest) {
        assert!(payload.len() <= wire::MAX_FRAME);
        if kind != Kind::Request {
            continue;
        }
        if let Ok(req) = Request::decode(&payload) {
            assert!(!req.argv.is_empty() && req.argv.len() <= wire::MAX_ARGS);
            let again = Request::decode(&req.encode()).expect("a decoded request re-encodes");
            assert_eq!(again, req);
        }
    }
}
