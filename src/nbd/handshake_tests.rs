use super::*;
use crate::nbd::registry::ExportTable;
use crate::nbd::testvol::MemVolume;
use std::sync::Arc;

fn table() -> ExportTable {
    let t = ExportTable::new();
    let export = |ro| Export {
        volume: Arc::new(MemVolume::new(1 << 20, ro)),
        read_only: false,
        description: "a test disk".into(),
    };
    t.insert("disk", export(false));
    t.insert("snap", export(true));
    t
}

fn option(code: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.put_u64(IHAVEOPT);
    v.put_u32(code);
    v.put_u32(data.len() as u32);
    v.extend_from_slice(data);
    v
}

fn info_data(name: &str, requests: &[u16]) -> Vec<u8> {
    let mut v = Vec::new();
    v.put_u32(name.len() as u32);
    v.extend_from_slice(name.as_bytes());
    v.put_u16(requests.len() as u16);
    for r in requests {
        v.put_u16(*r);
    }
    v
}

fn meta_data(name: &str, queries: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    v.put_u32(name.len() as u32);
    v.extend_from_slice(name.as_bytes());
    v.put_u32(queries.len() as u32);
    for q in queries {
        v.put_u32(q.len() as u32);
        v.extend_from_slice(q.as_bytes());
    }
    v
}

/// Splits option replies into (option, type, data).
fn replies(mut out: &[u8]) -> Vec<(u32, u32, Vec<u8>)> {
    let mut v = Vec::new();
    while !out.is_empty() {
        let mut r = BeReader::new(out);
        assert_eq!(r.u64(), Some(OPTION_REPLY_MAGIC));
        let (opt, kind, len) = (r.u32().unwrap(), r.u32().unwrap(), r.u32().unwrap());
        v.push((opt, kind, r.bytes(len as usize).unwrap().to_vec()));
        out = &out[20 + len as usize..];
    }
    v
}

/// Feeds the whole input at once; returns replies and the verdict.
fn run(reg: &ExportTable, input: &[u8]) -> (Vec<u8>, Progress, usize) {
    let mut hs = Handshake::new(reg, 32 << 20);
    let mut out = Vec::new();
    let (used, p) = hs.advance(input, &mut out, false);
    (out, p, used)
}

fn start(flags: u32) -> Vec<u8> {
    let mut v = Vec::new();
    v.put_u32(flags);
    v
}

#[test]
fn greeting_offers_fixed_newstyle_and_no_zeroes() {
    let mut g = Vec::new();
    greeting(&mut g);
    assert_eq!(&g[..8], b"NBDMAGIC");
    assert_eq!(&g[8..16], b"IHAVEOPT");
    assert_eq!(&g[16..], &[0, 3]);
}

