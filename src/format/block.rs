//! The header every rvm metadata block starts with: magic, checksum, version, kind, its own
//! location, a sequence number, its length and the three feature classes.
//!
//! A block that names its own location and kind cannot be mistaken for another one that
//! happens to hold valid bytes (a slot copied to the wrong place, a label read from the wrong
//! end), and the checksum is salted by kind for the same reason.

use super::codec::{DecodeError, Reader, Writer};
use super::features::Features;

/// Bytes of the common header; the kind-specific body follows it.
pub const HEADER_LEN: usize = 64;

/// Byte offset of the checksum field; the checksum covers everything after it.
const CRC_AT: usize = 8;
/// Byte offset of the total-length field.
const LEN_AT: usize = 32;

/// The format version this rvm writes and reads.
pub const VERSION: u16 = 1;

/// What a block is; each kind has its own magic and checksum salt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockKind {
    pub code: u16,
    pub magic: [u8; 8],
    pub salt: u32,
}

/// A PV label (head and tail copies).
pub const PV_LABEL: BlockKind = BlockKind {
    code: 1,
    magic: *b"RVMLABEL",
    salt: 0x4c41_4245,
};

/// A VG metadata record in a metadata-area slot.
pub const VG_RECORD: BlockKind = BlockKind {
    code: 2,
    magic: *b"RVMVGREC",
    salt: 0x5647_5245,
};

/// The decoded common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub version: u16,
    pub kind: u16,
    pub self_offset: u64,
    pub seqno: u64,
    /// Header plus body, the bytes the checksum covers (after the checksum field).
    pub total_len: u32,
    pub features: Features,
}

/// CRC-32 of `bytes`, salted so that a block of one kind never verifies as another.
pub fn checksum(kind: BlockKind, bytes: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(kind.salt);
    h.update(bytes);
    h.finalize()
}

/// Frames `body` as a block of `kind` at `self_offset`.
pub fn encode(
    kind: BlockKind,
    self_offset: u64,
    seqno: u64,
    features: Features,
    body: &[u8],
) -> Vec<u8> {
    let mut w = Writer::with_capacity(HEADER_LEN + body.len());
    w.bytes(&kind.magic);
    w.u32(0); // checksum, patched below
    w.u16(VERSION);
    w.u16(kind.code);
    w.u64(self_offset);
    w.u64(seqno);
    w.u32(0); // total length, patched below
    w.u32(0); // reserved
    w.u64(features.incompat);
    w.u64(features.ro_compat);
    w.u64(features.compat);
    w.bytes(body);
    let total = w.len();
    w.patch_u32(LEN_AT, total as u32);
    let crc = checksum(kind, &w.as_slice()[CRC_AT + 4..]);
    w.patch_u32(CRC_AT, crc);
    w.into_vec()
}

/// Reads only the length a block claims, so a caller can fetch the rest of a long record.
/// Returns `None` when the bytes do not start with `kind`'s magic.
pub fn peek_len(kind: BlockKind, bytes: &[u8]) -> Option<usize> {
    if bytes.len() < HEADER_LEN || bytes[..8] != kind.magic {
        return None;
    }
    let mut r = Reader::new(&bytes[LEN_AT..LEN_AT + 4]);
    r.u32().ok().map(|n| n as usize)
}

/// Verifies and opens a block of `kind` read from byte `actual_offset`; returns its header
/// and body. Unknown incompatible features are an error; read-only-compatible ones are
/// left for the caller to honour.
pub fn decode(
    kind: BlockKind,
    bytes: &[u8],
    actual_offset: u64,
) -> Result<(Header, &[u8]), DecodeError> {
    let mut r = Reader::new(bytes);
    if r.take(8)? != kind.magic {
        return Err(DecodeError::BadMagic);
    }
    let stored = r.u32()?;
    let version = r.u16()?;
    let code = r.u16()?;
    let self_offset = r.u64()?;
    let seqno = r.u64()?;
    let total_len = r.u32()?;
    let _reserved = r.u32()?;
    let features = Features {
        incompat: r.u64()?,
        ro_compat: r.u64()?,
        compat: r.u64()?,
    };
    let total = total_len as usize;
    if total < HEADER_LEN || total > bytes.len() {
        return Err(DecodeError::Range {
            field: "block length",
            value: total_len as u64,
        });
    }
    let computed = checksum(kind, &bytes[CRC_AT + 4..total]);
    if computed != stored {
        return Err(DecodeError::BadChecksum { stored, computed });
    }
    if version != VERSION {
        return Err(DecodeError::Version(version));
    }
    if code != kind.code {
        return Err(DecodeError::Kind {
            expected: kind.code,
            found: code,
        });
    }
    if self_offset != actual_offset {
        return Err(DecodeError::Misplaced {
            claimed: self_offset,
            actual: actual_offset,
        });
    }
    features.check_incompat()?;
    let header = Header {
        version,
        kind: code,
        self_offset,
        seqno,
        total_len,
        features,
    };
    Ok((header, &bytes[HEADER_LEN..total]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let b = encode(VG_RECORD, 4096, 7, Features::default(), b"body");
        assert_eq!(peek_len(VG_RECORD, &b), Some(HEADER_LEN + 4));
        let (h, body) = decode(VG_RECORD, &b, 4096).unwrap();
        assert_eq!(h.seqno, 7);
        assert_eq!(body, b"body");
    }

    #[test]
    fn every_corruption_is_caught() {
        let b = encode(VG_RECORD, 4096, 7, Features::default(), b"body");
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x20;
            assert!(decode(VG_RECORD, &bad, 4096).is_err(), "flip at {i}");
        }
        assert!(matches!(
            decode(VG_RECORD, &b, 8192),
            Err(DecodeError::Misplaced { .. })
        ));
        // Same bytes, other kind: the magic differs, and so would the salt.
        assert!(decode(PV_LABEL, &b, 4096).is_err());
        assert_ne!(checksum(PV_LABEL, b"x"), checksum(VG_RECORD, b"x"));
    }

    #[test]
    fn unknown_incompat_features_refuse_to_open() {
        let f = Features {
            incompat: 1 << 40,
            ..Features::default()
        };
        let b = encode(VG_RECORD, 0, 1, f, b"");
        assert_eq!(
            decode(VG_RECORD, &b, 0),
            Err(DecodeError::IncompatFeatures(1 << 40))
        );
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let b = encode(PV_LABEL, 0, 1, Features::default(), &[9; 100]);
        for n in 0..b.len() {
            assert!(decode(PV_LABEL, &b[..n], 0).is_err());
        }
    }
}
