//! iSCSI PDUs (RFC 7143 §11): the 48-byte Basic Header Segment with big-endian typed field
//! access, the framing of AHS, data segment, padding and CRC32C digests, and builders for every
//! PDU the target sends.
//!
//! Parsing never allocates from a length the peer chose: [`Framing::frame`] checks the data
//! segment length against our MaxRecvDataSegmentLength before anything is buffered for it.

use std::fmt;

/// Length of the Basic Header Segment.
pub const BHS_LEN: usize = 48;
/// Length of a header or data digest.
pub const DIGEST_LEN: usize = 4;
/// The reserved tag value (ITT/TTT 0xffffffff): "no task" / "no response wanted".
pub const RESERVED_TAG: u32 = 0xffff_ffff;
/// Largest data segment length the 24-bit field can express.
pub const MAX_DATA_SEGMENT: u32 = (1 << 24) - 1;

/// PDU opcodes (RFC 7143 §11.2.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Opcode {
    NopOut = 0x00,
    ScsiCommand = 0x01,
    TaskMgmt = 0x02,
    Login = 0x03,
    Text = 0x04,
    DataOut = 0x05,
    Logout = 0x06,
    Snack = 0x10,
    NopIn = 0x20,
    ScsiResponse = 0x21,
    TaskMgmtResponse = 0x22,
    LoginResponse = 0x23,
    TextResponse = 0x24,
    DataIn = 0x25,
    LogoutResponse = 0x26,
    R2t = 0x31,
    AsyncMessage = 0x32,
    Reject = 0x3f,
}

/// The initiator opcodes a target accepts, as a table.
const INITIATOR_OPCODES: [Opcode; 8] = [
    Opcode::NopOut,
    Opcode::ScsiCommand,
    Opcode::TaskMgmt,
    Opcode::Login,
    Opcode::Text,
    Opcode::DataOut,
    Opcode::Logout,
    Opcode::Snack,
];

/// Why a byte stream is not a valid PDU; each is answered with a Reject or a dropped
/// connection by the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PduError {
    #[error("opcode {0:#04x} is not an initiator opcode")]
    UnknownOpcode(u8),
    #[error("data segment of {len} bytes exceeds MaxRecvDataSegmentLength {max}")]
    DataTooLong { len: u32, max: u32 },
    #[error("header digest mismatch")]
    HeaderDigest,
    #[error("data digest mismatch")]
    DataDigest,
    #[error("{0}")]
    Field(&'static str),
}

/// Big-endian typed access to a fixed-size header; every wire field goes through these.
pub trait BigEndian {
    fn bytes(&self) -> &[u8];
    fn bytes_mut(&mut self) -> &mut [u8];