#[test]
fn go_with_structured_replies_and_base_allocation() {
    let reg = table();
    let mut input = start(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
    input.extend(option(OPT_STRUCTURED_REPLY, &[]));
    input.extend(option(
        OPT_SET_META_CONTEXT,
        &meta_data("disk", &[BASE_ALLOCATION]),
    ));
    input.extend(option(
        OPT_GO,
        &info_data("disk", &[INFO_NAME, INFO_DESCRIPTION]),
    ));
    input.extend_from_slice(b"trailing request bytes");
    let (out, p, used) = run(&reg, &input);
    assert_eq!(
        used,
        input.len() - 22,
        "request bytes stay for transmission"
    );
    let Progress::Transmission(n) = p else {
        panic!("expected transmission")
    };
    assert!(n.structured && n.base_allocation);
    assert_eq!(n.size, 1 << 20);
    assert_eq!(n.flags & FLAG_READ_ONLY, 0);
    assert_ne!(n.flags & FLAG_SEND_TRIM, 0);
    assert_ne!(n.flags & FLAG_CAN_MULTI_CONN, 0);
    let r = replies(&out);
    assert_eq!(r[0], (OPT_STRUCTURED_REPLY, REP_ACK, vec![]));
    assert_eq!(r[1].1, REP_META_CONTEXT);
    assert_eq!(&r[1].2[..4], &BASE_ALLOCATION_ID.to_be_bytes());
    assert_eq!(&r[1].2[4..], BASE_ALLOCATION.as_bytes());
    assert_eq!(r[2], (OPT_SET_META_CONTEXT, REP_ACK, vec![]));
    let infos: Vec<u16> = r[3..r.len() - 1]
        .iter()
        .map(|(_, k, d)| {
            assert_eq!(*k, REP_INFO);
            u16::from_be_bytes([d[0], d[1]])
        })
        .collect();
    assert_eq!(
        infos,
        vec![INFO_EXPORT, INFO_NAME, INFO_DESCRIPTION, INFO_BLOCK_SIZE]
    );
    let bs = &r[r.len() - 2].2;
    assert_eq!(&bs[2..6], &512u32.to_be_bytes());
    assert_eq!(&bs[10..14], &(32u32 << 20).to_be_bytes());
    assert_eq!(r.last().unwrap(), &(OPT_GO, REP_ACK, vec![]));
}

#[test]
fn byte_at_a_time_gives_the_same_result() {
    let reg = table();
    let mut input = start(FLAG_C_FIXED_NEWSTYLE);
    input.extend(option(OPT_LIST, &[]));
    input.extend(option(OPT_GO, &info_data("snap", &[])));
    let mut hs = Handshake::new(&reg, 32 << 20);
    let mut out = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut done = None;
    for b in &input {
        pending.push(*b);
        let (used, p) = hs.advance(&pending, &mut out, false);
        pending.drain(..used);
        if let Progress::Transmission(n) = p {
            done = Some(n);
        }
    }
    let n = done.expect("transmission");
    assert_ne!(n.flags & FLAG_READ_ONLY, 0);
    assert_eq!(n.flags & (FLAG_SEND_TRIM | FLAG_SEND_WRITE_ZEROES), 0);
    assert_eq!(n.sizes.maximum, 32 << 20);
    assert_eq!(run(&reg, &input).0, out);
}

#[test]
fn list_names_every_export() {
    let reg = table();
    let mut input = start(FLAG_C_FIXED_NEWSTYLE);
    input.extend(option(OPT_LIST, &[]));
    input.extend(option(OPT_LIST, b"x"));
    let (out, p, _) = run(&reg, &input);
    assert!(matches!(p, Progress::NeedMore));
    let r = replies(&out);
    assert_eq!(r.len(), 4);
    assert_eq!(r[0].1, REP_SERVER);
    assert_eq!(&r[0].2[..8], &[0, 0, 0, 4, b'd', b'i', b's', b'k']);
    assert_eq!(&r[0].2[8..], b"a test disk");
    assert_eq!(r[2].1, REP_ACK);
    assert_eq!(r[3].1, REP_ERR_INVALID);
}

#[test]
fn errors_for_unknown_malformed_and_missing() {
    let reg = table();
    let mut input = start(FLAG_C_FIXED_NEWSTYLE);
    input.extend(option(99, b"whatever"));
    input.extend(option(OPT_STARTTLS, &[]));
    let mut bad = info_data("disk", &[]);
    bad[3] = 200; // name length beyond the option
    input.extend(option(OPT_GO, &bad));
    let mut odd = info_data("disk", &[INFO_NAME]);
    odd.push(0); // a stray byte after the requests
    input.extend(option(OPT_INFO, &odd));
    input.extend(option(OPT_INFO, &info_data("nope", &[])));
    input.extend(option(OPT_STRUCTURED_REPLY, &[1]));
    input.extend(option(OPT_LIST_META_CONTEXT, &meta_data("disk", &[])));
    let (out, p, used) = run(&reg, &input);
    assert!(matches!(p, Progress::NeedMore));
    assert_eq!(used, input.len());
    let kinds: Vec<u32> = replies(&out).iter().map(|r| r.1).collect();
    assert_eq!(
        kinds,
        vec![
            REP_ERR_UNSUP,
            REP_ERR_UNSUP,
            REP_ERR_INVALID,
            REP_ERR_INVALID,
            REP_ERR_UNKNOWN,
            REP_ERR_INVALID,
            REP_ERR_INVALID, // meta context before structured replies
        ]
    );
}

#[test]
fn huge_meta_query_count_is_invalid_not_allocated() {
    let reg = table();
    let mut input = start(FLAG_C_FIXED_NEWSTYLE);
    input.extend(option(OPT_STRUCTURED_REPLY, &[]));
    let mut data = meta_data("disk", &[]);
    let n = data.len();
    data[n - 4..].copy_from_slice(&u32::MAX.to_be_bytes());
    input.extend(option(OPT_LIST_META_CONTEXT, &data));
    let (out, _, _) = run(&reg, &input);
    assert_eq!(replies(&out)[1].1, REP_ERR_INVALID);
}

#[test]
fn list_meta_context_and_mismatched_export_disable_block_status() {
    let reg = table();
    let mut input = start(FLAG_C_FIXED_NEWSTYLE);
    input.extend(option(OPT_STRUCTURED_REPLY, &[]));
    input.extend(option(OPT_LIST_META_CONTEXT, &meta_data("disk", &[])));
    input.extend(option(
        OPT_SET_META_CONTEXT,
        &meta_data("disk", &["base:allocation"]),
    ));
    input.extend(option(OPT_GO, &info_data("snap", &[])));
    let (out, p, _) = run(&reg, &input);
    let r = replies(&out);
    assert_eq!(r[1].1, REP_META_CONTEXT);
    assert_eq!(&r[1].2[..4], &[0, 0, 0, 0]);
    let Progress::Transmission(n) = p else {
        panic!()
    };
    assert!(!n.base_allocation, "contexts were set for another export");
}

#[test]
fn oversized_options_are_skipped_as_they_stream() {
    let reg = table();
    let mut hs = Handshake::new(&reg, 1 << 20);
    let mut out = Vec::new();
    let mut input = start(FLAG_C_FIXED_NEWSTYLE);
    input.put_u64(IHAVEOPT);
    input.put_u32(OPT_GO);
    input.put_u32(1 << 30);
    let (used, _) = hs.advance(&input, &mut out, false);
    assert_eq!(used, input.len());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..1023 {
        assert_eq!(hs.advance(&chunk, &mut out, false).0, chunk.len());
    }
    assert!(out.is_empty());
    let mut tail = chunk.clone();
    tail.extend(option(OPT_ABORT, &[]));
    let (used, p) = hs.advance(&tail, &mut out, false);
    assert_eq!(used, tail.len());
    assert!(matches!(p, Progress::Close));
    let r = replies(&out);
    assert_eq!(r[0].1, REP_ERR_TOO_BIG);
    assert_eq!(r[1], (OPT_ABORT, REP_ACK, vec![]));
}

#[test]
fn export_name_replies_with_or_without_zeroes() {
    let reg = table();
    for (flags, len) in [(FLAG_C_FIXED_NEWSTYLE, 134), (FLAG_C_NO_ZEROES, 10)] {
        let mut input = start(flags);
        input.extend(option(OPT_EXPORT_NAME, b"disk"));
        let (out, p, _) = run(&reg, &input);
        assert!(matches!(p, Progress::Transmission(_)));
        assert_eq!(out.len(), len);
        assert_eq!(&out[..8], &(1u64 << 20).to_be_bytes());
    }
    let mut input = start(FLAG_C_FIXED_NEWSTYLE);
    input.extend(option(OPT_EXPORT_NAME, b"missing"));
    assert!(matches!(run(&reg, &input).1, Progress::Close));
}

#[test]
fn bad_client_flags_and_bad_magic_close() {
    let reg = table();
    assert!(matches!(run(&reg, &start(1 << 5)).1, Progress::Close));
    let mut input = start(0);
    input.extend_from_slice(&[0xff; 16]);
    assert!(matches!(run(&reg, &input).1, Progress::Close));
}

#[test]
fn shutdown_refuses_options_but_honours_abort() {
    let reg = table();
    let mut hs = Handshake::new(&reg, 1 << 20);
    let mut out = Vec::new();
    let mut input = start(FLAG_C_FIXED_NEWSTYLE);
    input.extend(option(OPT_GO, &info_data("disk", &[])));
    input.extend(option(OPT_ABORT, &[]));
    let (_, p) = hs.advance(&input, &mut out, true);
    assert!(matches!(p, Progress::Close));
    let kinds: Vec<u32> = replies(&out).iter().map(|r| r.1).collect();
    assert_eq!(kinds, vec![REP_ERR_SHUTDOWN, REP_ACK]);
}
