use super::*;
use crate::nbd::handshake::{advertised_sizes, transmission_flags};
use crate::nbd::registry::Export;
use crate::nbd::testvol::MemVolume;

fn session(structured: bool, read_only: bool) -> (Session, Arc<MemVolume>) {
    let vol = Arc::new(MemVolume::new(1 << 20, false));
    let export = Export {
        volume: vol.clone(),
        read_only,
        description: String::new(),
    };
    let n = Negotiated {
        name: "disk".into(),
        flags: transmission_flags(&export, structured),
        size: 1 << 20,
        sizes: advertised_sizes(&export, 64 << 10),
        export,
        structured,
        base_allocation: structured,
    };
    (Session::new(&n, 64 << 10), vol)
}

fn req(command: u16, flags: u16, offset: u64, len: u32) -> RequestHeader {
    RequestHeader {
        flags,
        command,
        handle: 0xfeed_0000 + command as u64,
        offset,
        len,
    }
}

/// Plans and, if accepted, executes one request; returns the reply bytes.
fn serve(s: &Session, h: RequestHeader, payload: &[u8]) -> Vec<u8> {
    let mut out = ReplyBuf::default();
    match s.plan(&h) {
        Plan::Refuse(e, m) => s.error_reply(&mut out, &h, e, m),
        Plan::Inline | Plan::Write | Plan::Deferred => s.execute(&mut out, &h, payload),
        Plan::Disconnect => {}
    }
    out.as_slice().to_vec()
}

fn simple_error(reply: &[u8]) -> u32 {
    let mut r = BeReader::new(reply);
    assert_eq!(r.u32(), Some(SIMPLE_REPLY_MAGIC));
    r.u32().unwrap()
}

/// (flags, type, payload) of a single structured chunk.
fn chunk(reply: &[u8]) -> (u16, u16, Vec<u8>) {
    let mut r = BeReader::new(reply);
    assert_eq!(r.u32(), Some(STRUCTURED_REPLY_MAGIC));
    let (flags, kind, _handle, len) = (r.u16(), r.u16(), r.u64(), r.u32());
    let payload = r.bytes(len.unwrap() as usize).unwrap().to_vec();
    assert_eq!(r.remaining(), 0, "one chunk only");
    (flags.unwrap(), kind.unwrap(), payload)
}

#[test]
fn write_then_read_back_with_simple_replies() {
    let (s, _) = session(false, false);
    let data: Vec<u8> = (0..4096u32).map(|i| (i * 7) as u8).collect();
    let reply = serve(&s, req(CMD_WRITE, 0, 8192, 4096), &data);
    assert_eq!(reply.len(), SIMPLE_REPLY_LEN);
    assert_eq!(simple_error(&reply), 0);
    let reply = serve(&s, req(CMD_READ, 0, 8192, 4096), &[]);
    assert_eq!(simple_error(&reply), 0);
    assert_eq!(&reply[8..16], &(0xfeed_0000u64).to_be_bytes());
    assert_eq!(&reply[16..], &data[..]);
}

#[test]
fn structured_reads_send_data_or_a_hole() {
    let (s, vol) = session(true, false);
    vol.write_at(&[5u8; 512], 512, false).unwrap();
    let (flags, kind, payload) = chunk(&serve(&s, req(CMD_READ, 0, 0, 1024), &[]));
    assert_eq!((flags, kind), (REPLY_FLAG_DONE, REPLY_TYPE_OFFSET_DATA));
    assert_eq!(&payload[..8], &0u64.to_be_bytes());
    assert_eq!(&payload[8..520], &[0u8; 512][..]);
    assert_eq!(&payload[520..], &[5u8; 512][..]);
    let (_, kind, payload) = chunk(&serve(&s, req(CMD_READ, CMD_FLAG_DF, 65536, 4096), &[]));
    assert_eq!(kind, REPLY_TYPE_OFFSET_HOLE);
    assert_eq!(&payload[8..], &4096u32.to_be_bytes());
}

#[test]
fn refusals_carry_the_right_errno_and_keep_going() {
    let (s, _) = session(false, true);
    let cases = [
        (req(CMD_WRITE, 0, 0, 512), EPERM),
        (req(CMD_TRIM, 0, 0, 512), EPERM),
        (req(CMD_WRITE_ZEROES, 0, 0, 512), EPERM),
        (req(CMD_READ, 0, (1 << 20) - 256, 512), EINVAL),
        (req(CMD_READ, 0, u64::MAX - 10, 512), EINVAL),
        (req(CMD_READ, 0, 0, 128 << 10), EINVAL),
        (req(CMD_READ, 0, 0, 0), EINVAL),
        (req(CMD_READ, CMD_FLAG_DF, 0, 512), EINVAL),
        (req(CMD_READ, CMD_FLAG_REQ_ONE, 0, 512), EINVAL),
        (req(42, 0, 0, 512), EINVAL),
        (req(CMD_BLOCK_STATUS, 0, 0, 512), EINVAL),
    ];
    for (h, errno) in cases {
        let reply = serve(&s, h, &[0u8; 512]);
        assert_eq!(reply.len(), SIMPLE_REPLY_LEN, "{h:?}");
        assert_eq!(simple_error(&reply), errno, "{h:?}");
    }
    let (s, _) = session(true, false);
    let (flags, kind, payload) = chunk(&serve(&s, req(CMD_WRITE, 0, 1 << 20, 512), &[0; 512]));
    assert_eq!((flags, kind), (REPLY_FLAG_DONE, REPLY_TYPE_ERROR));
    assert_eq!(&payload[..4], &EINVAL.to_be_bytes());
}

