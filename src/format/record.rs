//! The VG metadata record: the whole VG in one checksummed block, written into a slot of every
//! metadata area of every PV of the VG.
//!
//! These structs mirror the bytes, not the live model (`meta::model`); `meta::convert` is the
//! one place that translates between them, so a change to the model never silently changes
//! the bytes. Golden tests pin them.

use super::block::{self, VG_RECORD};
use super::codec::{DecodeError, Reader, Writer};
use super::features::Features;
use super::id::Id;

/// Longest VG/LV name or tag accepted when decoding (LVM2's NAME_LEN is 128).
pub const MAX_NAME: usize = 128;
/// Longest device path hint or host name accepted when decoding.
pub const MAX_PATH: usize = 4096;

pub const VG_RESIZEABLE: u32 = 1;
pub const PV_ALLOCATABLE: u32 = 1;
pub const LV_READ_ONLY: u32 = 1;
pub const LV_ACTIVE: u32 = 2;
pub const LV_ACTIVATION_SKIP: u32 = 4;
pub const SNAP_MERGING: u32 = 1;

const LV_KIND_LINEAR: u8 = 0;
const LV_KIND_SNAPSHOT: u8 = 1;

/// A VG as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VgRecord {
    pub name: String,
    pub id: Id,
    pub seqno: u64,
    pub extent_size: u64,
    pub flags: u32,
    pub max_lv: u32,
    pub max_pv: u32,
    /// 0 inherit, 1 normal, 2 contiguous, 3 cling, 4 anywhere.
    pub alloc: u8,
    pub creation_time: u64,
    pub creation_host: String,
    pub tags: Vec<String>,
    pub pvs: Vec<PvRecord>,
    pub lvs: Vec<LvRecord>,
}

/// A member PV as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PvRecord {
    pub id: Id,
    /// The path the PV was last seen at.
    pub device_hint: String,
    pub dev_size: u64,
    pub pe_start: u64,
    pub pe_count: u64,
    pub flags: u32,
    pub tags: Vec<String>,
}

/// An LV as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LvRecord {
    pub name: String,
    pub id: Id,
    pub flags: u32,
    pub alloc: u8,
    pub creation_time: u64,
    pub creation_host: String,
    pub tags: Vec<String>,
    pub snapshot: Option<SnapshotRecord>,
    pub segments: Vec<SegmentRecord>,
}

/// The snapshot part of an LV record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotRecord {
    pub origin: Id,
    pub chunk_size: u64,
    pub store_id: u32,
    pub flags: u32,
}

/// One run of logical extents on one PV; `pv` indexes [`VgRecord::pvs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentRecord {
    pub lv_start: u64,
    pub count: u64,
    pub pv: u32,
    pub pv_start: u64,
}

/// Bytes a segment takes.
const SEGMENT_LEN: usize = 28;
/// The fewest bytes a PV or LV entry can take, to bound forged counts.
const MIN_PV_LEN: usize = 32 + 2 + 8 * 3 + 4 + 2;
const MIN_LV_LEN: usize = 2 + 32 + 4 + 1 + 8 + 2 + 2 + 1 + 4;

fn name(r: &mut Reader<'_>, field: &'static str, max: usize) -> Result<String, DecodeError> {
    let s = r.str(field)?;
    if s.len() > max {
        return Err(DecodeError::Range {
            field,
            value: s.len() as u64,
        });
    }
    Ok(s)
}

fn tags(r: &mut Reader<'_>) -> Result<Vec<String>, DecodeError> {
    let t = r.strs("tag")?;
    if let Some(bad) = t.iter().find(|s| s.len() > MAX_NAME) {
        return Err(DecodeError::Range {
            field: "tag",
            value: bad.len() as u64,
        });
    }
    Ok(t)
}

fn flags(r: &mut Reader<'_>, field: &'static str, known: u32) -> Result<u32, DecodeError> {
    let f = r.u32()?;
    if f & !known != 0 {
        return Err(DecodeError::Range {
            field,
            value: f as u64,
        });
    }
    Ok(f)
}

