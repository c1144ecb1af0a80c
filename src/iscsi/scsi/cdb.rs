//! Typed access to a CDB's fields (SPC-4 §4.2): big-endian numbers and bit fields by byte
//! offset, reading zeros past the end so a short CDB can never panic a handler.

use super::wire::get_be;

/// A command descriptor block as received.
#[derive(Debug, Clone, Copy)]
pub struct Cdb<'a>(pub &'a [u8]);

impl<'a> Cdb<'a> {
    pub fn opcode(&self) -> u8 {
        self.byte(0)
    }

    pub fn byte(&self, at: usize) -> u8 {
        self.0.get(at).copied().unwrap_or(0)
    }

    /// Bit `bit` (0 = least significant) of byte `at`.
    pub fn bit(&self, at: usize, bit: u8) -> bool {
        self.byte(at) >> bit & 1 == 1
    }

    /// A `width`-bit field of byte `at` whose least significant bit is `shift`.
    pub fn bits(&self, at: usize, shift: u8, width: u8) -> u8 {
        (self.byte(at) >> shift) & ((1u16 << width) - 1) as u8
    }

    /// A big-endian number of `len` bytes starting at `at`.
    pub fn be(&self, at: usize, len: usize) -> u64 {
        match self.0.get(at..at + len) {
            Some(b) => get_be(b),
            None => 0,
        }
    }

    pub fn be16(&self, at: usize) -> u16 {
        self.be(at, 2) as u16
    }

    pub fn be32(&self, at: usize) -> u32 {
        self.be(at, 4) as u32
    }

    /// The service action field of a 12/16-byte command (byte 1, bits 4..0).
    pub fn service_action(&self) -> u16 {
        u16::from(self.bits(1, 0, 5))
    }
}

/// Where a READ/WRITE-family CDB keeps its LBA and transfer length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 6-byte: 21-bit LBA in bytes 1..4, length in byte 4 (where 0 means 256 for R/W).
    Six,
    Ten,
    Twelve,
    Sixteen,
}

impl Layout {
    /// (LBA, transfer length in blocks) as the CDB states them; READ/WRITE(6) map a zero
    /// length to 256 themselves.
    pub fn lba_and_len(self, cdb: &Cdb) -> (u64, u32) {
        match self {
            Layout::Six => (cdb.be(1, 3) & 0x1f_ffff, u32::from(cdb.byte(4))),
            Layout::Ten => (cdb.be(2, 4), u32::from(cdb.be16(7))),
            Layout::Twelve => (cdb.be(2, 4), cdb.be32(6)),
            Layout::Sixteen => (cdb.be(2, 8), cdb.be32(10)),
        }
    }

    /// Byte offset of the transfer length field, for field pointers.
    pub fn len_field(self) -> usize {
        match self {
            Layout::Six => 4,
            Layout::Ten => 7,
            Layout::Twelve => 6,
            Layout::Sixteen => 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_zeros_past_the_end() {
        let raw = [0x28, 0xe0, 0, 0, 0x12, 0x34, 0, 0, 8, 0];
        let cdb = Cdb(&raw);
        assert_eq!(Layout::Ten.lba_and_len(&cdb), (0x1234, 8));
        assert_eq!(cdb.bits(1, 5, 3), 7);
        assert!(cdb.bit(1, 7));
        assert_eq!(cdb.be(8, 8), 0);
        assert_eq!(cdb.byte(40), 0);
        let six = [0x08, 0xff, 0xff, 0xff, 0, 0];
        assert_eq!(Layout::Six.lba_and_len(&Cdb(&six)), (0x1f_ffff, 0));
    }
}