#[test]
fn plans_keep_fast_work_inline() {
    let (s, _) = session(true, false);
    assert_eq!(s.plan(&req(CMD_READ, 0, 0, 4096)), Plan::Inline);
    assert_eq!(s.plan(&req(CMD_WRITE, 0, 0, 4096)), Plan::Write);
    assert_eq!(s.plan(&req(CMD_BLOCK_STATUS, 0, 0, 4096)), Plan::Inline);
    assert_eq!(
        s.plan(&req(CMD_WRITE, CMD_FLAG_FUA, 0, 4096)),
        Plan::Deferred
    );
    assert_eq!(s.plan(&req(CMD_FLUSH, 0, 0, 0)), Plan::Deferred);
    assert_eq!(s.plan(&req(CMD_TRIM, 0, 0, 4096)), Plan::Deferred);
    assert_eq!(s.plan(&req(CMD_CACHE, 0, 0, 4096)), Plan::Deferred);
    assert_eq!(s.plan(&req(CMD_DISC, 0, 0, 0)), Plan::Disconnect);
}

#[test]
fn framing_waits_for_payload_and_rejects_garbage_and_oversize() {
    let (s, _) = session(false, false);
    let mut bytes = Vec::new();
    req(CMD_WRITE, 0, 0, 1000).encode(&mut bytes);
    bytes.extend_from_slice(&[1u8; 999]);
    assert!(matches!(s.frame(&bytes), Frame::NeedMore(1028)));
    bytes.push(1);
    assert!(matches!(
        s.frame(&bytes),
        Frame::Request { consumed: 1028, .. }
    ));
    assert!(matches!(s.frame(&bytes[..27]), Frame::NeedMore(28)));
    let mut huge = Vec::new();
    req(CMD_WRITE, 0, 0, u32::MAX).encode(&mut huge);
    assert!(matches!(s.frame(&huge), Frame::Oversized(_)));
    assert!(matches!(s.frame(&[0xaa; 28]), Frame::Garbage));
}

#[test]
fn trim_and_zeroes_make_holes_that_block_status_reports() {
    let (s, vol) = session(true, false);
    vol.write_at(&[9u8; 16384], 0, false).unwrap();
    assert_eq!(
        simple_error(&serve(&s, req(CMD_TRIM, 0, 4096, 4096), &[])),
        0
    );
    let z = req(CMD_WRITE_ZEROES, CMD_FLAG_FUA, 12288, 4096);
    assert_eq!(simple_error(&serve(&s, z, &[])), 0);
    assert!(vol.flushes.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    let (_, kind, p) = chunk(&serve(&s, req(CMD_BLOCK_STATUS, 0, 0, 20480), &[]));
    assert_eq!(kind, REPLY_TYPE_BLOCK_STATUS);
    let words: Vec<u32> = p
        .chunks(4)
        .map(|c| u32::from_be_bytes(c.try_into().unwrap()))
        .collect();
    let hz = STATE_HOLE | STATE_ZERO;
    assert_eq!(
        words,
        vec![BASE_ALLOCATION_ID, 4096, 0, 4096, hz, 4096, 0, 8192, hz]
    );
    let one = req(CMD_BLOCK_STATUS, CMD_FLAG_REQ_ONE, 0, 20480);
    let (_, _, p) = chunk(&serve(&s, one, &[]));
    assert_eq!(p.len(), 4 + 8);
}

#[test]
fn fast_zero_that_would_be_slow_is_enotsup() {
    let (s, _) = session(true, false);
    let z = req(
        CMD_WRITE_ZEROES,
        CMD_FLAG_NO_HOLE | CMD_FLAG_FAST_ZERO,
        0,
        4096,
    );
    let (_, kind, p) = chunk(&serve(&s, z, &[]));
    assert_eq!(kind, REPLY_TYPE_ERROR);
    assert_eq!(&p[..4], &ENOTSUP.to_be_bytes());
}

#[test]
fn extents_are_merged_clipped_and_limited() {
    let e = |len, hole| BlockExtent {
        len,
        hole,
        zero: hole,
    };
    let ext = [e(100, false), e(50, false), e(1000, true), e(10, false)];
    assert_eq!(
        clip_extents(&ext, 500, 10),
        vec![(150, 0), (350, STATE_HOLE | STATE_ZERO)]
    );
    assert_eq!(clip_extents(&ext, 500, 1), vec![(150, 0)]);
    assert_eq!(clip_extents(&[], 77, 10), vec![(77, 0)]);
    assert!(is_zero(&[0u8; 1000]));
    let mut v = vec![0u8; 1000];
    v[999] = 1;
    assert!(!is_zero(&v));
}
