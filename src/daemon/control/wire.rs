//! The control socket's frames: pure encoding and decoding, no I/O.
//!
//! A frame is a kind byte, a big-endian u32 payload length and the payload. The client
//! sends one [`Request`] and then only [`Kind::Answer`] frames (replies to questions); the
//! daemon streams [`Kind::Stdout`], [`Kind::Stderr`] and [`Kind::Question`] frames and
//! ends with one [`Kind::Exit`]. Arguments travel as bytes, so any path the client can
//! name reaches the daemon unchanged.

use crate::nbd::wire::{BeReader, PutBe};
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// Version of the request layout; a daemon refuses requests of any other.
pub const PROTOCOL_VERSION: u32 = 1;
/// Largest frame either side accepts; a request is a command line, far below this.
pub const MAX_FRAME: usize = 1 << 20;
/// Frame header length: kind and payload length.
pub const HEADER_LEN: usize = 5;
/// Most arguments in one request.
pub const MAX_ARGS: usize = 16_384;

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Client → daemon: the command to run.
    Request,
    /// Client → daemon: the line typed in reply to a question (empty when stdin ended).
    Answer,
    /// Daemon → client: bytes for the client's stdout.
    Stdout,
    /// Daemon → client: bytes for the client's stderr.
    Stderr,
    /// Daemon → client: a yes/no question to show and answer.
    Question,
    /// Daemon → client: the command's exit code (big-endian i32); the last frame.
    Exit,
}

impl Kind {
    const TABLE: [(Kind, u8); 6] = [
        (Kind::Request, b'R'),
        (Kind::Answer, b'A'),
        (Kind::Stdout, b'O'),
        (Kind::Stderr, b'E'),
        (Kind::Question, b'Q'),
        (Kind::Exit, b'X'),
    ];

    pub fn byte(self) -> u8 {
        Kind::TABLE
            .iter()
            .find(|(k, _)| *k == self)
            .map_or(0, |(_, b)| *b)
    }

    pub fn from_byte(b: u8) -> Option<Kind> {
        Kind::TABLE.iter().find(|(_, x)| *x == b).map(|(k, _)| *k)
    }
}

/// Why bytes from the other side were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("unknown frame kind {0:#04x}")]
    UnknownKind(u8),
    #[error("frame of {0} bytes is larger than {MAX_FRAME}")]
    TooLarge(usize),
    #[error("truncated {0}")]
    Truncated(&'static str),
    #[error("request of protocol version {0}; this rvm speaks {PROTOCOL_VERSION}")]
    Version(u32),
    #[error("request has no command")]
    NoCommand,
    #[error("request has more than {MAX_ARGS} arguments")]
    TooManyArgs,
    #[error("unknown request field {0}")]
    UnknownField(u8),
    #[error("malformed exit code")]
    BadExit,
}

/// Encodes one frame.
pub fn frame(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(HEADER_LEN + payload.len());
    f.push(kind.byte());
    f.put_u32(payload.len() as u32);
    f.put_bytes(payload);
    f
}

/// Decodes a frame header: the kind and the payload length, checked against
/// [`MAX_FRAME`] before anything is allocated for it.
pub fn header(bytes: &[u8; HEADER_LEN]) -> Result<(Kind, usize), WireError> {
    let kind = Kind::from_byte(bytes[0]).ok_or(WireError::UnknownKind(bytes[0]))?;
    let mut r = BeReader::new(&bytes[1..]);
    let len = r.u32().ok_or(WireError::Truncated("header"))? as usize;
    if len > MAX_FRAME {
        return Err(WireError::TooLarge(len));
    }
    Ok((kind, len))
}

/// The exit code frame's payload.
pub fn exit_payload(code: i32) -> [u8; 4] {
    code.to_be_bytes()
}

/// Decodes an exit code payload.
pub fn exit_code(payload: &[u8]) -> Result<i32, WireError> {
    let b: [u8; 4] = payload.try_into().map_err(|_| WireError::BadExit)?;
    Ok(i32::from_be_bytes(b))
}

/// Tags of a request's fields.
const FIELD_ARG: u8 = 1;
const FIELD_CWD: u8 = 2;
const FIELD_VAR: u8 = 3;
const FIELD_INTERACTIVE: u8 = 4;

/// A command line as the client ran it, with what the daemon needs to run it the same way.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// argv, program name first.
    pub argv: Vec<OsString>,
    /// The client's working directory: relative paths are resolved against it.
    pub cwd: PathBuf,
    /// The environment variables commands read (`RVM_SYSTEM_DIR`, `LVM_VG_NAME`, ...).
    pub vars: Vec<(OsString, OsString)>,
    /// The client's stderr is a terminal.
    pub interactive: bool,
}

