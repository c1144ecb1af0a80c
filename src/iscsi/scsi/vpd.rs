//! Vital product data pages (SPC-4 §7.8, SBC-3 §6.6): identity, block limits, device
//! characteristics and provisioning.

use super::exec::BLOCK;
use super::inquiry::VENDOR;
use super::lun::Lun;
use super::wire::{push_ascii, push_be, put_be};

/// Pages rvm reports, in ascending order as 00h requires.
const PAGES: [u8; 6] = [0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2];

/// Limits advertised in the Block Limits page, in logical blocks.
pub const MAX_UNMAP_BLOCKS: u32 = 1 << 20;
pub const MAX_UNMAP_DESCRIPTORS: u32 = 256;
pub const MAX_COMPARE_AND_WRITE: u8 = 255;
pub const MAX_WRITE_SAME_BLOCKS: u64 = 1 << 24;

/// Most logical blocks one READ or WRITE may move.
pub fn max_transfer_blocks(lun: &Lun) -> u32 {
    (u64::from(lun.volume.block_sizes().maximum) / BLOCK).clamp(1, u64::from(u32::MAX)) as u32
}

/// Writes VPD page `code` for `lun` into `out`; false if rvm has no such page.
pub fn page(out: &mut Vec<u8>, code: u8, lun: &Lun, target: &str, tpgt: u16) -> bool {
    out.extend_from_slice(&[0x00, code, 0, 0]);
    match code {
        0x00 => out.extend_from_slice(&PAGES),
        0x80 => out.extend_from_slice(&serial(lun)),
        0x83 => identification(out, lun, target, tpgt),
        0xb0 => block_limits(out, lun),
        0xb1 => {
            push_be(out, 1, 2); // non-rotating medium
            out.resize(64, 0);
        }
        0xb2 => out.extend_from_slice(&[0, 0xe4, 0x02, 0]),
        _ => return false,
    }
    let len = (out.len() - 4) as u64;
    put_be(&mut out[2..4], len);
    true
}

/// The unit serial number: the LV's identity as printable ASCII.
pub fn serial(lun: &Lun) -> [u8; 32] {
    lun.identity
        .map(|b| if b.is_ascii_graphic() { b } else { b'_' })
}

/// A locally assigned NAA (type 3) name: a 60-bit FNV-1a hash of the identity, so it is
/// stable across restarts and distinct per LV.
pub fn naa(lun: &Lun) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in lun.identity {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (0x3 << 60) | (h & 0x0fff_ffff_ffff_ffff)
}

/// Appends one designation descriptor (SPC-4 §7.8.6.1).
fn designator(out: &mut Vec<u8>, code_set: u8, piv_assoc_type: u8, body: &[u8]) {
    let iscsi = if piv_assoc_type & 0x80 != 0 { 0x50 } else { 0 };
    out.extend_from_slice(&[iscsi | code_set, piv_assoc_type, 0, body.len() as u8]);
    out.extend_from_slice(body);
}

/// Device Identification: NAA and T10 vendor ID for the logical unit, relative target
/// port and SCSI name string for the target port, SCSI name for the target device.
fn identification(out: &mut Vec<u8>, lun: &Lun, target: &str, tpgt: u16) {
    designator(out, 1, 0x03, &naa(lun).to_be_bytes());
    let mut t10 = Vec::with_capacity(40);
    push_ascii(&mut t10, VENDOR, 8);
    t10.extend_from_slice(&serial(lun));
    designator(out, 2, 0x01, &t10);
    let mut rel = [0u8; 4];
    put_be(&mut rel[2..], 1);
    designator(out, 1, 0x94, &rel);
    let port = format!("{target},t,0x{tpgt:04x}");
    designator(out, 3, 0x98, &name_string(&port));
    designator(out, 3, 0xa8, &name_string(target));
}

/// A SCSI name string: UTF-8, NUL-terminated, padded to a multiple of 4, at most 256.
fn name_string(s: &str) -> Vec<u8> {
    let mut b: Vec<u8> = s.as_bytes().iter().copied().take(251).collect();
    b.push(0);
    while b.len() % 4 != 0 {
        b.push(0);
    }
    b
}

/// Block Limits (SBC-3 §6.6.4), page length 3Ch.
fn block_limits(out: &mut Vec<u8>, lun: &Lun) {
    let granularity = (u64::from(lun.volume.block_sizes().preferred) / BLOCK).max(1);
    let max = u64::from(max_transfer_blocks(lun));
    out.push(0); // WSNZ clear: WRITE SAME of 0 blocks runs to the end of the volume
    out.push(MAX_COMPARE_AND_WRITE);
    push_be(out, granularity.min(0xffff), 2);
    push_be(out, max, 4); // maximum transfer length
    push_be(out, max, 4); // optimal transfer length
    push_be(out, max, 4); // maximum prefetch length
    push_be(out, u64::from(MAX_UNMAP_BLOCKS), 4);
    push_be(out, u64::from(MAX_UNMAP_DESCRIPTORS), 4);
    push_be(out, granularity, 4); // optimal unmap granularity
    push_be(out, 0x8000_0000, 4); // UGAVALID, alignment 0
    push_be(out, MAX_WRITE_SAME_BLOCKS, 8);
    out.resize(64, 0);
}
