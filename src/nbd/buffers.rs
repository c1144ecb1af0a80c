//! Reusable per-connection buffers that grow only when a request needs it and are never
//! zero-filled twice: the bytes below the high-water mark stay initialised between uses, so
//! reading a 1 MiB reply into the buffer costs no memset.

use super::wire::PutBe;

/// Received bytes not yet consumed: `buf[start..end]`.
#[derive(Default)]
pub struct InBuf {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl InBuf {
    /// The unconsumed bytes.
    pub fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Room to read into: at least `min_read` bytes, and enough for `want` unconsumed
    /// bytes in all.
    pub fn space(&mut self, want: usize, min_read: usize) -> &mut [u8] {
        let pending = self.end - self.start;
        let target = want.max(pending + min_read.max(1));
        if self.start > 0 && self.buf.len() - self.start < target {
            self.buf.copy_within(self.start..self.end, 0);
            self.end = pending;
            self.start = 0;
        }
        if self.buf.len() < self.start + target {
            self.buf.resize(self.start + target, 0);
        }
        &mut self.buf[self.end..]
    }

    /// Records that `n` bytes were read into the slice [`InBuf::space`] returned.
    pub fn filled(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Gives memory back after a large request once nothing is pending.
    pub fn shrink(&mut self, keep: usize) {
        if self.start == self.end && self.buf.len() > keep {
            self.buf = Vec::new();
            self.start = 0;
            self.end = 0;
        }
    }

    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }
}

/// Replies waiting to be written: `buf[..used]`; the rest is initialised scratch.
#[derive(Default)]
pub struct ReplyBuf {
    buf: Vec<u8>,
    used: usize,
}

impl ReplyBuf {
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..self.used]
    }

    pub fn len(&self) -> usize {
        self.used
    }

    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    pub fn clear(&mut self) {
        self.used = 0;
    }

    /// Drops everything from `at` on (an aborted reply).
    pub fn truncate(&mut self, at: usize) {
        self.used = self.used.min(at);
    }

    /// Appends `n` bytes of scratch for the caller to fill, e.g. with read data.
    pub fn tail(&mut self, n: usize) -> &mut [u8] {
        let end = self.used + n;
        if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        let at = self.used;
        self.used = end;
        &mut self.buf[at..end]
    }

    /// Overwrites bytes already appended (a header written before its payload's fate was
    /// known).
    pub fn patch(&mut self, at: usize, bytes: &[u8]) {
        self.buf[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Gives memory back after a large reply once it has been sent.
    pub fn shrink(&mut self, keep: usize) {
        if self.used == 0 && self.buf.len() > keep {
            self.buf = Vec::new();
        }
    }
}

impl PutBe for ReplyBuf {
    fn put_bytes(&mut self, bytes: &[u8]) {
        self.tail(bytes.len()).copy_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_buf_compacts_and_keeps_unconsumed_bytes() {
        let mut b = InBuf::default();
        let s = b.space(4, 8);
        s[..6].copy_from_slice(b"abcdef");
        b.filled(6);
        b.consume(4);
        assert_eq!(b.data(), b"ef");
        let s = b.space(10, 8);
        assert!(s.len() >= 8);
        s[..3].copy_from_slice(b"ghi");
        b.filled(3);
        assert_eq!(b.data(), b"efghi");
        b.consume(5);
        b.shrink(4);
        assert_eq!(b.capacity(), 0);
    }

    #[test]
    fn reply_buf_reuses_scratch_and_patches() {
        let mut r = ReplyBuf::default();
        r.put_u32(1);
        r.tail(4).copy_from_slice(b"wxyz");
        r.patch(0, &[9, 9]);
        assert_eq!(r.as_slice(), &[9, 9, 0, 1, b'w', b'x', b'y', b'z']);
        r.truncate(4);
        assert_eq!(r.len(), 4);
        r.clear();
        assert!(r.is_empty());
        r.put_u16(0xabcd);
        assert_eq!(r.as_slice(), &[0xab, 0xcd]);
    }
}