impl Request {
    /// The payload of a [`Kind::Request`] frame: the version, then tagged fields.
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Vec::new();
        p.put_u32(PROTOCOL_VERSION);
        let mut field = |tag: u8, bytes: &[u8]| {
            p.push(tag);
            p.put_u32(bytes.len() as u32);
            p.put_bytes(bytes);
        };
        for a in &self.argv {
            field(FIELD_ARG, a.as_bytes());
        }
        field(FIELD_CWD, self.cwd.as_os_str().as_bytes());
        for (k, v) in &self.vars {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            field(FIELD_VAR, &kv);
        }
        field(FIELD_INTERACTIVE, &[u8::from(self.interactive)]);
        p
    }

    /// Decodes a request payload; refuses other versions, unknown fields and truncation.
    pub fn decode(payload: &[u8]) -> Result<Request, WireError> {
        let mut r = BeReader::new(payload);
        let version = r.u32().ok_or(WireError::Truncated("request"))?;
        if version != PROTOCOL_VERSION {
            return Err(WireError::Version(version));
        }
        let mut req = Request::default();
        while r.remaining() > 0 {
            let tag = r.bytes(1).ok_or(WireError::Truncated("field"))?[0];
            let len = r.u32().ok_or(WireError::Truncated("field"))? as usize;
            let bytes = r.bytes(len).ok_or(WireError::Truncated("field"))?;
            match tag {
                FIELD_ARG => {
                    if req.argv.len() == MAX_ARGS {
                        return Err(WireError::TooManyArgs);
                    }
                    req.argv.push(OsString::from_vec(bytes.to_vec()));
                }
                FIELD_CWD => req.cwd = PathBuf::from(OsString::from_vec(bytes.to_vec())),
                FIELD_VAR => {
                    let at = bytes.iter().position(|&b| b == b'=').unwrap_or(bytes.len());
                    let (k, v) = bytes.split_at(at);
                    let v = v.get(1..).unwrap_or_default();
                    req.vars.push((
                        OsString::from_vec(k.to_vec()),
                        OsString::from_vec(v.to_vec()),
                    ));
                }
                FIELD_INTERACTIVE => req.interactive = bytes.first().is_some_and(|&b| b != 0),
                other => return Err(WireError::UnknownField(other)),
            }
        }
        if req.argv.is_empty() {
            return Err(WireError::NoCommand);
        }
        Ok(req)
    }

    /// The value of variable `name` the client sent.
    pub fn var(&self, name: &str) -> Option<&OsString> {
        self.vars
            .iter()
            .find(|(k, _)| k.as_bytes() == name.as_bytes())
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Request {
        Request {
            argv: vec![
                "rvm".into(),
                "lvs".into(),
                OsString::from_vec(vec![0xff, b'x']),
            ],
            cwd: "/srv/rvm".into(),
            vars: vec![("RVM_SYSTEM_DIR".into(), "/etc/rvm=x".into())],
            interactive: true,
        }
    }

    #[test]
    fn a_request_round_trips_byte_for_byte() {
        let r = sample();
        assert_eq!(Request::decode(&r.encode()).unwrap(), r);
        assert_eq!(
            sample().var("RVM_SYSTEM_DIR").unwrap(),
            &OsString::from("/etc/rvm=x")
        );
    }

    #[test]
    fn the_encoding_is_pinned() {
        let r = Request {
            argv: vec!["rvm".into()],
            cwd: "/".into(),
            vars: vec![],
            interactive: false,
        };
        assert_eq!(
            r.encode(),
            [0, 0, 0, 1, 1, 0, 0, 0, 3, b'r', b'v', b'm', 2, 0, 0, 0, 1, b'/', 4, 0, 0, 0, 1, 0]
        );
        assert_eq!(
            frame(Kind::Exit, &exit_payload(5)),
            [b'X', 0, 0, 0, 4, 0, 0, 0, 5]
        );
    }

    #[test]
    fn damaged_requests_are_refused() {
        let good = sample().encode();
        for cut in 0..good.len() {
            // Every strict prefix is truncated or lacks the command; none decodes to a
            // different request.
            if let Ok(r) = Request::decode(&good[..cut]) {
                assert_ne!(r, sample());
            }
        }
        let mut v2 = good.clone();
        v2[3] = 2;
        assert_eq!(Request::decode(&v2), Err(WireError::Version(2)));
        let mut unknown = good.clone();
        unknown.extend_from_slice(&[9, 0, 0, 0, 0]);
        assert_eq!(Request::decode(&unknown), Err(WireError::UnknownField(9)));
        let no_args = Request {
            argv: vec![],
            ..sample()
        };
        assert_eq!(
            Request::decode(&no_args.encode()),
            Err(WireError::NoCommand)
        );
        let mut huge = good;
        huge[5..9].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(Request::decode(&huge), Err(WireError::Truncated("field")));
    }

    #[test]
    fn headers_are_checked_before_any_allocation() {
        assert_eq!(header(&[b'O', 0, 0, 0, 7]), Ok((Kind::Stdout, 7)));
        assert_eq!(
            header(&[b'Z', 0, 0, 0, 0]),
            Err(WireError::UnknownKind(b'Z'))
        );
        assert_eq!(
            header(&[b'R', 0xff, 0xff, 0xff, 0xff]),
            Err(WireError::TooLarge(u32::MAX as usize))
        );
        assert_eq!(exit_code(&[0, 0, 0]), Err(WireError::BadExit));
        assert_eq!(exit_code(&exit_payload(-1)), Ok(-1));
    }
}
