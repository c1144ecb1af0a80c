//! The bodies of rvm's fuzz targets, shared by the libFuzzer binaries (`fuzz_targets/`) and
//! by the plain regression test (`tests/fuzz_regressions.rs`), which replays the committed
//! seeds and every input that once crashed.
//!
//! Random bytes rarely pass a checksum, so the parsers behind one are fuzzed twice: on the
//! raw bytes, and with the checksum (and, where the target says so, the self-location and
//! generation fields) fixed up, so that libFuzzer explores what lies past the check. Every
//! target also asserts what a decoded value must satisfy (round trips, bounds), so that a
//! silent misparse is a finding, not only a panic.
//!
//! The first input byte selects a mode in most targets; the rest is the payload.

use rvm::block::{BlockDevice, MemDevice};
use rvm::engine::{LinearVolume, Piece, Volume};
use std::sync::Arc;

pub mod control;
pub mod iscsi;
pub mod nbd;
pub mod seeds;
pub mod store;

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name, as the binaries in `fuzz_targets/` and `tools/fuzz.sh` name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("pv_label", pv_label),
    ("vg_record", vg_record),
    ("metadata_area", metadata_area),
    ("store_blocks", store::store_blocks),
    ("store_open", store::store_open),
    ("nbd_handshake", nbd::nbd_handshake),
    ("nbd_requests", nbd::nbd_requests),
    ("iscsi_login", iscsi::iscsi_login),
    ("iscsi_pdu", iscsi::iscsi_pdu),
    ("scsi_cdb", iscsi::scsi_cdb),
    ("control_request", control::control_request),
];

/// A volume of `size` bytes in memory, as the protocol targets serve.
pub fn mem_volume(size: u64) -> Arc<dyn Volume> {
    let dev: Arc<dyn BlockDevice> = Arc::new(MemDevice::new("fuzz", size));
    let piece = Piece {
        device: dev,
        lv_offset: 0,
        dev_offset: 0,
        len: size,
    };
    Arc::new(LinearVolume::new(vec![piece], [b'v'; 32], false).expect("one piece tiles"))
}

/// A device over a shared image whose writes stay private, in 4 KiB blocks: targets boot on
/// the same multi-MiB image every execution without copying it.
pub struct Overlay {
    base: Arc<Vec<u8>>,
    blocks: std::sync::Mutex<std::collections::HashMap<u64, Vec<u8>>>,
}

const OVERLAY_BLOCK: u64 = 4096;

impl Overlay {
    pub fn new(base: Arc<Vec<u8>>) -> Overlay {
        Overlay {
            base,
            blocks: Default::default(),
        }
    }

    fn each(&self, offset: u64, len: usize, mut f: impl FnMut(&mut Vec<u8>, usize, usize, usize)) {
        let mut blocks = self.blocks.lock().unwrap_or_else(|p| p.into_inner());
        let mut done = 0;
        while done < len {
            let at = offset + done as u64;
            let b = at / OVERLAY_BLOCK;
            let within = (at % OVERLAY_BLOCK) as usize;
            let n = (OVERLAY_BLOCK as usize - within).min(len - done);
            let block = blocks.entry(b).or_insert_with(|| {
                let start = (b * OVERLAY_BLOCK) as usize;
                self.base[start..start + OVERLAY_BLOCK as usize].to_vec()
            });
            f(block, within, done, n);
            done += n;
        }
    }
}

impl BlockDevice for Overlay {
    fn len(&self) -> std::io::Result<u64> {
        Ok(self.base.len() as u64)
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        rvm::block::check_range(self.base.len() as u64, offset, buf.len() as u64)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, e))?;
        let blocks = self.blocks.lock().unwrap_or_else(|p| p.into_inner());
        let mut done = 0;
        while done < buf.len() {
            let at = offset + done as u64;
            let within = (at % OVERLAY_BLOCK) as usize;
            let n = (OVERLAY_BLOCK as usize - within).min(buf.len() - done);
            match blocks.get(&(at / OVERLAY_BLOCK)) {
                Some(b) => buf[done..done + n].copy_from_slice(&b[within..within + n]),
                None => {
                    buf[done..done + n].copy_from_slice(&self.base[at as usize..at as usize + n])
                }
            }
            done += n;
        }
        Ok(())
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()> {
        rvm::block::check_range(self.base.len() as u64, offset, buf.len() as u64)?;
        self.each(offset, buf.len(), |b, within, done, n| {
            b[within..within + n].copy_from_slice(&buf[done..done + n])
        });
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn discard(&self, offset: u64, len: u64) -> std::io::Result<()> {
        rvm::block::check_range(self.base.len() as u64, offset, len)?;
        self.each(offset, len as usize, |b, within, _, n| {
            b[within..within + n].fill(0)
        });
        Ok(())
    }
    fn name(&self) -> String {
        "overlay".into()
    }
}

/// Splits the input into a mode byte and the payload.
pub fn mode(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((m, rest)) => (*m, rest),
        None => (0, &[]),
    }
}

