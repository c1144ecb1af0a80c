//! Moving PDUs over a byte stream: a receive buffer that yields whole PDUs in place, and an
//! outbox that gathers many responses and sends them with one vectored write, reusing data
//! buffers across commands.

use super::pdu::{digest, pad_len, Bhs, BHS_LEN, DIGEST_LEN};
use std::io::{self, IoSlice, Read, Write};

/// The receive buffer; PDUs are parsed where they landed.
pub struct PduReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl PduReader {
    pub fn new(capacity: usize) -> PduReader {
        PduReader {
            buf: vec![0; capacity],
            start: 0,
            end: 0,
        }
    }

    /// The bytes received and not yet consumed.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads once from `r`, making room for at least `need` pending bytes (a PDU length the
    /// caller has already checked against its limits). Returns the byte count; 0 is EOF.
    pub fn fill(&mut self, r: &mut impl Read, need: usize) -> io::Result<usize> {
        if self.buf.len() < need {
            self.buf.resize(need, 0);
        }
        if self.buf.len() - self.start < need || self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let n = r.read(&mut self.buf[self.end..])?;
        self.end += n;
        Ok(n)
    }
}

/// A data buffer in the outbox.
pub type BufId = usize;

struct OutPdu {
    head: [u8; BHS_LEN + DIGEST_LEN],
    head_len: u8,
    buf: Option<BufId>,
    start: usize,
    len: usize,
    tail: [u8; 3 + DIGEST_LEN],
    tail_len: u8,
}

/// Most buffers kept for reuse, and the most bytes they may hold together.
const POOL_BUFFERS: usize = 64;
const POOL_BYTES: usize = 64 << 20;
/// `IOV_MAX` on Linux.
const MAX_IOV: usize = 1024;

/// Responses waiting to be written, in order.
#[derive(Default)]
pub struct Outbox {
    pdus: Vec<OutPdu>,
    queued: usize,
    bufs: Vec<Vec<u8>>,
    pool: Vec<Vec<u8>>,
    pub header_digest: bool,
    pub data_digest: bool,
}

impl Outbox {
    pub fn new() -> Outbox {
        Outbox::default()
    }

    pub fn is_empty(&self) -> bool {
        self.pdus.is_empty()
    }

    /// Bytes queued, to decide when to flush early.
    pub fn queued_bytes(&self) -> usize {
        self.queued
    }

