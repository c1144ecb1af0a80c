//! Golden and round-trip tests of the exception store encodings; the byte positions here
//! are the ones docs/format-snapshot.md documents.

use super::*;

fn header() -> StoreHeader {
    StoreHeader {
        generation: 0x1122_3344_5566_7788,
        seqno: 7,
        snapshot: *b"SnapSnapSnapSnapSnapSnapSnapSnap",
        origin: *b"OrigOrigOrigOrigOrigOrigOrigOrig",
        chunk_size: 4096,
        store_id: 3,
        area_sectors: 128,
        flags: FLAG_MERGING,
        incompat: 0,
        ro_compat: 0,
        compat: 0,
        store_chunks: 1024,
        used_chunks: 40,
        exceptions: 21,
        merge_total: 21,
        merged: 5,
        log_seqno: 9,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn header_bytes_are_pinned() {
    let b = encode_header(&header(), 512);
    assert_eq!(&b[0..4], b"RVMC");
    assert_eq!(b[4], 1, "kind: header");
    assert_eq!(b[5], 1, "version");
    assert_eq!(hex(&b[8..16]), "0002000000000000", "own location, LE");
    assert_eq!(hex(&b[16..24]), "8877665544332211", "generation, LE");
    assert_eq!(hex(&b[24..32]), "0700000000000000", "seqno");
    assert_eq!(&b[32..64], b"SnapSnapSnapSnapSnapSnapSnapSnap");
    assert_eq!(&b[64..96], b"OrigOrigOrigOrigOrigOrigOrigOrig");
    assert_eq!(hex(&b[96..112]), "00100000030000008000000002000000");
    assert_eq!(hex(&b[112..128]), "00000000000000000000000000000000");
    assert_eq!(
        hex(&b[128..176]),
        concat!(
            "0004000000000000",
            "2800000000000000",
            "1500000000000000",
            "1500000000000000",
            "0500000000000000",
            "0900000000000000"
        )
    );
    assert!(b[176..508].iter().all(|&x| x == 0));
    assert_eq!(
        hex(&b[508..512]),
        "737aa966",
        "salted CRC-32 of bytes 0..508"
    );
    assert_eq!(decode_header(&b, 512).unwrap(), header());
}

#[test]
fn log_sector_bytes_are_pinned() {
    let s = LogSector {
        location: 0x1_0000,
        generation: 0x1122_3344_5566_7788,
        seqno: 2,
        nonce: 0xdead_beef,
        index: 1,
        count: 3,
        next_area: 0,
        entries: vec![
            Entry::Exception {
                origin_chunk: 0x0102,
                store_id: 3,
                store_generation: 0xaabb,
                store_chunk: 17,
            },
            Entry::Merged { origin_chunk: 5 },
        ],
    };
    let b = encode_log_sector(&s).unwrap();
    assert_eq!(&b[0..4], b"RVMC");
    assert_eq!(
        hex(&b[4..8]),
        "02010200",
        "kind log, version 1, two entries"
    );
    assert_eq!(hex(&b[8..16]), "0000010000000000");
    assert_eq!(
        hex(&b[24..48]),
        "0200000000000000efbeadde010003000000000000000000"
    );
    assert_eq!(
        hex(&b[48..80]),
        concat!(
            "01000000",
            "03000000",
            "0201000000000000",
            "1100000000000000",
            "bbaa000000000000"
        )
    );
    assert_eq!(
        hex(&b[80..112]),
        "0200000000000000050000000000000000000000000000000000000000000000"
    );
    assert!(b[112..508].iter().all(|&x| x == 0));
    assert_eq!(
        hex(&b[508..512]),
        "f1f3c071",
        "salted CRC-32 of bytes 0..508"
    );
    assert_eq!(
        decode_log_sector(&b, 0x1_0000, 0x1122_3344_5566_7788).unwrap(),
        s
    );
}

#[test]
fn header_round_trips_and_rejects_damage() {
    let h = header();
    let b = encode_header(&h, 0);
    assert_eq!(decode_header(&b, 0).unwrap(), h);
    assert_eq!(
        decode_header(&b, 512),
        Err(CowError::Location {
            expected: 512,
            found: 0
        })
    );
    for byte in [0usize, 4, 5, 20, 100, 300, 509] {
        let mut bad = b;
        bad[byte] ^= 0x40;
        assert!(decode_header(&bad, 0).is_err(), "flip in byte {byte}");
    }
    // A log sector never verifies as a header, even at the same place.
    let log = encode_log_sector(&LogSector {
        location: 0,
        generation: 1,
        seqno: 1,
        nonce: 1,
        index: 0,
        count: 1,
        next_area: 0,
        entries: vec![],
    })
    .unwrap();
    assert!(decode_header(&log, 0).is_err());
}

#[test]
fn unknown_features_are_refused_or_flagged() {
    let mut h = header();
    h.incompat = 1 << 4;
    let b = encode_header(&h, 0);
    assert_eq!(
        decode_header(&b, 0),
        Err(CowError::UnknownFeatures {
            class: "incompatible",
            bits: 1 << 4
        })
    );
    let mut h = header();
    h.ro_compat = 1;
    assert!(decode_header(&encode_header(&h, 0), 0)
        .unwrap()
        .needs_read_only());
    h.compat = 1;
    h.ro_compat = 0;
    assert!(!decode_header(&encode_header(&h, 0), 0)
        .unwrap()
        .needs_read_only());
}

#[test]
fn log_sector_checks_generation_and_shape() {
    let s = LogSector {
        location: 4096,
        generation: 9,
        seqno: 1,
        nonce: 2,
        index: 0,
        count: 1,
        next_area: 77,
        entries: (0..ENTRIES_PER_SECTOR as u64)
            .map(|i| Entry::Exception {
                origin_chunk: i * 3,
                store_id: 1,
                store_generation: 9,
                store_chunk: i + 100,
            })
            .collect(),
    };
    let b = encode_log_sector(&s).unwrap();
    assert_eq!(decode_log_sector(&b, 4096, 9).unwrap(), s);
    assert_eq!(
        decode_log_sector(&b, 4096, 8),
        Err(CowError::Generation {
            expected: 8,
            found: 9
        })
    );
    let mut too_many = s.clone();
    too_many.entries.push(Entry::Merged { origin_chunk: 0 });
    assert!(encode_log_sector(&too_many).is_err());
    let mut bad_index = s;
    bad_index.index = 1;
    assert!(encode_log_sector(&bad_index).is_err());
}

#[test]
fn chunk_sizes_follow_lvm2() {
    for ok in [4096u64, 8192, 65536, 512 << 10] {
        assert!(validate_chunk_size(ok).is_ok());
    }
    for bad in [0u64, 2048, 4095, 6144, 1 << 20] {
        assert_eq!(validate_chunk_size(bad), Err(CowError::ChunkSize(bad)));
    }
    assert_eq!(area_sectors(4096), 128);
    assert_eq!(area_sectors(512 << 10), 1024);
}

mod fuzzish {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 512)) {
            let _ = decode_header(&bytes, 0);
            let _ = decode_log_sector(&bytes, 0, 0);
        }
    }
}