/// The PV label: raw bytes at the head and at a tail offset; and arbitrary bodies inside a
/// valid block header. A decoded label re-encodes to the same label.
pub fn pv_label(data: &[u8]) {
    use rvm::format::block::{encode, PV_LABEL};
    use rvm::format::features::Features;
    use rvm::format::label::Label;
    let (m, body) = mode(data);
    let tail = 1u64 << 30;
    let (bytes, at) = if m & 1 == 0 {
        (body.to_vec(), if m & 2 == 0 { 0 } else { tail })
    } else {
        // A valid header (magic, checksum, kind, own location) around the fuzzed body.
        let seqno = body.first().copied().unwrap_or(0) as u64;
        let at = if m & 2 == 0 { 0 } else { tail };
        let mut b = encode(
            PV_LABEL,
            at,
            seqno,
            Features::default(),
            body.get(1..).unwrap_or(&[]),
        );
        b.resize(4096, 0);
        (b, at)
    };
    if let Ok(l) = Label::decode(&bytes, at) {
        let again = Label::decode(&l.encode(at), at).expect("an encoded label decodes");
        assert_eq!(again, l, "label round trip");
        let lay = l.layout;
        assert!(lay.pe_start < lay.data_end && lay.data_end <= lay.tail_label);
        assert!(lay.tail_label + 4096 <= lay.dev_size);
    }
}

/// The VG record: raw, and arbitrary bodies inside a valid block. A record that decodes
/// and validates converts to the model and back to the same bytes, and its maps stay
/// inside its PVs without overflow.
pub fn vg_record(data: &[u8]) {
    use rvm::format::block::{encode, VG_RECORD};
    use rvm::format::features::Features;
    use rvm::format::record::VgRecord;
    let (m, body) = mode(data);
    let bytes = if m & 1 == 0 {
        body.to_vec()
    } else {
        encode(VG_RECORD, 0, 7, Features::default(), body)
    };
    let Ok((rec, holder, _)) = VgRecord::decode(&bytes, 0) else {
        return;
    };
    let vg = rvm::meta::convert::from_record(&rec);
    if rvm::meta::validate::validate(&vg).is_err() {
        return;
    }
    let back = rvm::meta::convert::to_record(&vg);
    let again = VgRecord::decode(&back.encode(&holder, 0), 0).expect("re-encoded record decodes");
    assert_eq!(again.0, back, "record round trip");
    for lv in &vg.lvs {
        for p in vg.lv_map(lv) {
            let pv = &vg.pvs[p.pv];
            assert!(p.pv_offset >= pv.pe_start);
            assert!(p.pv_offset - pv.pe_start + p.len <= pv.pe_count * vg.extent_size);
        }
    }
    let usable = rvm::meta::alloc::usable_pvs(&vg, None);
    let _ = rvm::meta::ops::vg_free_extents(&vg);
    let _ = usable;
}

/// One PV's metadata area, read the way a scan reads it: the fuzzed bytes land in the
/// head area of a real PV (optionally as a checksummed VG record in a slot), and the PV
/// is scanned and assembled. Whatever assembles must validate.
pub fn metadata_area(data: &[u8]) {
    use rvm::format::block::{encode, VG_RECORD};
    use rvm::format::features::Features;
    use rvm::format::label::Label;
    use rvm::format::layout::Layout;
    use std::sync::OnceLock;
    static BASE: OnceLock<(Arc<Vec<u8>>, Layout)> = OnceLock::new();
    let (base, layout) = BASE.get_or_init(|| {
        let size = 4u64 << 20;
        let layout = Layout::new(size, 16 << 10).expect("4 MiB holds a PV");
        let label = Label {
            pv_id: rvm::format::id::Id::from_bytes(&[b'P'; 32]).expect("valid id"),
            generation: 1,
            layout,
            features: Features::default(),
        };
        let dev = MemDevice::new("pv", size);
        rvm::meta::pvio::write_labels(&dev, &label).expect("memory");
        (Arc::new(dev.snapshot()), layout)
    });
    let (m, body) = mode(data);
    let dev = Overlay::new(base.clone());
    let slots = layout.slots();
    let slot = slots[(m & 3) as usize];
    let bytes = if m & 4 == 0 {
        body.to_vec()
    } else {
        encode(VG_RECORD, slot, 9, Features::default(), body)
    };
    let n = bytes.len().min(layout.slot_size as usize);
    if dev.write_at(&bytes[..n], slot).is_err() {
        return;
    }
    let path = std::path::PathBuf::from("/fuzz/pv");
    let Ok(Some(pv)) = rvm::meta::scan::scan_device(&path, &dev) else {
        return;
    };
    let mut warnings = Vec::new();
    let asm = rvm::meta::scan::assemble(vec![pv], &mut warnings);
    for v in &asm.vgs {
        assert!(
            rvm::meta::validate::validate(&v.vg).is_ok(),
            "assembled VG validates"
        );
        for lv in &v.vg.lvs {
            for p in v.vg.lv_map(lv) {
                if !v.vg.pvs[p.pv].missing {
                    assert!(
                        p.pv_offset + p.len <= layout.data_end,
                        "LV mapped past the data area"
                    );
                }
            }
        }
    }
}
