//! NBD wire constants and codecs: pure functions over bytes, big-endian through typed helpers.
//!
//! Values follow the NBD protocol document of the NetworkBlockDevice project.

/// `NBDMAGIC`, the first eight bytes a server sends.
pub const NBDMAGIC: u64 = 0x4e42_444d_4147_4943;
/// `IHAVEOPT`, the newstyle magic; also prefixes every client option.
pub const IHAVEOPT: u64 = 0x4948_4156_454f_5054;
/// Prefixes every option reply.
pub const OPTION_REPLY_MAGIC: u64 = 0x0003_e889_0455_65a9;
/// Prefixes every transmission request.
pub const REQUEST_MAGIC: u32 = 0x2560_9513;
/// Prefixes a simple reply.
pub const SIMPLE_REPLY_MAGIC: u32 = 0x6744_6698;
/// Prefixes a structured reply chunk.
pub const STRUCTURED_REPLY_MAGIC: u32 = 0x668e_33ef;

/// Handshake flags the server sends.
pub const FLAG_FIXED_NEWSTYLE: u16 = 1 << 0;
pub const FLAG_NO_ZEROES: u16 = 1 << 1;
/// Client flags.
pub const FLAG_C_FIXED_NEWSTYLE: u32 = 1 << 0;
pub const FLAG_C_NO_ZEROES: u32 = 1 << 1;

/// Transmission flags.
pub const FLAG_HAS_FLAGS: u16 = 1 << 0;
pub const FLAG_READ_ONLY: u16 = 1 << 1;
pub const FLAG_SEND_FLUSH: u16 = 1 << 2;
pub const FLAG_SEND_FUA: u16 = 1 << 3;
pub const FLAG_SEND_TRIM: u16 = 1 << 5;
pub const FLAG_SEND_WRITE_ZEROES: u16 = 1 << 6;
pub const FLAG_SEND_DF: u16 = 1 << 7;
pub const FLAG_CAN_MULTI_CONN: u16 = 1 << 8;
pub const FLAG_SEND_CACHE: u16 = 1 << 10;
pub const FLAG_SEND_FAST_ZERO: u16 = 1 << 11;

/// Options.
pub const OPT_EXPORT_NAME: u32 = 1;
pub const OPT_ABORT: u32 = 2;
pub const OPT_LIST: u32 = 3;
pub const OPT_STARTTLS: u32 = 5;
pub const OPT_INFO: u32 = 6;
pub const OPT_GO: u32 = 7;
pub const OPT_STRUCTURED_REPLY: u32 = 8;
pub const OPT_LIST_META_CONTEXT: u32 = 9;
pub const OPT_SET_META_CONTEXT: u32 = 10;

/// Option reply types.
pub const REP_ACK: u32 = 1;
pub const REP_SERVER: u32 = 2;
pub const REP_INFO: u32 = 3;
pub const REP_META_CONTEXT: u32 = 4;
pub const REP_ERR_UNSUP: u32 = (1 << 31) + 1;
pub const REP_ERR_POLICY: u32 = (1 << 31) + 2;
pub const REP_ERR_INVALID: u32 = (1 << 31) + 3;
pub const REP_ERR_UNKNOWN: u32 = (1 << 31) + 6;
pub const REP_ERR_SHUTDOWN: u32 = (1 << 31) + 7;
pub const REP_ERR_TOO_BIG: u32 = (1 << 31) + 9;

/// NBD_INFO types in NBD_REP_INFO replies.
pub const INFO_EXPORT: u16 = 0;
pub const INFO_NAME: u16 = 1;
pub const INFO_DESCRIPTION: u16 = 2;
pub const INFO_BLOCK_SIZE: u16 = 3;

/// Commands.
pub const CMD_READ: u16 = 0;
pub const CMD_WRITE: u16 = 1;
pub const CMD_DISC: u16 = 2;
pub const CMD_FLUSH: u16 = 3;
pub const CMD_TRIM: u16 = 4;
pub const CMD_CACHE: u16 = 5;
pub const CMD_WRITE_ZEROES: u16 = 6;
pub const CMD_BLOCK_STATUS: u16 = 7;

/// Command flags.
pub const CMD_FLAG_FUA: u16 = 1 << 0;
pub const CMD_FLAG_NO_HOLE: u16 = 1 << 1;
pub const CMD_FLAG_DF: u16 = 1 << 2;
pub const CMD_FLAG_REQ_ONE: u16 = 1 << 3;
pub const CMD_FLAG_FAST_ZERO: u16 = 1 << 4;

