//! Reading and writing one PV's label copies and metadata slots through the block trait.

use crate::block::BlockDevice;
use crate::format::block::{self as fblock, HEADER_LEN, VG_RECORD};
use crate::format::codec::DecodeError;
use crate::format::features::Features;
use crate::format::id::Id;
use crate::format::label::Label;
use crate::format::layout::{Layout, BLOCK};
use crate::format::record::VgRecord;
use std::io;

/// What a metadata slot holds.
#[derive(Debug, Clone)]
pub enum SlotState {
    /// Never written, or wiped.
    Empty,
    Valid {
        record: Box<VgRecord>,
        holder: Id,
        features: Features,
    },
    /// Bytes that do not verify: torn, overwritten or hostile.
    Damaged(DecodeError),
}

impl SlotState {
    /// The VG id and seqno of a valid record.
    pub fn version(&self) -> Option<(Id, u64)> {
        match self {
            SlotState::Valid { record, .. } => Some((record.id, record.seqno)),
            _ => None,
        }
    }
}

/// Both label copies of a device and the one to trust.
#[derive(Debug, Clone)]
pub struct LabelRead {
    pub head: Result<Label, DecodeError>,
    pub tail: Result<Label, DecodeError>,
    /// The valid copy with the highest generation.
    pub best: Option<Label>,
}

fn read_block(dev: &dyn BlockDevice, offset: u64, len: usize) -> io::Result<Option<Vec<u8>>> {
    let mut buf = vec![0u8; len];
    match dev.read_at(&mut buf, offset) {
        Ok(()) => Ok(Some(buf)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

fn decode_label(bytes: Option<Vec<u8>>, offset: u64) -> Result<Label, DecodeError> {
    match bytes {
        Some(b) => Label::decode(&b, offset),
        None => Err(DecodeError::Truncated {
            at: 0,
            needed: BLOCK as usize,
            len: 0,
        }),
    }
}

/// Reads the head label, then the tail label where the head says it is (or, if the head is
/// unreadable, in the device's last 4 KiB block).
pub fn read_labels(dev: &dyn BlockDevice) -> io::Result<LabelRead> {
    let head = decode_label(read_block(dev, 0, BLOCK as usize)?, 0);
    let tail_at = match &head {
        Ok(l) => Some(l.layout.tail_label),
        Err(_) => Layout::tail_label_of(dev.len()?),
    };
    let tail = match tail_at {
        Some(at) if at > 0 => decode_label(read_block(dev, at, BLOCK as usize)?, at),
        _ => Err(DecodeError::BadMagic),
    };
    let best = match (&head, &tail) {
        (Ok(h), Ok(t)) if t.generation > h.generation => Some(*t),
        (Ok(h), _) => Some(*h),
        (Err(_), Ok(t)) => Some(*t),
        _ => None,
    };
    Ok(LabelRead { head, tail, best })
}

/// First read of a slot; most records fit, longer ones need one more read.
const FIRST_READ: u64 = 64 << 10;

/// Reads and verifies the slot at `offset`.
pub fn read_slot(dev: &dyn BlockDevice, offset: u64, slot_size: u64) -> io::Result<SlotState> {
    let first = FIRST_READ.min(slot_size) as usize;
    let Some(mut buf) = read_block(dev, offset, first)? else {
        return Ok(SlotState::Damaged(DecodeError::Truncated {
            at: 0,
            needed: first,
            len: 0,
        }));
    };
    if buf[..8].iter().all(|&b| b == 0) {
        return Ok(SlotState::Empty);
    }
    let Some(len) = fblock::peek_len(VG_RECORD, &buf) else {
        return Ok(SlotState::Damaged(DecodeError::BadMagic));
    };
    if len < HEADER_LEN || len as u64 > slot_size {
        return Ok(SlotState::Damaged(DecodeError::Range {
            field: "record length",
            value: len as u64,
        }));
    }
    if len > buf.len() {
        let mut rest = vec![0u8; len - buf.len()];
        dev.read_at(&mut rest, offset + buf.len() as u64)?;
        buf.extend_from_slice(&rest);
    }
    Ok(match VgRecord::decode(&buf, offset) {
        Ok((record, holder, features)) => SlotState::Valid {
            record: Box::new(record),
            holder,
            features,
        },
        Err(e) => SlotState::Damaged(e),
    })
}

/// Reads all four slots of a PV: head A, head B, tail A, tail B.
pub fn read_slots(dev: &dyn BlockDevice, layout: &Layout) -> io::Result<[SlotState; 4]> {
    let s = layout.slots();
    Ok([
        read_slot(dev, s[0], layout.slot_size)?,
        read_slot(dev, s[1], layout.slot_size)?,
        read_slot(dev, s[2], layout.slot_size)?,
        read_slot(dev, s[3], layout.slot_size)?,
    ])
}

/// Writes `bytes` at `offset`, padded with zeros to whole 4 KiB blocks.
pub fn write_padded(dev: &dyn BlockDevice, mut bytes: Vec<u8>, offset: u64) -> io::Result<()> {
    let len = (bytes.len() as u64).div_ceil(BLOCK) * BLOCK;
    bytes.resize(len as usize, 0);
    dev.write_at(&bytes, offset)
}

/// Writes both label copies (tail first: a head label must never name a tail that is not
/// there yet). The caller flushes.
pub fn write_labels(dev: &dyn BlockDevice, label: &Label) -> io::Result<()> {
    dev.write_at(
        &label.encode(label.layout.tail_label),
        label.layout.tail_label,
    )?;
    dev.write_at(&label.encode(0), 0)
}

/// Zeroes the first block of every slot, so the PV holds no VG record. The caller flushes.
pub fn wipe_slots(dev: &dyn BlockDevice, layout: &Layout) -> io::Result<()> {
    let zero = vec![0u8; BLOCK as usize];
    for s in layout.slots() {
        dev.write_at(&zero, s)?;
    }
    Ok(())
}

/// Zeroes both label copies and every slot header: the device is no longer a PV.
pub fn wipe_pv(dev: &dyn BlockDevice, layout: &Layout) -> io::Result<()> {
    wipe_slots(dev, layout)?;
    let zero = vec![0u8; BLOCK as usize];
    dev.write_at(&zero, 0)?;
    dev.write_at(&zero, layout.tail_label)
}
