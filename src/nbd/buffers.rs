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

/// Replies waiting to be written: `buf[lead..used]`; the rest is initialised scratch.
/// Positions the methods take and give count from `lead`.
#[derive(Default)]
pub struct ReplyBuf {
    buf: Vec<u8>,
    lead: usize,
    used: usize,
    /// Where the first large read payload starts in `buf`, if one is queued.
    payload: Option<usize>,
}

/// A large read's payload starts on this boundary of the buffer (which the process
/// allocator puts on a page): the kernel copies from the page cache into a destination a
/// few bytes past such a boundary at a fraction of its speed (`rvm::alloc`).
const PAYLOAD_ALIGN: usize = 64;

impl ReplyBuf {
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[self.lead..self.used]
    }

    pub fn len(&self) -> usize {
        self.used - self.lead
    }

    pub fn is_empty(&self) -> bool {
        self.used == self.lead
    }

    pub fn clear(&mut self) {
        self.used = 0;
        self.lead = 0;
        self.payload = None;
    }

    /// Marks the end as the start of a large read payload, unless one is marked already,
    /// so that [`ReplyBuf::parts`] can split the send there.
    pub fn mark_payload(&mut self) {
        self.payload.get_or_insert(self.used);
    }

    /// What precedes the first large payload, and everything from it on: the transport
    /// sends the first part corked (see `nbd::connection::Writer`). Without a payload the
    /// first part is empty.
    pub fn parts(&self) -> (&[u8], &[u8]) {
        let at = self.payload.unwrap_or(self.lead);
        (&self.buf[self.lead..at], &self.buf[at..self.used])
    }

    /// When nothing is queued, starts the next reply so that the payload after its
    /// `header_len`-byte header lands on [`PAYLOAD_ALIGN`].
    pub fn align_payload(&mut self, header_len: usize) {
        if self.is_empty() {
            self.lead = (PAYLOAD_ALIGN - header_len % PAYLOAD_ALIGN) % PAYLOAD_ALIGN;
            self.used = self.lead;
        }
    }

    /// Drops everything from `at` on (an aborted reply).
    pub fn truncate(&mut self, at: usize) {
        self.used = self.used.min(self.lead + at);
        self.payload = self.payload.filter(|&p| p < self.used);
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
        let at = self.lead + at;
        self.buf[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Gives memory back after a large reply once it has been sent.
    pub fn shrink(&mut self, keep: usize) {
        if self.is_empty() && self.buf.len() > keep {
            self.buf = Vec::new();
            self.clear();
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

    #[test]
    fn a_large_payload_starts_aligned_and_positions_ignore_the_lead() {
        let mut r = ReplyBuf::default();
        r.align_payload(28);
        assert!(r.is_empty());
        r.put_bytes(&[7; 28]);
        let at = r.len();
        assert_eq!(at, 28);
        r.tail(1 << 20)[0] = 9;
        // From the buffer's start, which the process allocator puts on a page.
        assert_eq!((r.lead + at) % PAYLOAD_ALIGN, 0, "payload aligned");
        r.patch(0, &[1, 2]);
        assert_eq!(&r.as_slice()[..3], &[1, 2, 7]);
        assert_eq!(r.as_slice()[at], 9);
        assert_eq!(r.len(), 28 + (1 << 20));
        r.align_payload(16);
        assert_eq!(
            r.len(),
            28 + (1 << 20),
            "no effect once something is queued"
        );
        r.truncate(28);
        assert_eq!(
            r.as_slice(),
            &[1, 2, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]
        );
        r.clear();
        assert!(r.is_empty() && r.as_slice().is_empty());
    }

    #[test]
    fn parts_split_at_the_first_marked_payload_and_forget_it_when_cut() {
        let mut r = ReplyBuf::default();
        r.align_payload(3);
        r.put_bytes(&[1, 2, 3]);
        assert_eq!(r.parts(), (&[][..], &[1, 2, 3][..]), "nothing marked");
        r.mark_payload();
        r.put_bytes(&[4, 5]);
        r.mark_payload();
        r.put_bytes(&[6]);
        assert_eq!(
            r.parts(),
            (&[1, 2, 3][..], &[4, 5, 6][..]),
            "the first mark wins"
        );
        r.truncate(4);
        assert_eq!(r.parts(), (&[1, 2, 3][..], &[4][..]));
        r.truncate(3);
        assert_eq!(
            r.parts(),
            (&[][..], &[1, 2, 3][..]),
            "a cut payload is unmarked"
        );
        r.mark_payload();
        r.put_bytes(&[7]);
        r.clear();
        r.put_bytes(&[8]);
        assert_eq!(r.parts(), (&[][..], &[8][..]), "clear unmarks");
    }
}
