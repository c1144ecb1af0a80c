//! The PV label: a 4 KiB block at both ends of a PV naming the PV and where its metadata
//! areas are. Its header's sequence number is the label generation; `pvresize` bumps it so
//! that the newer of two disagreeing copies wins.

use super::block::{self, HEADER_LEN, PV_LABEL};
use super::codec::{DecodeError, Reader, Writer};
use super::features::Features;
use super::id::Id;
use super::layout::{Layout, BLOCK};

/// Body bytes after the common header (padded to [`BLOCK`] on disk).
pub const BODY_LEN: usize = 32 + 8 * 7;

/// A decoded PV label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub pv_id: Id,
    /// Bumped whenever the label is rewritten with new positions.
    pub generation: u64,
    pub layout: Layout,
    pub features: Features,
}

impl Label {
    /// The 4 KiB block for the copy at `offset` (0 for the head, `layout.tail_label` for the
    /// tail).
    pub fn encode(&self, offset: u64) -> Vec<u8> {
        let l = &self.layout;
        let mut w = Writer::with_capacity(BODY_LEN);
        w.id(&self.pv_id);
        w.u64(l.dev_size);
        w.u64(l.mda_size);
        w.u64(l.head_mda);
        w.u64(l.pe_start);
        w.u64(l.data_end);
        w.u64(l.tail_mda);
        w.u64(l.tail_label);
        let mut out = block::encode(
            PV_LABEL,
            offset,
            self.generation,
            self.features,
            w.as_slice(),
        );
        out.resize(BLOCK as usize, 0);
        out
    }

    /// Opens the label copy read from `offset`; the layout it names must be consistent.
    pub fn decode(bytes: &[u8], offset: u64) -> Result<Label, DecodeError> {
        let (header, body) = block::decode(PV_LABEL, bytes, offset)?;
        let mut r = Reader::new(body);
        let pv_id = r.id("pv id")?;
        let dev_size = r.u64()?;
        let mda_size = r.u64()?;
        let head_mda = r.u64()?;
        let pe_start = r.u64()?;
        let data_end = r.u64()?;
        let tail_mda = r.u64()?;
        let tail_label = r.u64()?;
        let expect = Layout::with_pe_start(dev_size, pe_start).map_err(|_| DecodeError::Range {
            field: "label layout",
            value: pe_start,
        })?;
        let found = Layout {
            dev_size,
            mda_size,
            head_mda,
            pe_start,
            data_end,
            tail_mda,
            tail_label,
            slot_size: expect.slot_size,
        };
        if found != expect {
            return Err(DecodeError::Range {
                field: "label layout",
                value: tail_label,
            });
        }
        if offset != 0 && offset != tail_label {
            return Err(DecodeError::Misplaced {
                claimed: tail_label,
                actual: offset,
            });
        }
        debug_assert!(HEADER_LEN + BODY_LEN <= BLOCK as usize);
        Ok(Label {
            pv_id,
            generation: header.seqno,
            layout: expect,
            features: header.features,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_copies_round_trip_and_name_their_place() {
        let layout = Layout::new(1 << 30, super::super::layout::DEFAULT_MDA_SIZE).unwrap();
        let label = Label {
            pv_id: Id::from_bytes(&[b'a'; 32]).unwrap(),
            generation: 3,
            layout,
            features: Features::default(),
        };
        let head = label.encode(0);
        let tail = label.encode(layout.tail_label);
        assert_eq!(head.len(), 4096);
        assert_eq!(Label::decode(&head, 0).unwrap(), label);
        assert_eq!(Label::decode(&tail, layout.tail_label).unwrap(), label);
        assert!(Label::decode(&head, layout.tail_label).is_err());
        assert_ne!(head, tail);
    }
}