/// Structured reply flags and chunk types.
pub const REPLY_FLAG_DONE: u16 = 1 << 0;
pub const REPLY_TYPE_NONE: u16 = 0;
pub const REPLY_TYPE_OFFSET_DATA: u16 = 1;
pub const REPLY_TYPE_OFFSET_HOLE: u16 = 2;
pub const REPLY_TYPE_BLOCK_STATUS: u16 = 5;
pub const REPLY_TYPE_ERROR: u16 = (1 << 15) + 1;
pub const REPLY_TYPE_ERROR_OFFSET: u16 = (1 << 15) + 2;

/// `base:allocation` status flags.
pub const STATE_HOLE: u32 = 1 << 0;
pub const STATE_ZERO: u32 = 1 << 1;

/// The only metadata context rvm serves.
pub const BASE_ALLOCATION: &str = "base:allocation";

/// Error values the protocol allows on the wire (Linux errno numbers).
pub const EPERM: u32 = 1;
pub const EIO: u32 = 5;
pub const EINVAL: u32 = 22;
pub const ENOSPC: u32 = 28;
pub const EOVERFLOW: u32 = 75;
pub const ENOTSUP: u32 = 95;
pub const ESHUTDOWN: u32 = 108;

/// Size of a request header on the wire.
pub const REQUEST_LEN: usize = 28;
/// Size of a simple reply header.
pub const SIMPLE_REPLY_LEN: usize = 16;
/// Size of a structured reply chunk header.
pub const CHUNK_HEADER_LEN: usize = 20;
/// Size of an option header (magic, option, length).
pub const OPTION_HEADER_LEN: usize = 16;
/// Longest string (export name, query, message) the protocol allows.
pub const MAX_STRING: usize = 4096;

/// Maps any errno to one the protocol defines, so clients never see a value they cannot
/// interpret.
pub fn wire_errno(errno: i32) -> u32 {
    match u32::try_from(errno) {
        Ok(e @ (EPERM | EIO | EINVAL | ENOSPC | EOVERFLOW | ENOTSUP | ESHUTDOWN)) => e,
        Ok(12) => EIO, // ENOMEM: the protocol asks servers not to report it
        _ => EIO,
    }
}

/// An output buffer that big-endian fields are appended to.
pub trait PutBe {
    fn put_bytes(&mut self, bytes: &[u8]);

    fn put_u16(&mut self, v: u16) {
        self.put_bytes(&v.to_be_bytes());
    }
    fn put_u32(&mut self, v: u32) {
        self.put_bytes(&v.to_be_bytes());
    }
    fn put_u64(&mut self, v: u64) {
        self.put_bytes(&v.to_be_bytes());
    }
}

impl PutBe for Vec<u8> {
    fn put_bytes(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Reads big-endian fields from the front of a slice, failing instead of panicking when the
/// slice is short.
#[derive(Debug)]
pub struct BeReader<'a> {
    rest: &'a [u8],
}

impl<'a> BeReader<'a> {
    pub fn new(bytes: &'a [u8]) -> BeReader<'a> {
        BeReader { rest: bytes }
    }

    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.bytes(N).and_then(|b| b.try_into().ok())
    }

    pub fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }

    pub fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_be_bytes)
    }

    /// A length-prefixed (u32) string, bounded by [`MAX_STRING`].
    pub fn string(&mut self) -> Option<&'a str> {
        let len = self.u32()? as usize;
        if len > MAX_STRING {
            return None;
        }
        std::str::from_utf8(self.bytes(len)?).ok()
    }
}

/// A transmission-phase request header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestHeader {
    pub flags: u16,
    pub command: u16,
    pub handle: u64,
    pub offset: u64,
    pub len: u32,
}

impl RequestHeader {
    /// Decodes a header; `None` when the magic is wrong, which desynchronises the stream for
    /// good and so ends the connection.
    pub fn decode(bytes: &[u8; REQUEST_LEN]) -> Option<RequestHeader> {
        let mut r = BeReader::new(bytes);
        if r.u32()? != REQUEST_MAGIC {
            return None;
        }
        Some(RequestHeader {
            flags: r.u16()?,
            command: r.u16()?,
            handle: r.u64()?,
            offset: r.u64()?,
            len: r.u32()?,
        })
    }

    /// Encodes a header, for clients in tests and tools.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.put_u32(REQUEST_MAGIC);
        out.put_u16(self.flags);
        out.put_u16(self.command);
        out.put_u64(self.handle);
        out.put_u64(self.offset);
        out.put_u32(self.len);
    }
}