    fn get_u16(&self, at: usize) -> u16 {
        let b = self.bytes();
        u16::from_be_bytes([b[at], b[at + 1]])
    }
    fn get_u24(&self, at: usize) -> u32 {
        let b = self.bytes();
        u32::from_be_bytes([0, b[at], b[at + 1], b[at + 2]])
    }
    fn get_u32(&self, at: usize) -> u32 {
        let b = self.bytes();
        u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }
    fn get_u48(&self, at: usize) -> u64 {
        let b = self.bytes();
        let mut v = [0u8; 8];
        v[2..].copy_from_slice(&b[at..at + 6]);
        u64::from_be_bytes(v)
    }
    fn get_u64(&self, at: usize) -> u64 {
        let mut v = [0u8; 8];
        v.copy_from_slice(&self.bytes()[at..at + 8]);
        u64::from_be_bytes(v)
    }
    fn put_u16(&mut self, at: usize, v: u16) {
        self.bytes_mut()[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }
    fn put_u24(&mut self, at: usize, v: u32) {
        self.bytes_mut()[at..at + 3].copy_from_slice(&v.to_be_bytes()[1..]);
    }
    fn put_u32(&mut self, at: usize, v: u32) {
        self.bytes_mut()[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }
    fn put_u48(&mut self, at: usize, v: u64) {
        self.bytes_mut()[at..at + 6].copy_from_slice(&v.to_be_bytes()[2..]);
    }
    fn put_u64(&mut self, at: usize, v: u64) {
        self.bytes_mut()[at..at + 8].copy_from_slice(&v.to_be_bytes());
    }
}

/// A Basic Header Segment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Bhs(pub [u8; BHS_LEN]);

impl BigEndian for Bhs {
    fn bytes(&self) -> &[u8] {
        &self.0
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl fmt::Debug for Bhs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Bhs(op={:#04x} itt={:#x})",
            self.opcode_byte(),
            self.itt()
        )
    }
}

impl Default for Bhs {
    fn default() -> Self {
        Bhs([0; BHS_LEN])
    }
}

impl Bhs {
    /// A header for a target PDU with the final bit set, as most are.
    pub fn new(op: Opcode) -> Bhs {
        let mut b = Bhs::default();
        b.0[0] = op as u8;
        b.0[1] = 0x80;
        b
    }

    pub fn from_slice(s: &[u8]) -> Option<Bhs> {
        let arr: [u8; BHS_LEN] = s.get(..BHS_LEN)?.try_into().ok()?;
        Some(Bhs(arr))
    }

    pub fn opcode_byte(&self) -> u8 {
        self.0[0] & 0x3f
    }

    pub fn opcode(&self) -> Result<Opcode, PduError> {
        let op = self.opcode_byte();
        INITIATOR_OPCODES
            .iter()
            .copied()
            .find(|o| *o as u8 == op)
            .ok_or(PduError::UnknownOpcode(op))
    }

    /// The I bit: immediate delivery.
    pub fn immediate(&self) -> bool {
        self.0[0] & 0x40 != 0
    }

    pub fn flags(&self) -> u8 {
        self.0[1]
    }

    pub fn set_flags(&mut self, f: u8) {
        self.0[1] = f;
    }

    /// The F bit of most PDUs.
    pub fn final_bit(&self) -> bool {
        self.0[1] & 0x80 != 0
    }

    pub fn total_ahs_len(&self) -> usize {
        self.0[4] as usize * 4
    }

    pub fn data_len(&self) -> u32 {
        self.get_u24(5)
    }

    pub fn set_data_len(&mut self, n: u32) {
        self.put_u24(5, n);
    }

    pub fn lun_field(&self) -> u64 {
        self.get_u64(8)
    }

    pub fn set_lun_field(&mut self, lun: u64) {
        self.put_u64(8, lun);
    }

    pub fn itt(&self) -> u32 {
        self.get_u32(16)
    }

    pub fn set_itt(&mut self, itt: u32) {
        self.put_u32(16, itt);
    }

    /// Target Transfer Tag (NOP, Data-Out, Text, R2T) or referenced task tag (TMF).
    pub fn ttt(&self) -> u32 {
        self.get_u32(20)
    }

    pub fn set_ttt(&mut self, ttt: u32) {
        self.put_u32(20, ttt);
    }

    /// CmdSN in requests.
    pub fn cmd_sn(&self) -> u32 {
        self.get_u32(24)
    }

    /// ExpStatSN in requests.
    pub fn exp_stat_sn(&self) -> u32 {
        self.get_u32(28)
    }

    /// Stamps the sequence numbers every target PDU carries at 24/28/32.
    pub fn stamp(&mut self, stat_sn: u32, exp_cmd_sn: u32, max_cmd_sn: u32) {
        self.put_u32(24, stat_sn);
        self.put_u32(28, exp_cmd_sn);
        self.put_u32(32, max_cmd_sn);
    }
}

/// Number of pad bytes after a data segment of `len` bytes.
pub fn pad_len(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// The CRC32C digest of a byte run, as placed on the wire (least significant byte first,
/// RFC 7143 §13.1 and what every initiator sends).
pub fn digest(parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
    let crc = parts.iter().fold(0u32, |c, p| crc32c::crc32c_append(c, p));
    crc.to_le_bytes()
}

/// What the negotiated parameters say about framing incoming PDUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    pub header_digest: bool,
    pub data_digest: bool,
    /// Our MaxRecvDataSegmentLength: a larger data segment is a protocol error.
    pub max_recv_data: u32,
}

impl Default for Framing {
    /// Login framing: no digests, the RFC's 8192 default.
    fn default() -> Self {
        Framing {
            header_digest: false,
            data_digest: false,
            max_recv_data: 8192,
        }
    }
}

/// One incoming PDU borrowed from the receive buffer.
#[derive(Debug, Clone, Copy)]
pub struct InPdu<'a> {
    pub bhs: Bhs,
    pub ahs: &'a [u8],
    pub data: &'a [u8],
}

impl Framing {
    /// Length of the header part (BHS, AHS, header digest) once the BHS is known.
    pub fn header_len(&self, bhs: &Bhs) -> usize {
        BHS_LEN + bhs.total_ahs_len() + if self.header_digest { DIGEST_LEN } else { 0 }
    }

    /// Total wire length of the PDU whose BHS starts `buf`, or `None` when fewer than
    /// `BHS_LEN` bytes are present. The data length is checked against our limit first.
    pub fn wire_len(&self, buf: &[u8]) -> Result<Option<usize>, PduError> {
        let Some(bhs) = Bhs::from_slice(buf) else {
            return Ok(None);
        };
        if self.header_digest && buf.len() >= self.header_len(&bhs) {
            self.check_header_digest(&bhs, buf)?;
        }
        let dlen = bhs.data_len();
        if dlen > self.max_recv_data {
            return Err(PduError::DataTooLong {
                len: dlen,
                max: self.max_recv_data,
            });
        }
        let d = dlen as usize;
        let data_part = if d == 0 {
            0
        } else {
            d + pad_len(d) + if self.data_digest { DIGEST_LEN } else { 0 }
        };
        Ok(Some(self.header_len(&bhs) + data_part))
    }

    fn check_header_digest(&self, bhs: &Bhs, buf: &[u8]) -> Result<(), PduError> {
        let hl = BHS_LEN + bhs.total_ahs_len();
        let got = &buf[hl..hl + DIGEST_LEN];
        if digest(&[&buf[..hl]]) != got {
            return Err(PduError::HeaderDigest);
        }
        Ok(())
    }

    /// Splits one complete PDU (exactly `wire_len` bytes) into its parts, verifying digests.
    pub fn split<'a>(&self, buf: &'a [u8]) -> Result<InPdu<'a>, PduError> {
        let bhs = Bhs::from_slice(buf).ok_or(PduError::Field("short header"))?;
        let ahs_end = BHS_LEN + bhs.total_ahs_len();
        let hl = self.header_len(&bhs);
        if buf.len() < hl {
            return Err(PduError::Field("short header"));
        }
        if self.header_digest {
            self.check_header_digest(&bhs, buf)?;
        }
        let d = bhs.data_len() as usize;
        let data = buf
            .get(hl..hl + d)
            .ok_or(PduError::Field("short data segment"))?;
        if self.data_digest && d > 0 {
            let padded = d + pad_len(d);
            let at = hl + padded;
            let got = buf
                .get(at..at + DIGEST_LEN)
                .ok_or(PduError::Field("short data segment"))?;
            if digest(&[&buf[hl..at]]) != got {
                return Err(PduError::DataDigest);
            }
        }
        Ok(InPdu {
            bhs,
            ahs: &buf[BHS_LEN..ahs_end],
            data,
        })
    }
}

