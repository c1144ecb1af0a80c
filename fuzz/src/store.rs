//! The snapshot exception store: its header and log sectors decoded alone, and whole stores
//! with fuzzed log areas and headers opened by the engine.

use super::mode;
use rvm::block::{BlockDevice, MemDevice};
use rvm::engine::{EngineSettings, NoHost, Origin, OriginSpec, Piece, SnapshotSpec, Volume};
use rvm::format::cow::{self, SECTOR};
use rvm::format::id::Id;
use rvm::meta::model::SnapshotInfo;
use std::sync::{Arc, OnceLock};

const SALT_HEADER: u32 = 0x4856_4d52;
const SALT_LOG: u32 = 0x4c56_4d52;
const CRC_AT: usize = 508;

/// Rewrites a block's checksum so that it verifies.
pub fn reseal(b: &mut [u8], salt: u32) {
    let mut h = crc32fast::Hasher::new_with_initial(salt);
    h.update(&b[..CRC_AT]);
    let c = h.finalize();
    b[CRC_AT..CRC_AT + 4].copy_from_slice(&c.to_le_bytes());
}

fn sector(body: &[u8]) -> [u8; SECTOR] {
    let mut b = [0u8; SECTOR];
    let n = body.len().min(SECTOR);
    b[..n].copy_from_slice(&body[..n]);
    b
}

/// A header or log sector alone. Mode bit 0 picks the kind, bit 1 fixes the checksum, bit
/// 2 the location and (for logs) the generation. What decodes re-encodes to itself.
pub fn store_blocks(data: &[u8]) {
    let (m, body) = mode(data);
    let mut b = sector(body);
    let at: u64 = if m & 8 == 0 { 0 } else { 512 };
    let generation: u64 = 0x0123_4567_89ab_cdef;
    if m & 4 != 0 {
        b[8..16].copy_from_slice(&at.to_le_bytes());
        b[16..24].copy_from_slice(&generation.to_le_bytes());
    }
    if m & 1 == 0 {
        if m & 2 != 0 {
            reseal(&mut b, SALT_HEADER);
        }
        if let Ok(h) = cow::decode_header(&b, at) {
            let again = cow::decode_header(&cow::encode_header(&h, at), at).expect("re-encoded");
            assert_eq!(again, h, "header round trip");
        }
    } else {
        if m & 2 != 0 {
            reseal(&mut b, SALT_LOG);
        }
        if let Ok(s) = cow::decode_log_sector(&b, at, generation) {
            assert!(s.entries.len() <= cow::ENTRIES_PER_SECTOR);
            let enc = cow::encode_log_sector(&s).expect("a decoded sector encodes");
            let again = cow::decode_log_sector(&enc, at, generation).expect("re-encoded");
            assert_eq!(again, s, "log sector round trip");
        }
    }
}

const ORIGIN: u64 = 256 << 10;
const STORE_AT: u64 = 256 << 10;
const STORE: u64 = 512 << 10;
const CHUNK: u64 = 4096;
/// Sectors in the first metadata area (64 KiB at chunk 1).
const AREA_SECTORS: u64 = (64 << 10) / SECTOR as u64;

struct Fixture {
    image: Arc<Vec<u8>>,
    origin: Id,
    snap: Id,
    generation: u64,
}

fn pieces(dev: &Arc<dyn BlockDevice>) -> (Piece, Piece) {
    (
        Piece {
            device: dev.clone(),
            lv_offset: 0,
            dev_offset: 0,
            len: ORIGIN,
        },
        Piece {
            device: dev.clone(),
            lv_offset: 0,
            dev_offset: STORE_AT,
            len: STORE,
        },
    )
}

fn specs(f: &Fixture, dev: &Arc<dyn BlockDevice>) -> (OriginSpec, SnapshotSpec) {
    let (o, s) = pieces(dev);
    (
        OriginSpec {
            id: f.origin,
            pieces: vec![o],
            read_only: false,
        },
        SnapshotSpec {
            id: f.snap,
            info: SnapshotInfo {
                origin: f.origin,
                chunk_size: CHUNK,
                store_id: 1,
                merging: false,
            },
            pieces: vec![s],
            read_only: false,
        },
    )
}

fn settings() -> EngineSettings {
    EngineSettings {
        commit_interval: std::time::Duration::from_secs(3600),
        ..EngineSettings::default()
    }
}