impl VgRecord {
    /// The body bytes, without the block header; `holder` names the PV the copy is for.
    pub fn encode_body(&self, holder: &Id) -> Vec<u8> {
        let mut w = Writer::with_capacity(256 + self.lvs.len() * 128);
        w.id(holder);
        w.str(&self.name);
        w.id(&self.id);
        w.u64(self.extent_size);
        w.u32(self.flags);
        w.u32(self.max_lv);
        w.u32(self.max_pv);
        w.u8(self.alloc);
        w.u64(self.creation_time);
        w.str(&self.creation_host);
        w.strs(&self.tags);
        w.u32(self.pvs.len() as u32);
        for pv in &self.pvs {
            w.id(&pv.id);
            w.str(&pv.device_hint);
            w.u64(pv.dev_size);
            w.u64(pv.pe_start);
            w.u64(pv.pe_count);
            w.u32(pv.flags);
            w.strs(&pv.tags);
        }
        w.u32(self.lvs.len() as u32);
        for lv in &self.lvs {
            w.str(&lv.name);
            w.id(&lv.id);
            w.u32(lv.flags);
            w.u8(lv.alloc);
            w.u64(lv.creation_time);
            w.str(&lv.creation_host);
            w.strs(&lv.tags);
            match &lv.snapshot {
                None => w.u8(LV_KIND_LINEAR),
                Some(s) => {
                    w.u8(LV_KIND_SNAPSHOT);
                    w.id(&s.origin);
                    w.u64(s.chunk_size);
                    w.u32(s.store_id);
                    w.u32(s.flags);
                }
            }
            w.u32(lv.segments.len() as u32);
            for s in &lv.segments {
                w.u64(s.lv_start);
                w.u64(s.count);
                w.u32(s.pv);
                w.u64(s.pv_start);
            }
        }
        w.into_vec()
    }

    /// The complete block for the slot at `offset` on the PV `holder`.
    pub fn encode(&self, holder: &Id, offset: u64) -> Vec<u8> {
        block::encode(
            VG_RECORD,
            offset,
            self.seqno,
            Features::default(),
            &self.encode_body(holder),
        )
    }

