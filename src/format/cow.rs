//! The snapshot exception store's on-disk encodings (see `docs/format-snapshot.md`).
//!
//! A store is the snapshot LV's own extents, addressed as one byte range. Its first chunk
//! holds two 512-byte header slots; the exception log lives in metadata areas chained from
//! chunk 1, interleaved with the data chunks that hold copied origin data. Every 512-byte
//! block names itself (magic, kind, its own location, the store generation, a sequence
//! number) and ends in a CRC-32 salted by its kind, so a block left on reused extents, a
//! block written to the wrong place and a torn block are all recognised and ignored.
//!
//! Pure functions over bytes: no I/O here (`tests/layering.rs` keeps it so).

/// Every metadata block is one sector: a tear at a 512-byte boundary can only lose the
/// block being written, never one committed earlier.
pub const SECTOR: usize = 512;

/// First four bytes of every store block.
pub const MAGIC: [u8; 4] = *b"RVMC";

/// Format version written by this code; blocks of another version are refused.
pub const VERSION: u8 = 1;

/// Byte offsets of the two header slots; commits alternate between them.
pub const HEADER_SLOTS: [u64; 2] = [0, SECTOR as u64];

/// Smallest and largest copy-on-write chunk, as LVM2 allows them.
pub const MIN_CHUNK: u64 = 4 << 10;
pub const MAX_CHUNK: u64 = 512 << 10;

/// Metadata areas are at least this large (and at least one chunk).
pub const MIN_AREA_BYTES: u64 = 64 << 10;

/// Bytes of one log entry.
pub const ENTRY_SIZE: usize = 32;

/// Bytes before the first entry of a log sector.
pub const LOG_HEADER_SIZE: usize = 48;

/// Entries one log sector holds.
pub const ENTRIES_PER_SECTOR: usize = 14;

/// Where the CRC sits in every block: the last four bytes.
const CRC_AT: usize = SECTOR - 4;

/// CRC seeds, one per block kind, so a block of one kind never verifies as another.
const SALT_HEADER: u32 = 0x4856_4d52; // "RMVH"
const SALT_LOG: u32 = 0x4c56_4d52; // "RMVL"

/// Header flag: the snapshot overflowed or lost data; its reads fail from now on.
pub const FLAG_INVALID: u32 = 1 << 0;
/// Header flag: `lvconvert --merge` started; the origin reads as this snapshot.
pub const FLAG_MERGING: u32 = 1 << 1;
/// Every flag this version knows.
const KNOWN_FLAGS: u32 = FLAG_INVALID | FLAG_MERGING;

/// Feature bits this version understands, per class (none yet).
pub const KNOWN_INCOMPAT: u32 = 0;
pub const KNOWN_RO_COMPAT: u32 = 0;

/// What a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum BlockKind {
    Header = 1,
    Log = 2,
}

impl BlockKind {
    fn salt(self) -> u32 {
        match self {
            BlockKind::Header => SALT_HEADER,
            BlockKind::Log => SALT_LOG,
        }
    }
}

