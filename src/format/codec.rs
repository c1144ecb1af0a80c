//! Typed little-endian readers and writers for on-disk records.
//!
//! Every on-disk integer goes through these helpers, so the byte order is decided in one
//! place and every read is bounds-checked: decoding hostile bytes returns an error, never
//! panics.

use super::id::Id;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("record truncated: needed {needed} bytes at offset {at}, only {len} present")]
    Truncated {
        at: usize,
        needed: usize,
        len: usize,
    },
    #[error("bad magic")]
    BadMagic,
    #[error("checksum mismatch (stored {stored:#010x}, computed {computed:#010x})")]
    BadChecksum { stored: u32, computed: u32 },
    #[error("unsupported format version {0}")]
    Version(u16),
    #[error("block kind {found} where {expected} was expected")]
    Kind { expected: u16, found: u16 },
    #[error("block claims to live at byte {claimed} but was read from byte {actual}")]
    Misplaced { claimed: u64, actual: u64 },
    #[error("{field} is out of range ({value})")]
    Range { field: &'static str, value: u64 },
    #[error("{0} is not valid UTF-8")]
    Utf8(&'static str),
    #[error("bad identifier in {0}")]
    BadId(&'static str),
    #[error(
        "unknown incompatible features ({}): this rvm is too old to open it",
        super::features::describe(*.0)
    )]
    IncompatFeatures(u64),
}

/// Appends little-endian fields to a buffer.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub fn with_capacity(n: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(n),
        }
    }
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    pub fn id(&mut self, id: &Id) {
        self.buf.extend_from_slice(id.as_bytes());
    }
    /// A string as a u16 byte length and its UTF-8 bytes; longer strings are cut at a
    /// character boundary (names are validated far below this limit before they get here).
    pub fn str(&mut self, s: &str) {
        let mut end = s.len().min(u16::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.u16(end as u16);
        self.bytes(&s.as_bytes()[..end]);
    }
    /// A list of strings: a u16 count, then each string.
    pub fn strs(&mut self, list: &[String]) {
        let n = list.len().min(u16::MAX as usize);
        self.u16(n as u16);
        for s in &list[..n] {
            self.str(s);
        }
    }
    /// Overwrites a u32 already written at `at` (used for checksums and lengths).
    pub fn patch_u32(&mut self, at: usize, v: u32) {
        self.buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    pub fn patch_u64(&mut self, at: usize, v: u64) {
        self.buf[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }
    /// Pads with zeros up to `len` bytes.
    pub fn pad_to(&mut self, len: usize) {
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
    }
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads little-endian fields from a slice, failing cleanly at its end.
pub struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, at: 0 }
    }
    pub fn position(&self) -> usize {
        self.at
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.at
    }
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::Truncated {
                at: self.at,
                needed: n,
                len: self.buf.len(),
            });
        }
        let s = &self.buf[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub fn id(&mut self, field: &'static str) -> Result<Id, DecodeError> {
        Id::from_bytes(self.take(32)?).map_err(|_| DecodeError::BadId(field))
    }
    pub fn str(&mut self, field: &'static str) -> Result<String, DecodeError> {
        let n = self.u16()? as usize;
        let b = self.take(n)?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| DecodeError::Utf8(field))
    }
    pub fn strs(&mut self, field: &'static str) -> Result<Vec<String>, DecodeError> {
        let n = self.u16()? as usize;
        // Each string needs at least its 2-byte length: refuse counts the bytes cannot hold
        // before allocating for them.
        self.check_count(n, 2, field)?;
        (0..n).map(|_| self.str(field)).collect()
    }
    /// Refuses a count of items of at least `min_size` bytes each that cannot fit in what is
    /// left, so that a forged count never drives a large allocation.
    pub fn check_count(
        &self,
        n: usize,
        min_size: usize,
        field: &'static str,
    ) -> Result<(), DecodeError> {
        if n.saturating_mul(min_size) > self.remaining() {
            return Err(DecodeError::Range {
                field,
                value: n as u64,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let mut w = Writer::default();
        w.u8(1);
        w.u16(0x0203);
        w.u32(0x04050607);
        w.u64(0x08090a0b0c0d0e0f);
        w.str("héllo");
        w.strs(&["a".into(), "bc".into()]);
        let bytes = w.into_vec();
        assert_eq!(&bytes[..7], &[1, 3, 2, 7, 6, 5, 4]);
        let mut r = Reader::new(&bytes);
        assert_eq!(r.u8().unwrap(), 1);
        assert_eq!(r.u16().unwrap(), 0x0203);
        assert_eq!(r.u32().unwrap(), 0x04050607);
        assert_eq!(r.u64().unwrap(), 0x08090a0b0c0d0e0f);
        assert_eq!(r.str("s").unwrap(), "héllo");
        assert_eq!(r.strs("l").unwrap(), vec!["a", "bc"]);
        assert!(matches!(r.u8(), Err(DecodeError::Truncated { .. })));
    }

    #[test]
    fn forged_counts_are_refused_without_allocating() {
        let bytes = [0xff, 0xff, 0, 0];
        let mut r = Reader::new(&bytes);
        assert!(matches!(r.strs("tags"), Err(DecodeError::Range { .. })));
        let bad_utf8 = [2, 0, 0xff, 0xfe];
        assert_eq!(
            Reader::new(&bad_utf8).str("name"),
            Err(DecodeError::Utf8("name"))
        );
    }
}