    /// Opens a record read from the slot at `offset`; returns it, the PV it says it is on, and
    /// the header's features.
    pub fn decode(bytes: &[u8], offset: u64) -> Result<(VgRecord, Id, Features), DecodeError> {
        let (header, body) = block::decode(VG_RECORD, bytes, offset)?;
        let mut r = Reader::new(body);
        let holder = r.id("holder pv id")?;
        let name_ = name(&mut r, "vg name", MAX_NAME)?;
        let id = r.id("vg id")?;
        let extent_size = r.u64()?;
        let vg_flags = flags(&mut r, "vg flags", VG_RESIZEABLE)?;
        let max_lv = r.u32()?;
        let max_pv = r.u32()?;
        let alloc = r.u8()?;
        let creation_time = r.u64()?;
        let creation_host = name(&mut r, "creation host", MAX_PATH)?;
        let vg_tags = tags(&mut r)?;
        let pv_count = r.u32()? as usize;
        r.check_count(pv_count, MIN_PV_LEN, "pv count")?;
        let mut pvs = Vec::with_capacity(pv_count);
        for _ in 0..pv_count {
            pvs.push(PvRecord {
                id: r.id("pv id")?,
                device_hint: name(&mut r, "device hint", MAX_PATH)?,
                dev_size: r.u64()?,
                pe_start: r.u64()?,
                pe_count: r.u64()?,
                flags: flags(&mut r, "pv flags", PV_ALLOCATABLE)?,
                tags: tags(&mut r)?,
            });
        }
        let lv_count = r.u32()? as usize;
        r.check_count(lv_count, MIN_LV_LEN, "lv count")?;
        let mut lvs = Vec::with_capacity(lv_count);
        for _ in 0..lv_count {
            let lv_name = name(&mut r, "lv name", MAX_NAME)?;
            let lv_id = r.id("lv id")?;
            let lv_flags = flags(
                &mut r,
                "lv flags",
                LV_READ_ONLY | LV_ACTIVE | LV_ACTIVATION_SKIP,
            )?;
            let lv_alloc = r.u8()?;
            let lv_time = r.u64()?;
            let lv_host = name(&mut r, "creation host", MAX_PATH)?;
            let lv_tags = tags(&mut r)?;
            let snapshot = match r.u8()? {
                LV_KIND_LINEAR => None,
                LV_KIND_SNAPSHOT => Some(SnapshotRecord {
                    origin: r.id("origin id")?,
                    chunk_size: r.u64()?,
                    store_id: r.u32()?,
                    flags: flags(&mut r, "snapshot flags", SNAP_MERGING)?,
                }),
                other => {
                    return Err(DecodeError::Range {
                        field: "lv kind",
                        value: other as u64,
                    })
                }
            };
            let seg_count = r.u32()? as usize;
            r.check_count(seg_count, SEGMENT_LEN, "segment count")?;
            let mut segments = Vec::with_capacity(seg_count);
            for _ in 0..seg_count {
                segments.push(SegmentRecord {
                    lv_start: r.u64()?,
                    count: r.u64()?,
                    pv: r.u32()?,
                    pv_start: r.u64()?,
                });
            }
            lvs.push(LvRecord {
                name: lv_name,
                id: lv_id,
                flags: lv_flags,
                alloc: lv_alloc,
                creation_time: lv_time,
                creation_host: lv_host,
                tags: lv_tags,
                snapshot,
                segments,
            });
        }
        if r.remaining() != 0 {
            return Err(DecodeError::Range {
                field: "trailing bytes",
                value: r.remaining() as u64,
            });
        }
        let record = VgRecord {
            name: name_,
            id,
            seqno: header.seqno,
            extent_size,
            flags: vg_flags,
            max_lv,
            max_pv,
            alloc,
            creation_time,
            creation_host,
            tags: vg_tags,
            pvs,
            lvs,
        };
        Ok((record, holder, header.features))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> VgRecord {
        let id = |c: u8| Id::from_bytes(&[c; 32]).unwrap();
        VgRecord {
            name: "vg".into(),
            id: id(b'V'),
            seqno: 3,
            extent_size: 4 << 20,
            flags: VG_RESIZEABLE,
            max_lv: 0,
            max_pv: 0,
            alloc: 1,
            creation_time: 1,
            creation_host: "h".into(),
            tags: vec!["t".into()],
            pvs: vec![PvRecord {
                id: id(b'P'),
                device_hint: "/dev/x".into(),
                dev_size: 1 << 30,
                pe_start: 1 << 20,
                pe_count: 10,
                flags: PV_ALLOCATABLE,
                tags: vec![],
            }],
            lvs: vec![LvRecord {
                name: "lv".into(),
                id: id(b'L'),
                flags: LV_ACTIVE,
                alloc: 0,
                creation_time: 2,
                creation_host: "h".into(),
                tags: vec![],
                snapshot: Some(SnapshotRecord {
                    origin: id(b'O'),
                    chunk_size: 4096,
                    store_id: 1,
                    flags: 0,
                }),
                segments: vec![SegmentRecord {
                    lv_start: 0,
                    count: 1,
                    pv: 0,
                    pv_start: 0,
                }],
            }],
        }
    }

    proptest! {
        /// Arbitrary bytes never panic the decoder.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = VgRecord::decode(&bytes, 0);
            let _ = crate::format::label::Label::decode(&bytes, 0);
        }

        /// A body with valid framing and checksum but mangled content never panics either:
        /// this reaches the field parsers, which the checksum normally shields.
        #[test]
        fn mangled_bodies_with_valid_checksums_never_panic(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
            cut in any::<usize>(),
        ) {
            let holder = Id::from_bytes(&[b'P'; 32]).unwrap();
            let mut body = sample().encode_body(&holder);
            for (at, v) in edits {
                let n = body.len();
                body[at % n] = v;
            }
            body.truncate(cut % (body.len() + 1));
            let block = crate::format::block::encode(
                crate::format::block::VG_RECORD, 0, 1, Features::default(), &body,
            );
            let _ = VgRecord::decode(&block, 0);
        }
    }

    #[test]
    fn unknown_flag_bits_and_kinds_are_refused() {
        let holder = Id::from_bytes(&[b'P'; 32]).unwrap();
        let mut r = sample();
        r.flags = 0x80;
        assert!(VgRecord::decode(&r.encode(&holder, 0), 0).is_err());
        let r = sample();
        let (back, h, _) = VgRecord::decode(&r.encode(&holder, 4096), 4096).unwrap();
        assert_eq!((back, h), (r, holder));
    }
}