/// Why a block was not accepted. Callers treat most of these as "not a block of this
/// store" and stop reading; none of them is a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CowError {
    #[error("block is {0} bytes, not {SECTOR}")]
    Size(usize),
    #[error("no exception store magic")]
    Magic,
    #[error("block kind {found} where kind {expected} was expected")]
    Kind { expected: u8, found: u8 },
    #[error("exception store version {0} is not supported (this rvm writes {VERSION})")]
    Version(u8),
    #[error("checksum mismatch")]
    Checksum,
    #[error("block claims location {found}, but was read at {expected}")]
    Location { expected: u64, found: u64 },
    #[error("block belongs to store generation {found:#x}, not {expected:#x}")]
    Generation { expected: u64, found: u64 },
    #[error("malformed block: {0}")]
    Malformed(&'static str),
    #[error("the exception store needs features this rvm lacks: {class} {bits:#x}")]
    UnknownFeatures { class: &'static str, bits: u32 },
    #[error("chunk size {0} is not a power of two from 4 KiB to 512 KiB")]
    ChunkSize(u64),
}

/// Checks a copy-on-write chunk size the way `lvcreate -c` must.
pub fn validate_chunk_size(bytes: u64) -> Result<(), CowError> {
    if bytes.is_power_of_two() && (MIN_CHUNK..=MAX_CHUNK).contains(&bytes) {
        Ok(())
    } else {
        Err(CowError::ChunkSize(bytes))
    }
}

/// Sectors in each metadata area for a chunk size: at least 64 KiB, whole chunks.
pub fn area_sectors(chunk_size: u64) -> u32 {
    (chunk_size.max(MIN_AREA_BYTES) / SECTOR as u64) as u32
}

/// The store's header: identity, geometry and state, the only thing `lvs` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreHeader {
    /// Random per store creation: blocks of any older store on the same extents differ.
    pub generation: u64,
    /// Header sequence number; the valid slot with the higher one wins.
    pub seqno: u64,
    /// The snapshot LV's id.
    pub snapshot: [u8; 32],
    /// The origin LV's id.
    pub origin: [u8; 32],
    pub chunk_size: u32,
    /// The per-VG number other snapshots' exceptions use to name this store.
    pub store_id: u32,
    /// Sectors per metadata area.
    pub area_sectors: u32,
    /// `FLAG_INVALID`, `FLAG_MERGING`.
    pub flags: u32,
    pub incompat: u32,
    pub ro_compat: u32,
    pub compat: u32,
    /// Store size in chunks when the header was written.
    pub store_chunks: u64,
    /// Chunks accounted to this snapshot (header, areas, own and borrowed data).
    pub used_chunks: u64,
    /// Distinct origin chunks with an exception.
    pub exceptions: u64,
    /// Exceptions to merge, fixed when the merge starts.
    pub merge_total: u64,
    /// Exceptions merged so far.
    pub merged: u64,
    /// Sequence number of the last log commit when the header was written.
    pub log_seqno: u64,
}

/// One record of the exception log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entry {
    /// Origin chunk `origin_chunk` of this snapshot's point in time lives in chunk
    /// `store_chunk` of store `store_id` (this one or another snapshot's, whose
    /// generation is `store_generation`). A later entry for the same chunk replaces it.
    Exception {
        origin_chunk: u64,
        store_id: u32,
        store_generation: u64,
        store_chunk: u64,
    },
    /// The merge copied this origin chunk back; the copy will not be redone.
    Merged { origin_chunk: u64 },
}

const ENTRY_EXCEPTION: u8 = 1;
const ENTRY_MERGED: u8 = 2;

/// One 512-byte sector of the exception log. A commit is `count` consecutive sectors
/// (following area links) sharing `seqno` and `nonce`; it counts only if all are valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSector {
    /// Byte offset of this sector in the store.
    pub location: u64,
    pub generation: u64,
    /// Commit sequence number, strictly increasing from commit to commit.
    pub seqno: u64,
    /// Random per commit attempt, so sectors of an abandoned attempt never join a later one.
    pub nonce: u32,
    /// Position of this sector within its commit.
    pub index: u16,
    /// Sectors in the commit.
    pub count: u16,
    /// In the last sector of an area: the chunk where the next area starts; else 0.
    pub next_area: u64,
    /// At most [`ENTRIES_PER_SECTOR`].
    pub entries: Vec<Entry>,
}

fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}
fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
fn get_u16(b: &[u8], at: usize) -> u16 {
    let mut a = [0u8; 2];
    a.copy_from_slice(&b[at..at + 2]);
    u16::from_le_bytes(a)
}
fn get_u32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}
fn get_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

fn crc(kind: BlockKind, b: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(kind.salt());
    h.update(&b[..CRC_AT]);
    h.finalize()
}

/// Writes the common prefix (magic, kind, version) and returns a zeroed block.
fn start_block(kind: BlockKind) -> [u8; SECTOR] {
    let mut b = [0u8; SECTOR];
    b[0..4].copy_from_slice(&MAGIC);
    b[4] = kind as u8;
    b[5] = VERSION;
    b
}

fn seal(kind: BlockKind, b: &mut [u8; SECTOR]) {
    let c = crc(kind, b);
    put_u32(b, CRC_AT, c);
}

