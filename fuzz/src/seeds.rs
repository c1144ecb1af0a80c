//! Seed inputs built from real encodings, one small set per target, so that libFuzzer
//! starts from well-formed labels, records, stores, handshakes, PDUs and CDBs. They are
//! committed under `fuzz/seeds/<target>/`; `tests/fuzz_regressions.rs` checks that they
//! match this generator (regenerate with `RVM_WRITE_FUZZ_SEEDS=1 cargo test --test
//! fuzz_regressions`).

use rvm::format::features::Features;
use rvm::format::id::Id;
use rvm::format::label::Label;
use rvm::format::layout::Layout;
use rvm::format::record::*;
use rvm::iscsi::pdu::{Bhs, BigEndian};

/// (target, seed name, bytes).
pub type Seed = (&'static str, String, Vec<u8>);

fn id(c: u8) -> Id {
    Id::from_bytes(&[c; 32]).expect("a valid id")
}

fn with_mode(m: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![m];
    v.extend_from_slice(body);
    v
}

/// A VG on the fuzz PV (id `P`, 4 MiB with 16 KiB areas: 32 extents of 64 KiB) with a
/// linear LV, an origin and its snapshot.
pub fn sample_record() -> VgRecord {
    let seg = |lv_start, count, pv_start| SegmentRecord {
        lv_start,
        count,
        pv: 0,
        pv_start,
    };
    let lv = |name: &str, c: u8, segments, snapshot| LvRecord {
        name: name.into(),
        id: id(c),
        flags: LV_ACTIVE,
        alloc: 0,
        creation_time: 1,
        creation_host: "host".into(),
        tags: vec![],
        snapshot,
        segments,
    };
    VgRecord {
        name: "vg".into(),
        id: id(b'V'),
        seqno: 3,
        extent_size: 64 << 10,
        flags: VG_RESIZEABLE,
        max_lv: 0,
        max_pv: 0,
        alloc: 1,
        creation_time: 1,
        creation_host: "host".into(),
        tags: vec!["t".into()],
        pvs: vec![PvRecord {
            id: id(b'P'),
            device_hint: "/fuzz/pv".into(),
            dev_size: 4 << 20,
            pe_start: 1 << 20,
            pe_count: 32,
            flags: PV_ALLOCATABLE,
            tags: vec![],
        }],
        lvs: vec![
            lv("lin", b'L', vec![seg(0, 4, 0), seg(4, 2, 10)], None),
            lv("origin", b'O', vec![seg(0, 4, 4)], None),
            lv(
                "snap",
                b'S',
                vec![seg(0, 2, 8)],
                Some(SnapshotRecord {
                    origin: id(b'O'),
                    chunk_size: 4096,
                    store_id: 1,
                    flags: 0,
                }),
            ),
        ],
    }
}

fn label_seeds(out: &mut Vec<Seed>) {
    let layout = Layout::new(1 << 30, 16 << 10).expect("layout");
    let label = Label {
        pv_id: id(b'P'),
        generation: 2,
        layout,
        features: Features::default(),
    };
    let head = label.encode(0);
    out.push(("pv_label", "head".into(), with_mode(0, &head[..512])));
    let tail = label.encode(layout.tail_label);
    out.push(("pv_label", "tail".into(), with_mode(2, &tail[..512])));
    let mut body = vec![2u8];
    body.extend_from_slice(&head[64..64 + rvm::format::label::BODY_LEN]);
    out.push(("pv_label", "body".into(), with_mode(1, &body)));
}

fn record_seeds(out: &mut Vec<Seed>) {
    let r = sample_record();
    let holder = id(b'P');
    out.push((
        "vg_record",
        "record".into(),
        with_mode(0, &r.encode(&holder, 0)),
    ));
    out.push((
        "vg_record",
        "body".into(),
        with_mode(1, &r.encode_body(&holder)),
    ));
    let mut empty = r.clone();
    empty.lvs.clear();
    out.push((
        "vg_record",
        "no-lvs".into(),
        with_mode(1, &empty.encode_body(&holder)),
    ));
    let layout = Layout::new(4 << 20, 16 << 10).expect("layout");
    for (i, at) in layout.slots().iter().enumerate() {
        out.push((
            "metadata_area",
            format!("slot{i}"),
            with_mode(i as u8, &r.encode(&holder, *at)),
        ));
    }
    out.push((
        "metadata_area",
        "body".into(),
        with_mode(4, &r.encode_body(&holder)),
    ));
}

fn store_seeds(out: &mut Vec<Seed>) {
    use rvm::format::cow::*;
    let h = StoreHeader {
        generation: 0x0123_4567_89ab_cdef,
        seqno: 5,
        snapshot: [b'S'; 32],
        origin: [b'O'; 32],
        chunk_size: 4096,
        store_id: 1,
        area_sectors: area_sectors(4096),
        flags: 0,
        incompat: 0,
        ro_compat: 0,
        compat: 0,
        store_chunks: 128,
        used_chunks: 20,
        exceptions: 3,
        merge_total: 0,
        merged: 0,
        log_seqno: 2,
    };
    out.push((
        "store_blocks",
        "header".into(),
        with_mode(0, &encode_header(&h, 0)),
    ));
    out.push((
        "store_blocks",
        "header-slot-b".into(),
        with_mode(8, &encode_header(&h, 512)),
    ));
    let s = LogSector {
        location: 0,
        generation: h.generation,
        seqno: 3,
        nonce: 77,
        index: 0,
        count: 1,
        next_area: 0,
        entries: vec![
            Entry::Exception {
                origin_chunk: 4,
                store_id: 1,
                store_generation: h.generation,
                store_chunk: 17,
            },
            Entry::Merged { origin_chunk: 9 },
        ],
    };
    let enc = encode_log_sector(&s).expect("encodes");
    out.push(("store_blocks", "log".into(), with_mode(1, &enc)));
    // The engine's own store: its first area as written, replayed with fixups on.
    let (header, area) = super::store::fixture_bytes();
    let mut v = vec![3, 0];
    v.extend_from_slice(&area[..8 * SECTOR]);
    out.push(("store_open", "log".into(), v));
    let mut v = vec![3 | 4, 0];
    v.extend_from_slice(&header);
    v.extend_from_slice(&area[..8 * SECTOR]);
    out.push(("store_open", "header-and-log".into(), v));
    // A new commit appended after the fixture's: one exception into chunk 40.
    let mut s2 = s.clone();
    s2.generation = super::store::fixture_generation();
    s2.seqno = 1000;
    s2.entries = vec![Entry::Exception {
        origin_chunk: 2,
        store_id: 1,
        store_generation: s2.generation,
        store_chunk: 40,
    }];
    let enc = encode_log_sector(&s2).expect("encodes");
    let used = super::store::fixture_log_sectors();
    let mut v = vec![3, used as u8];
    v.extend_from_slice(&enc);
    out.push(("store_open", "appended-commit".into(), v));
}

fn nbd_option(out: &mut Vec<u8>, option: u32, data: &[u8]) {
    use rvm::nbd::wire::IHAVEOPT;
    out.extend_from_slice(&IHAVEOPT.to_be_bytes());
    out.extend_from_slice(&option.to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
}

fn name_and_infos(name: &str, infos: &[u16]) -> Vec<u8> {
    let mut d = (name.len() as u32).to_be_bytes().to_vec();
    d.extend_from_slice(name.as_bytes());
    d.extend_from_slice(&(infos.len() as u16).to_be_bytes());
    for i in infos {
        d.extend_from_slice(&i.to_be_bytes());
    }
    d
}

fn meta_context(name: &str, queries: &[&str]) -> Vec<u8> {
    let mut d = (name.len() as u32).to_be_bytes().to_vec();
    d.extend_from_slice(name.as_bytes());
    d.extend_from_slice(&(queries.len() as u32).to_be_bytes());
    for q in queries {
        d.extend_from_slice(&(q.len() as u32).to_be_bytes());
        d.extend_from_slice(q.as_bytes());
    }
    d
}

fn request(out: &mut Vec<u8>, flags: u16, cmd: u16, handle: u64, offset: u64, len: u32) {
    use rvm::nbd::wire::REQUEST_MAGIC;
    out.extend_from_slice(&REQUEST_MAGIC.to_be_bytes());
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&cmd.to_be_bytes());
    out.extend_from_slice(&handle.to_be_bytes());
    out.extend_from_slice(&offset.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
}

/// Every command once, with the flags a real client sends.
fn requests() -> Vec<u8> {
    use rvm::nbd::wire::*;
    let mut r = Vec::new();
    request(&mut r, 0, CMD_WRITE, 1, 4096, 4096);
    r.extend_from_slice(&[0x5a; 4096]);
    request(&mut r, CMD_FLAG_FUA, CMD_WRITE, 2, 0, 512);
    r.extend_from_slice(&[0xa5; 512]);
    request(&mut r, CMD_FLAG_DF, CMD_READ, 3, 0, 8192);
    request(&mut r, 0, CMD_FLUSH, 4, 0, 0);
    request(&mut r, 0, CMD_TRIM, 5, 8192, 4096);
    request(&mut r, CMD_FLAG_NO_HOLE, CMD_WRITE_ZEROES, 6, 65536, 4096);
    request(&mut r, CMD_FLAG_FAST_ZERO, CMD_WRITE_ZEROES, 7, 0, 65536);
    request(&mut r, 0, CMD_BLOCK_STATUS, 8, 0, 1 << 20);
    request(&mut r, CMD_FLAG_REQ_ONE, CMD_BLOCK_STATUS, 9, 4096, 65536);
    request(&mut r, 0, CMD_CACHE, 10, 0, 65536);
    request(&mut r, 0, CMD_READ, 11, (1 << 20) - 512, 1024);
    request(&mut r, 0, CMD_DISC, 12, 0, 0);
    r
}

fn nbd_seeds(out: &mut Vec<Seed>) {
    use rvm::nbd::wire::*;
    let flags = (FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES).to_be_bytes();
    let mut go = flags.to_vec();
    nbd_option(&mut go, OPT_STRUCTURED_REPLY, &[]);
    nbd_option(
        &mut go,
        OPT_SET_META_CONTEXT,
        &meta_context("disk", &[BASE_ALLOCATION]),
    );
    nbd_option(
        &mut go,
        OPT_GO,
        &name_and_infos("disk", &[INFO_NAME, INFO_DESCRIPTION, INFO_BLOCK_SIZE]),
    );
    go.extend_from_slice(&requests());
    out.push(("nbd_handshake", "go-structured".into(), with_mode(0, &go)));
    out.push(("nbd_handshake", "go-in-pieces".into(), with_mode(7, &go)));
    let mut list = flags.to_vec();
    nbd_option(&mut list, OPT_LIST, &[]);
    nbd_option(&mut list, OPT_LIST_META_CONTEXT, &meta_context("disk", &[]));
    nbd_option(&mut list, OPT_INFO, &name_and_infos("", &[INFO_EXPORT]));
    nbd_option(&mut list, OPT_STARTTLS, &[]);
    nbd_option(&mut list, 0x4242, &[1, 2, 3]);
    nbd_option(&mut list, OPT_ABORT, &[]);
    out.push((
        "nbd_handshake",
        "list-info-abort".into(),
        with_mode(0, &list),
    ));
    let mut old = flags.to_vec();
    nbd_option(&mut old, OPT_EXPORT_NAME, b"disk");
    old.extend_from_slice(&requests());
    out.push(("nbd_handshake", "export-name".into(), with_mode(0, &old)));
    out.push(("nbd_requests", "simple".into(), with_mode(8, &requests())));
    out.push((
        "nbd_requests",
        "structured".into(),
        with_mode(1 | 2 | 8, &requests()),
    ));
    out.push((
        "nbd_requests",
        "read-only".into(),
        with_mode(1 | 4 | 8, &requests()),
    ));
}

fn bhs(op: u8, flags: u8, itt: u32) -> Bhs {
    let mut b = Bhs::default();
    b.0[0] = op;
    b.0[1] = flags;
    b.set_itt(itt);
    b
}

/// A SCSI Command PDU with its CDB, for LUN 0.
fn scsi(itt: u32, cmd_sn: u32, read: bool, write: bool, expected: u32, cdb: &[u8]) -> Bhs {
    let mut b = bhs(
        0x01,
        0x80 | if read { 0x40 } else { 0 } | if write { 0x20 } else { 0 } | 1,
        itt,
    );
    b.put_u32(20, expected);
    b.put_u32(24, cmd_sn);
    b.put_u32(28, 1);
    b.0[32..32 + cdb.len()].copy_from_slice(cdb);
    b
}

fn framed(pdus: &[(Bhs, Vec<u8>)]) -> Vec<u8> {
    let mut v = Vec::new();
    for (b, d) in pdus {
        let mut b = *b;
        b.set_data_len(d.len() as u32);
        v.extend_from_slice(&b.0);
        v.extend_from_slice(d);
        v.resize(v.len() + rvm::iscsi::pdu::pad_len(d.len()), 0);
    }
    v
}

fn sequenced(pdus: &[(Bhs, Vec<u8>)]) -> Vec<u8> {
    let mut v = Vec::new();
    for (b, d) in pdus {
        v.extend_from_slice(&b.0);
        v.extend_from_slice(&(d.len() as u16).to_be_bytes());
        v.extend_from_slice(d);
    }
    v
}

fn iscsi_seeds(out: &mut Vec<Seed>) {
    let (login, text) = super::iscsi::login_request(&super::iscsi::login_text());
    let mut v = login.0.to_vec();
    v.push(text.len().div_ceil(4) as u8);
    v.extend_from_slice(&text);
    v.resize(v.len() + text.len().div_ceil(4) * 4 - text.len(), 0);
    out.push(("iscsi_login", "operational".into(), v));
    // Security stage first, then operational.
    let mut sec = bhs(0x43, 0x80 | 1, 1);
    sec.put_u48(8, 0x0002_3d00_0002);
    let st = b"InitiatorName=iqn.2026-11.org.example:init\0TargetName=iqn.2026-11.org.example:fuzz\0SessionType=Normal\0AuthMethod=None\0";
    let mut v = sec.0.to_vec();
    v.push(st.len().div_ceil(4) as u8);
    v.extend_from_slice(st);
    v.resize(v.len() + st.len().div_ceil(4) * 4 - st.len(), 0);
    out.push(("iscsi_login", "security-stage".into(), v));

    let read10 = [0x28, 0, 0, 0, 0, 8, 0, 0, 8, 0];
    let write10 = [0x2a, 0, 0, 0, 0, 16, 0, 0, 1, 0];
    let mut nop = bhs(0x40, 0x80, 9);
    nop.put_u32(20, 0xffff_ffff);
    nop.put_u32(24, 4);
    let mut text = bhs(0x44, 0x80, 10);
    text.put_u32(20, 0xffff_ffff);
    text.put_u32(24, 5);
    let mut tmf = bhs(0x42, 0x80 | 1, 11);
    tmf.put_u32(20, 7);
    tmf.put_u32(24, 6);
    let mut logout = bhs(0x46, 0x80, 12);
    logout.put_u32(24, 7);
    let pdus = vec![
        (scsi(1, 1, true, false, 4096, &read10), Vec::new()),
        (scsi(2, 2, false, true, 512, &write10), vec![0x33; 512]),
        (
            scsi(3, 3, false, false, 0, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Vec::new(),
        ),
        (nop, b"ping".to_vec()),
        (text, b"SendTargets=All\0".to_vec()),
        (tmf, Vec::new()),
        (logout, Vec::new()),
    ];
    out.push((
        "iscsi_pdu",
        "session".into(),
        with_mode(0, &sequenced(&pdus)),
    ));
    out.push(("iscsi_pdu", "framed".into(), with_mode(1, &framed(&pdus))));
    // A write larger than the immediate data: R2T and Data-Out.
    let w = scsi(4, 1, false, true, 8192, &[0x2a, 0, 0, 0, 0, 0, 0, 0, 16, 0]);
    let mut data_out = bhs(0x05, 0x80, 4);
    data_out.put_u32(20, 0xffff_ffff);
    data_out.put_u32(40, 0);
    data_out.put_u32(36, 4096);
    let pdus = vec![(w, vec![0x44; 4096]), (data_out, vec![0x45; 4096])];
    out.push((
        "iscsi_pdu",
        "r2t-write".into(),
        with_mode(0, &sequenced(&pdus)),
    ));

    let cdbs: &[(u8, &[u8], u16, Vec<u8>)] = &[
        (0, &[0x00, 0, 0, 0, 0, 0], 0, vec![]),
        (0, &[0x12, 0, 0, 0, 96, 0], 96, vec![]),
        (0, &[0x12, 1, 0x83, 0, 255, 0], 255, vec![]),
        (0, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8, vec![]),
        (
            0,
            &[0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0],
            32,
            vec![],
        ),
        (0, &[0x28, 0, 0, 0, 0, 1, 0, 0, 2, 0], 1024, vec![]),
        (0, &[0x2a, 0, 0, 0, 0, 1, 0, 0, 1, 0], 0, vec![0x61; 512]),
        (1, &[0x2a, 0, 0, 0, 0, 1, 0, 0, 1, 0], 0, vec![0x62; 512]),
        (0, &[0x1a, 0, 0x3f, 0, 255, 0], 255, vec![]),
        (0, &[0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], 1024, vec![]),
        (0, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0, vec![]),
        (
            0,
            &[0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0],
            0,
            [
                vec![0, 22, 0, 16, 0, 0, 0, 0],
                vec![0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 0],
            ]
            .concat(),
        ),
        (0, &[0x41, 0, 0, 0, 0, 0, 0, 0, 8, 0], 0, vec![0x71; 512]),
        (
            0,
            &[0x89, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0],
            0,
            vec![0; 1024],
        ),
        (0, &[0x5f, 0, 0, 0, 0, 0, 0, 0, 24, 0], 0, {
            let mut p = vec![0u8; 24];
            p[8..16].copy_from_slice(&0x1234u64.to_be_bytes());
            p
        }),
        (0, &[0x5e, 0, 0, 0, 0, 0, 0, 4, 0, 0], 1024, vec![]),
        (0x80, &[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0], 512, vec![]),
        (
            0,
            &[0xa3, 0x0c, 0x01, 0, 0, 0, 0, 0, 4, 0, 0, 0],
            1024,
            vec![],
        ),
        (0, &[0x03, 0, 0, 0, 252, 0], 252, vec![]),
    ];
    let mut all = Vec::new();
    for (i, (lun, cdb, expected, data)) in cdbs.iter().enumerate() {
        let mut v = vec![*lun, cdb.len() as u8];
        v.extend_from_slice(cdb);
        v.extend_from_slice(&(expected.div_ceil(16)).to_be_bytes());
        v.extend_from_slice(&(data.len() as u16).to_be_bytes());
        v.extend_from_slice(data);
        out.push(("scsi_cdb", format!("cdb{i:02}-{:02x}", cdb[0]), v.clone()));
        all.extend_from_slice(&v);
    }
    out.push(("scsi_cdb", "all".into(), all));
}

/// Every seed of every target.
pub fn all() -> Vec<Seed> {
    let mut out = Vec::new();
    label_seeds(&mut out);
    record_seeds(&mut out);
    store_seeds(&mut out);
    nbd_seeds(&mut out);
    iscsi_seeds(&mut out);
    control_seeds(&mut out);
    out
}

fn control_seeds(out: &mut Vec<Seed>) {
    use rvm::daemon::control::wire::{frame, Kind, Request};
    let req = Request {
        argv: ["rvm", "lvcreate", "-L", "10G", "-n", "vol", "vg0"]
            .iter()
            .map(Into::into)
            .collect(),
        cwd: "/root".into(),
        vars: vec![("RVM_SYSTEM_DIR".into(), "/etc/rvm".into())],
        interactive: true,
    };
    let mut stream = frame(Kind::Request, &req.encode());
    out.push(("control_request", "lvcreate".into(), stream.clone()));
    stream.extend_from_slice(&frame(Kind::Answer, b"y\n"));
    out.push(("control_request", "lvcreate-answered".into(), stream));
}
