//! Big-endian field access for CDBs and parameter data: the only place the SCSI layer turns
//! bytes into numbers, so no handler does ad-hoc shifts.

/// Reads `b` (at most 8 bytes) as a big-endian unsigned number.
pub fn get_be(b: &[u8]) -> u64 {
    let mut out = [0u8; 8];
    let n = b.len().min(8);
    out[8 - n..].copy_from_slice(&b[b.len() - n..]);
    u64::from_be_bytes(out)
}

/// Writes the low `b.len()` bytes (at most 8) of `v` into `b`, big-endian.
pub fn put_be(b: &mut [u8], v: u64) {
    let bytes = v.to_be_bytes();
    let n = b.len().min(8);
    let at = b.len() - n;
    b[at..].copy_from_slice(&bytes[8 - n..]);
}

/// Appends `v` as `n` big-endian bytes.
pub fn push_be(out: &mut Vec<u8>, v: u64, n: usize) {
    let bytes = v.to_be_bytes();
    out.extend_from_slice(&bytes[8 - n.min(8)..]);
}

/// Appends `s` as a fixed-width, space-padded ASCII field (SPC-4 §4.4.1).
pub fn push_ascii(out: &mut Vec<u8>, s: &str, width: usize) {
    let bytes = s.as_bytes();
    let n = bytes.len().min(width);
    out.extend_from_slice(&bytes[..n]);
    out.resize(out.len() + (width - n), b' ');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_width() {
        let mut b = [0u8; 8];
        for n in 1..=8 {
            let v = 0x0102_0304_0506_0708u64 >> (8 * (8 - n));
            put_be(&mut b[..n], v);
            assert_eq!(get_be(&b[..n]), v);
        }
        let mut out = Vec::new();
        push_be(&mut out, 0xabcd, 3);
        assert_eq!(out, [0x00, 0xab, 0xcd]);
        push_ascii(&mut out, "RVM", 8);
        assert_eq!(&out[3..], b"RVM     ");
    }
}