/// Checks size, magic, kind, version, CRC and location: everything a block of any kind
/// must satisfy before its fields mean anything.
fn open_block(bytes: &[u8], kind: BlockKind, location: u64) -> Result<(), CowError> {
    if bytes.len() != SECTOR {
        return Err(CowError::Size(bytes.len()));
    }
    if bytes[0..4] != MAGIC {
        return Err(CowError::Magic);
    }
    if bytes[4] != kind as u8 {
        return Err(CowError::Kind {
            expected: kind as u8,
            found: bytes[4],
        });
    }
    if bytes[5] != VERSION {
        return Err(CowError::Version(bytes[5]));
    }
    if get_u32(bytes, CRC_AT) != crc(kind, bytes) {
        return Err(CowError::Checksum);
    }
    let found = get_u64(bytes, 8);
    if found != location {
        return Err(CowError::Location {
            expected: location,
            found,
        });
    }
    Ok(())
}

/// Encodes a header for the slot at byte `location`.
pub fn encode_header(h: &StoreHeader, location: u64) -> [u8; SECTOR] {
    let mut b = start_block(BlockKind::Header);
    put_u64(&mut b, 8, location);
    put_u64(&mut b, 16, h.generation);
    put_u64(&mut b, 24, h.seqno);
    b[32..64].copy_from_slice(&h.snapshot);
    b[64..96].copy_from_slice(&h.origin);
    put_u32(&mut b, 96, h.chunk_size);
    put_u32(&mut b, 100, h.store_id);
    put_u32(&mut b, 104, h.area_sectors);
    put_u32(&mut b, 108, h.flags);
    put_u32(&mut b, 112, h.incompat);
    put_u32(&mut b, 116, h.ro_compat);
    put_u32(&mut b, 120, h.compat);
    put_u64(&mut b, 128, h.store_chunks);
    put_u64(&mut b, 136, h.used_chunks);
    put_u64(&mut b, 144, h.exceptions);
    put_u64(&mut b, 152, h.merge_total);
    put_u64(&mut b, 160, h.merged);
    put_u64(&mut b, 168, h.log_seqno);
    seal(BlockKind::Header, &mut b);
    b
}

/// Decodes the header slot read at byte `location`, refusing unknown incompatible
/// features (the caller opens read-only on unknown read-only-compatible ones).
pub fn decode_header(bytes: &[u8], location: u64) -> Result<StoreHeader, CowError> {
    open_block(bytes, BlockKind::Header, location)?;
    if bytes[6..8] != [0, 0] || bytes[124..128] != [0; 4] {
        return Err(CowError::Malformed("reserved header bytes are not zero"));
    }
    let h = StoreHeader {
        generation: get_u64(bytes, 16),
        seqno: get_u64(bytes, 24),
        snapshot: bytes[32..64].try_into().map_err(|_| CowError::Size(0))?,
        origin: bytes[64..96].try_into().map_err(|_| CowError::Size(0))?,
        chunk_size: get_u32(bytes, 96),
        store_id: get_u32(bytes, 100),
        area_sectors: get_u32(bytes, 104),
        flags: get_u32(bytes, 108),
        incompat: get_u32(bytes, 112),
        ro_compat: get_u32(bytes, 116),
        compat: get_u32(bytes, 120),
        store_chunks: get_u64(bytes, 128),
        used_chunks: get_u64(bytes, 136),
        exceptions: get_u64(bytes, 144),
        merge_total: get_u64(bytes, 152),
        merged: get_u64(bytes, 160),
        log_seqno: get_u64(bytes, 168),
    };
    let unknown = h.incompat & !KNOWN_INCOMPAT;
    if unknown != 0 {
        return Err(CowError::UnknownFeatures {
            class: "incompatible",
            bits: unknown,
        });
    }
    validate_chunk_size(h.chunk_size as u64)?;
    if h.area_sectors != area_sectors(h.chunk_size as u64) {
        return Err(CowError::Malformed(
            "area size does not match the chunk size",
        ));
    }
    if h.flags & !KNOWN_FLAGS != 0 {
        return Err(CowError::Malformed("unknown header flags"));
    }
    if h.merged > h.merge_total {
        return Err(CowError::Malformed(
            "more chunks merged than there are to merge",
        ));
    }
    Ok(h)
}

impl StoreHeader {
    /// Whether read-only-compatible features this rvm does not know are present.
    pub fn needs_read_only(&self) -> bool {
        self.ro_compat & !KNOWN_RO_COMPAT != 0
    }
}