/// An origin with one writable snapshot and a few commits in its log.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut f = Fixture {
            image: Arc::new(Vec::new()),
            origin: Id::from_bytes(&[b'O'; 32]).expect("id"),
            snap: Id::from_bytes(&[b'S'; 32]).expect("id"),
            generation: 0,
        };
        let mem = Arc::new(MemDevice::new("pv", STORE_AT + STORE));
        let dev: Arc<dyn BlockDevice> = mem.clone();
        let (o, s) = specs(&f, &dev);
        let origin = Origin::open(o, Vec::new(), settings(), Arc::new(NoHost)).expect("open");
        origin
            .write_at(&vec![0x11; ORIGIN as usize], 0, false)
            .expect("write");
        origin.create_snapshot(s).expect("snapshot");
        for i in 0..6u64 {
            origin
                .write_at(&vec![i as u8; 4096], i * 3 * CHUNK, false)
                .expect("write");
            origin.flush().expect("flush");
        }
        let snap = origin.snapshot(&f.snap).expect("snapshot");
        snap.write_at(&[0x77; 4096], 5 * CHUNK, false)
            .expect("write");
        snap.flush().expect("flush");
        origin.close().expect("close");
        f.image = Arc::new(mem.snapshot());
        let at = STORE_AT as usize;
        let h = cow::decode_header(&f.image[at..at + SECTOR], 0)
            .or_else(|_| cow::decode_header(&f.image[at + SECTOR..at + 2 * SECTOR], 512))
            .expect("a header");
        f.generation = h.generation;
        f
    })
}

/// A whole store whose log (from a chosen sector of the first area) and optionally header
/// come from the input, opened, read, written and closed by the engine. Mode bits: 0 fix
/// checksums, 1 fix locations and generations, 2 replace the newer header slot too; the
/// next byte picks the first sector replaced.
pub fn store_open(data: &[u8]) {
    let f = fixture();
    let (m, rest) = mode(data);
    let (start, rest) = mode(rest);
    let image = super::Overlay::new(f.image.clone());
    let put = |at: usize, b: &[u8; SECTOR]| {
        let _ = image.write_at(b, at as u64);
    };
    let mut chunks = rest.chunks(SECTOR);
    if m & 4 != 0 {
        if let Some(c) = chunks.next() {
            let slot = (m as u64 >> 3) & 1;
            let mut b = sector(c);
            if m & 2 != 0 {
                b[8..16].copy_from_slice(&(slot * 512).to_le_bytes());
            }
            if m & 1 != 0 {
                reseal(&mut b, SALT_HEADER);
            }
            put((STORE_AT + slot * 512) as usize, &b);
        }
    }
    let first = start as u64 % AREA_SECTORS;
    for (i, c) in chunks.enumerate() {
        let s = first + i as u64;
        if s >= AREA_SECTORS {
            break;
        }
        let loc = CHUNK + s * SECTOR as u64;
        let mut b = sector(c);
        if m & 2 != 0 {
            b[8..16].copy_from_slice(&loc.to_le_bytes());
            b[16..24].copy_from_slice(&f.generation.to_le_bytes());
            // Exceptions name their store by generation too.
            for e in 0..cow::ENTRIES_PER_SECTOR {
                let at = cow::LOG_HEADER_SIZE + e * cow::ENTRY_SIZE;
                if b[at] == 1 {
                    b[at + 24..at + 32].copy_from_slice(&f.generation.to_le_bytes());
                }
            }
        }
        if m & 1 != 0 {
            reseal(&mut b, SALT_LOG);
        }
        put((STORE_AT + loc) as usize, &b);
    }
    let dev: Arc<dyn BlockDevice> = Arc::new(image);
    let (o, s) = specs(f, &dev);
    let Ok(origin) = Origin::open(o, vec![s], settings(), Arc::new(NoHost)) else {
        return;
    };
    let mut buf = vec![0u8; ORIGIN as usize];
    let _ = origin.read_at(&mut buf, 0);
    if let Some(snap) = origin.snapshot(&f.snap) {
        let _ = snap.read_at(&mut buf, 0);
        let _ = snap.write_at(&[0x55; 4096], 9 * CHUNK, false);
        let _ = snap.status();
    }
    // Copy-on-write over whatever the log claimed.
    for i in 0..4u64 {
        let _ = origin.write_at(&[0xaa; 4096], i * 7 * CHUNK, false);
    }
    let _ = origin.flush();
    let _ = origin.close();
}

/// The fixture store's newer header slot and its first metadata area, as written.
pub fn fixture_bytes() -> (Vec<u8>, Vec<u8>) {
    let f = fixture();
    let at = STORE_AT as usize;
    let slot = [0usize, SECTOR]
        .into_iter()
        .max_by_key(|&o| {
            cow::decode_header(&f.image[at + o..at + o + SECTOR], o as u64)
                .map(|h| h.seqno)
                .unwrap_or(0)
        })
        .unwrap_or(0);
    let header = f.image[at + slot..at + slot + SECTOR].to_vec();
    let area = at + CHUNK as usize;
    (
        header,
        f.image[area..area + (AREA_SECTORS as usize) * SECTOR].to_vec(),
    )
}

/// The fixture store's generation.
pub fn fixture_generation() -> u64 {
    fixture().generation
}

/// Log sectors the fixture's commits occupy at the start of its first area.
pub fn fixture_log_sectors() -> u64 {
    let f = fixture();
    let (_, area) = fixture_bytes();
    (0..AREA_SECTORS)
        .take_while(|&i| {
            let b = &area[i as usize * SECTOR..(i as usize + 1) * SECTOR];
            cow::decode_log_sector(b, CHUNK + i * SECTOR as u64, f.generation).is_ok()
        })
        .count() as u64
}