/// Appends a simple reply header.
pub fn put_simple_reply(out: &mut impl PutBe, error: u32, handle: u64) {
    out.put_u32(SIMPLE_REPLY_MAGIC);
    out.put_u32(error);
    out.put_u64(handle);
}

/// Appends a structured reply chunk header; the payload of `len` bytes follows.
pub fn put_chunk_header(out: &mut impl PutBe, flags: u16, kind: u16, handle: u64, len: u32) {
    out.put_u32(STRUCTURED_REPLY_MAGIC);
    out.put_u16(flags);
    out.put_u16(kind);
    out.put_u64(handle);
    out.put_u32(len);
}

/// Appends a final error chunk carrying a human-readable message.
pub fn put_error_chunk(
    out: &mut impl PutBe,
    handle: u64,
    error: u32,
    message: &str,
    at: Option<u64>,
) {
    let msg = truncate_utf8(message, 1024);
    let tail = if at.is_some() { 8 } else { 0 };
    let kind = if at.is_some() {
        REPLY_TYPE_ERROR_OFFSET
    } else {
        REPLY_TYPE_ERROR
    };
    put_chunk_header(
        out,
        REPLY_FLAG_DONE,
        kind,
        handle,
        (6 + msg.len() + tail) as u32,
    );
    out.put_u32(error);
    out.put_u16(msg.len() as u16);
    out.put_bytes(msg.as_bytes());
    if let Some(offset) = at {
        out.put_u64(offset);
    }
}

/// Appends an option reply.
pub fn put_option_reply(out: &mut Vec<u8>, option: u32, kind: u32, data: &[u8]) {
    out.put_u64(OPTION_REPLY_MAGIC);
    out.put_u32(option);
    out.put_u32(kind);
    out.put_u32(data.len() as u32);
    out.extend_from_slice(data);
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_header_round_trips_and_rejects_bad_magic() {
        let h = RequestHeader {
            flags: CMD_FLAG_FUA,
            command: CMD_WRITE,
            handle: 0x0102_0304_0506_0708,
            offset: 1 << 40,
            len: 4096,
        };
        let mut out = Vec::new();
        h.encode(&mut out);
        assert_eq!(out.len(), REQUEST_LEN);
        assert_eq!(&out[..4], &[0x25, 0x60, 0x95, 0x13]);
        let bytes: [u8; REQUEST_LEN] = out.clone().try_into().unwrap();
        assert_eq!(RequestHeader::decode(&bytes), Some(h));
        let mut bad = bytes;
        bad[0] ^= 1;
        assert_eq!(RequestHeader::decode(&bad), None);
    }

    #[test]
    fn reader_fails_on_short_input_and_long_strings() {
        let mut r = BeReader::new(&[0, 0, 0, 5, b'a']);
        assert_eq!(r.string(), None);
        let mut r = BeReader::new(&[0, 1]);
        assert_eq!(r.u32(), None);
        let mut long = Vec::new();
        long.put_u32(MAX_STRING as u32 + 1);
        long.resize(long.len() + MAX_STRING + 1, b'x');
        assert_eq!(BeReader::new(&long).string(), None);
    }

    #[test]
    fn error_chunk_has_the_documented_layout() {
        let mut out = Vec::new();
        put_error_chunk(&mut out, 7, EINVAL, "bad", Some(512));
        assert_eq!(out.len(), CHUNK_HEADER_LEN + 6 + 3 + 8);
        let mut r = BeReader::new(&out);
        assert_eq!(r.u32(), Some(STRUCTURED_REPLY_MAGIC));
        assert_eq!(r.u16(), Some(REPLY_FLAG_DONE));
        assert_eq!(r.u16(), Some(REPLY_TYPE_ERROR_OFFSET));
        assert_eq!(r.u64(), Some(7));
        assert_eq!(r.u32(), Some(17));
        assert_eq!(r.u32(), Some(EINVAL));
        assert_eq!(r.u16(), Some(3));
    }

    #[test]
    fn errnos_outside_the_protocol_become_eio() {
        assert_eq!(wire_errno(libc::EPERM), EPERM);
        assert_eq!(wire_errno(libc::ENOTSUP), ENOTSUP);
        assert_eq!(wire_errno(libc::EBADF), EIO);
        assert_eq!(wire_errno(-3), EIO);
    }

    #[test]
    fn truncation_keeps_utf8_whole() {
        assert_eq!(truncate_utf8("héllo", 2), "h");
        assert_eq!(truncate_utf8("abc", 10), "abc");
    }
}