fn encode_entry(e: &Entry, b: &mut [u8]) {
    match *e {
        Entry::Exception {
            origin_chunk,
            store_id,
            store_generation,
            store_chunk,
        } => {
            b[0] = ENTRY_EXCEPTION;
            put_u32(b, 4, store_id);
            put_u64(b, 8, origin_chunk);
            put_u64(b, 16, store_chunk);
            put_u64(b, 24, store_generation);
        }
        Entry::Merged { origin_chunk } => {
            b[0] = ENTRY_MERGED;
            put_u64(b, 8, origin_chunk);
        }
    }
}

fn decode_entry(b: &[u8]) -> Result<Entry, CowError> {
    if b[1..4] != [0, 0, 0] {
        return Err(CowError::Malformed("reserved entry bytes are not zero"));
    }
    match b[0] {
        ENTRY_EXCEPTION => Ok(Entry::Exception {
            origin_chunk: get_u64(b, 8),
            store_id: get_u32(b, 4),
            store_chunk: get_u64(b, 16),
            store_generation: get_u64(b, 24),
        }),
        ENTRY_MERGED => {
            if get_u32(b, 4) != 0 || get_u64(b, 16) != 0 || get_u64(b, 24) != 0 {
                return Err(CowError::Malformed("merged entry has store fields"));
            }
            Ok(Entry::Merged {
                origin_chunk: get_u64(b, 8),
            })
        }
        _ => Err(CowError::Malformed("unknown entry kind")),
    }
}

/// Encodes one log sector. The caller keeps `entries.len() <= ENTRIES_PER_SECTOR`.
pub fn encode_log_sector(s: &LogSector) -> Result<[u8; SECTOR], CowError> {
    if s.entries.len() > ENTRIES_PER_SECTOR {
        return Err(CowError::Malformed("too many entries for one sector"));
    }
    if s.count == 0 || s.index >= s.count {
        return Err(CowError::Malformed("sector index outside its commit"));
    }
    let mut b = start_block(BlockKind::Log);
    put_u16(&mut b, 6, s.entries.len() as u16);
    put_u64(&mut b, 8, s.location);
    put_u64(&mut b, 16, s.generation);
    put_u64(&mut b, 24, s.seqno);
    put_u32(&mut b, 32, s.nonce);
    put_u16(&mut b, 36, s.index);
    put_u16(&mut b, 38, s.count);
    put_u64(&mut b, 40, s.next_area);
    for (i, e) in s.entries.iter().enumerate() {
        let at = LOG_HEADER_SIZE + i * ENTRY_SIZE;
        encode_entry(e, &mut b[at..at + ENTRY_SIZE]);
    }
    seal(BlockKind::Log, &mut b);
    Ok(b)
}

/// Decodes the log sector read at byte `location` of the store whose generation is
/// `generation`; a sector of any other store or place is an error, not data.
pub fn decode_log_sector(
    bytes: &[u8],
    location: u64,
    generation: u64,
) -> Result<LogSector, CowError> {
    open_block(bytes, BlockKind::Log, location)?;
    let found = get_u64(bytes, 16);
    if found != generation {
        return Err(CowError::Generation {
            expected: generation,
            found,
        });
    }
    let n = get_u16(bytes, 6) as usize;
    if n > ENTRIES_PER_SECTOR {
        return Err(CowError::Malformed("entry count exceeds a sector"));
    }
    let index = get_u16(bytes, 36);
    let count = get_u16(bytes, 38);
    if count == 0 || index >= count {
        return Err(CowError::Malformed("sector index outside its commit"));
    }
    let used_end = LOG_HEADER_SIZE + n * ENTRY_SIZE;
    if bytes[used_end..CRC_AT].iter().any(|&b| b != 0) {
        return Err(CowError::Malformed(
            "bytes after the last entry are not zero",
        ));
    }
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        let at = LOG_HEADER_SIZE + i * ENTRY_SIZE;
        entries.push(decode_entry(&bytes[at..at + ENTRY_SIZE])?);
    }
    Ok(LogSector {
        location,
        generation,
        seqno: get_u64(bytes, 24),
        nonce: get_u32(bytes, 32),
        index,
        count,
        next_area: get_u64(bytes, 40),
        entries,
    })
}

#[cfg(test)]
#[path = "cow_tests.rs"]
mod tests;