/// Serial number arithmetic (RFC 1982) for 32-bit CmdSN/StatSN: `a < b`.
pub fn sn_lt(a: u32, b: u32) -> bool {
    a != b && b.wrapping_sub(a) < 1 << 31
}

/// `a <= b` in serial number arithmetic.
pub fn sn_le(a: u32, b: u32) -> bool {
    a == b || sn_lt(a, b)
}

/// Reject reasons (RFC 7143 §11.17.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RejectReason {
    DataDigest = 0x02,
    SnackReject = 0x03,
    ProtocolError = 0x04,
    CommandNotSupported = 0x05,
    ImmediateCommandReject = 0x06,
    TaskInProgress = 0x07,
    InvalidPduField = 0x09,
    OutOfResources = 0x0a,
    WaitingForLogout = 0x0c,
}

/// A Reject PDU header carrying the offending header as its data (built by the caller).
pub fn reject(reason: RejectReason) -> Bhs {
    let mut b = Bhs::new(Opcode::Reject);
    b.0[2] = reason as u8;
    b.set_itt(RESERVED_TAG);
    b.set_data_len(BHS_LEN as u32);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdu_with_data(data: &[u8], framing: Framing) -> Vec<u8> {
        let mut b = Bhs::default();
        b.0[0] = Opcode::NopOut as u8 | 0x40;
        b.set_data_len(data.len() as u32);
        let mut v = b.0.to_vec();
        if framing.header_digest {
            v.extend_from_slice(&digest(&[&b.0]));
        }
        let start = v.len();
        v.extend_from_slice(data);
        v.resize(v.len() + pad_len(data.len()), 0);
        if framing.data_digest {
            let d = digest(&[&v[start..]]);
            v.extend_from_slice(&d);
        }
        v
    }

    #[test]
    fn fields_are_big_endian() {
        let mut b = Bhs::default();
        b.set_data_len(0x01_0203);
        b.put_u48(8, 0x0102_0304_0506);
        b.set_itt(0xdead_beef);
        assert_eq!(&b.0[5..8], &[1, 2, 3]);
        assert_eq!(&b.0[8..14], &[1, 2, 3, 4, 5, 6]);
        assert_eq!(&b.0[16..20], &[0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(b.get_u48(8), 0x0102_0304_0506);
        assert_eq!(b.data_len(), 0x01_0203);
    }

    #[test]
    fn crc32c_matches_the_rfc_3720_example() {
        // RFC 3720 B.4: 32 bytes of zeros give aa 36 91 8a on the wire.
        assert_eq!(digest(&[&[0u8; 32]]), [0xaa, 0x36, 0x91, 0x8a]);
        assert_eq!(digest(&[&[0u8; 16], &[0u8; 16]]), [0xaa, 0x36, 0x91, 0x8a]);
    }

    #[test]
    fn framing_with_digests_round_trips() {
        let f = Framing {
            header_digest: true,
            data_digest: true,
            max_recv_data: 8192,
        };
        let v = pdu_with_data(b"hello", f);
        assert_eq!(f.wire_len(&v).unwrap(), Some(v.len()));
        let p = f.split(&v).unwrap();
        assert_eq!(p.data, b"hello");
        let mut bad = v.clone();
        bad[20] ^= 1;
        assert_eq!(f.wire_len(&bad), Err(PduError::HeaderDigest));
        let mut bad = v.clone();
        bad[BHS_LEN + 4] ^= 1;
        assert_eq!(f.split(&bad).unwrap_err(), PduError::DataDigest);
    }

    #[test]
    fn oversized_data_segment_is_refused_before_buffering() {
        let f = Framing::default();
        let mut b = Bhs::default();
        b.set_data_len(MAX_DATA_SEGMENT);
        assert!(matches!(
            f.wire_len(&b.0),
            Err(PduError::DataTooLong { .. })
        ));
        assert_eq!(f.wire_len(&b.0[..47]), Ok(None));
    }

    #[test]
    fn unknown_opcodes_are_named() {
        let mut b = Bhs::default();
        b.0[0] = 0x1c;
        assert_eq!(b.opcode(), Err(PduError::UnknownOpcode(0x1c)));
        b.0[0] = 0x45;
        assert_eq!(b.opcode(), Ok(Opcode::DataOut));
        assert!(b.immediate());
    }

    #[test]
    fn serial_arithmetic_wraps() {
        assert!(sn_lt(u32::MAX, 0));
        assert!(sn_lt(5, 6));
        assert!(!sn_lt(6, 5));
        assert!(sn_le(7, 7));
    }
}