    /// A buffer of exactly `len` bytes, from the pool when one has the capacity. Reused
    /// contents are stale (only what a command writes is sent), and a buffer that already
    /// had the length is not zeroed again.
    pub fn alloc(&mut self, len: usize) -> BufId {
        // Best fit: the smallest buffer already that long (nothing to zero), else the
        // smallest with the capacity, so a small reply never shrinks a large read buffer.
        // Among equals the one returned last, still in the CPU cache: taking the oldest
        // rotated reads through every pooled buffer and more than halved 1 MiB reads.
        let fit = |need_len: bool| {
            self.pool
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, b)| b.capacity() >= len && (!need_len || b.len() >= len))
                .min_by_key(|(_, b)| b.capacity())
                .map(|(i, _)| i)
        };
        let mut b = match fit(true).or_else(|| fit(false)) {
            Some(i) => self.pool.remove(i),
            None => Vec::with_capacity(len.max(4096)),
        };
        b.resize(len, 0);
        self.bufs.push(b);
        self.bufs.len() - 1
    }

    pub fn buf_mut(&mut self, id: BufId) -> &mut Vec<u8> {
        &mut self.bufs[id]
    }

    /// Queues a PDU whose data is `bufs[id][start..start+len]`.
    pub fn push_from(&mut self, bhs: &Bhs, id: BufId, start: usize, len: usize) {
        let mut p = OutPdu {
            head: [0; BHS_LEN + DIGEST_LEN],
            head_len: BHS_LEN as u8,
            buf: (len > 0).then_some(id),
            start,
            len,
            tail: [0; 3 + DIGEST_LEN],
            tail_len: 0,
        };
        let mut bhs = *bhs;
        bhs.set_data_len(len as u32);
        p.head[..BHS_LEN].copy_from_slice(&bhs.0);
        if self.header_digest {
            p.head[BHS_LEN..].copy_from_slice(&digest(&[&bhs.0]));
            p.head_len += DIGEST_LEN as u8;
        }
        if len > 0 {
            let pad = pad_len(len);
            p.tail_len = pad as u8;
            if self.data_digest {
                let data = &self.bufs[id][start..start + len];
                let d = digest(&[data, &[0u8; 3][..pad]]);
                p.tail[pad..pad + DIGEST_LEN].copy_from_slice(&d);
                p.tail_len += DIGEST_LEN as u8;
            }
        }
        self.queued += len + BHS_LEN;
        self.pdus.push(p);
    }

    /// Queues a PDU with a small owned data segment (sense, text, ping data).
    pub fn push(&mut self, bhs: &Bhs, data: &[u8]) {
        if data.is_empty() {
            self.push_from(bhs, 0, 0, 0);
            return;
        }
        let id = self.alloc(data.len());
        self.bufs[id][..data.len()].copy_from_slice(data);
        self.push_from(bhs, id, 0, data.len());
    }

    /// Writes everything queued with as few vectored writes as the kernel allows, then
    /// returns the data buffers to the pool.
    pub fn flush(&mut self, w: &mut impl Write) -> io::Result<()> {
        let result = self.write_all(w);
        self.pdus.clear();
        self.queued = 0;
        let mut pooled: usize = self.pool.iter().map(Vec::capacity).sum();
        for b in self.bufs.drain(..) {
            if self.pool.len() < POOL_BUFFERS && pooled + b.capacity() <= POOL_BYTES {
                pooled += b.capacity();
                self.pool.push(b);
            }
        }
        result
    }

    fn write_all(&self, w: &mut impl Write) -> io::Result<()> {
        let mut slices: Vec<IoSlice<'_>> = Vec::with_capacity(self.pdus.len() * 3);
        for p in &self.pdus {
            slices.push(IoSlice::new(&p.head[..p.head_len as usize]));
            if let Some(id) = p.buf {
                slices.push(IoSlice::new(&self.bufs[id][p.start..p.start + p.len]));
            }
            if p.tail_len > 0 {
                slices.push(IoSlice::new(&p.tail[..p.tail_len as usize]));
            }
        }
        let mut rest: &mut [IoSlice<'_>] = &mut slices;
        while !rest.is_empty() {
            let n = rest.len().min(MAX_IOV);
            let written = match w.write_vectored(&rest[..n]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(k) => k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            IoSlice::advance_slices(&mut rest, written);
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iscsi::pdu::{Framing, Opcode};

    #[test]
    fn outbox_frames_what_the_reader_parses() {
        let mut out = Outbox::new();
        out.header_digest = true;
        out.data_digest = true;
        let id = out.alloc(10_000);
        for (i, b) in out.buf_mut(id).iter_mut().enumerate() {
            *b = i as u8;
        }
        let bhs = Bhs::new(Opcode::DataIn);
        out.push_from(&bhs, id, 0, 8191);
        out.push_from(&bhs, id, 8191, 1809);
        out.push(&Bhs::new(Opcode::NopIn), b"");
        let mut wire = Vec::new();
        out.flush(&mut wire).unwrap();
        let f = Framing {
            header_digest: true,
            data_digest: true,
            max_recv_data: 8192,
        };
        let mut r = PduReader::new(64);
        let mut src = &wire[..];
        let mut got = Vec::new();
        loop {
            while let Some(n) = f.wire_len(r.pending()).unwrap() {
                if r.pending().len() < n {
                    break;
                }
                let p = f.split(&r.pending()[..n]).unwrap();
                got.push(p.data.to_vec());
                r.consume(n);
            }
            let need = f.wire_len(r.pending()).unwrap().unwrap_or(BHS_LEN);
            if r.fill(&mut src, need).unwrap() == 0 {
                break;
            }
        }
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].len(), 8191);
        assert_eq!(got[1][0], (8191 % 256) as u8);
        assert!(got[2].is_empty());
    }

    #[test]
    fn the_pool_hands_back_the_buffer_returned_last() {
        let mut out = Outbox::new();
        let bhs = Bhs::new(Opcode::DataIn);
        let mut sink = Vec::new();
        // Two equal buffers pooled; then one round trip at a time must keep reusing the
        // same (cache-hot) one rather than rotate through the pool.
        let a = out.alloc(1 << 20);
        let b = out.alloc(1 << 20);
        let second = out.buf_mut(b).as_ptr();
        out.push_from(&bhs, a, 0, 16);
        out.push_from(&bhs, b, 0, 16);
        out.flush(&mut sink).unwrap();
        for _ in 0..4 {
            let id = out.alloc(1 << 20);
            assert_eq!(out.buf_mut(id).as_ptr(), second);
            out.push_from(&bhs, id, 0, 16);
            out.flush(&mut sink).unwrap();
        }
    }
}
