//! Thin provisioning (SBC-3 §4.7): UNMAP, WRITE SAME(10/16) with its UNMAP bit, and GET
//! LBA STATUS. Discarded blocks read as zeros (LBPRZ), so zeroing and unmapping are one.

use super::cdb::Layout;
use super::exec::{volume_check, Ctx, Done, BLOCK};
use super::lun::Lun;
use super::rw::{check_protect, check_range, check_writable};
use super::sense::{asc, Check};
use super::unit::capacity_blocks;
use super::vpd::{MAX_UNMAP_BLOCKS, MAX_UNMAP_DESCRIPTORS, MAX_WRITE_SAME_BLOCKS};
use super::wire::{get_be, push_be, put_be};
use super::ScsiStatus;
use crate::engine::{VolumeResult, ZeroFlags};

/// Largest buffer a patterned WRITE SAME writes at once.
const PATTERN_CHUNK: u64 = 1 << 20;

pub fn unmap(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    if ctx.cdb.bit(1, 0) {
        return Err(Check::cdb(1, 0).into()); // ANCHOR: no anchored state (ANC_SUP=0)
    }
    let len = usize::from(ctx.cdb.be16(7));
    let params = ctx.params(len);
    if len == 0 {
        return Ok(ScsiStatus::Good);
    }
    if len < 8 || params.len() < len {
        return Err(Check::illegal(asc::PARAMETER_LIST_LENGTH_ERROR).into());
    }
    let data_len = get_be(&params[0..2]) as usize;
    let desc_len = get_be(&params[2..4]) as usize;
    if data_len + 2 > len || desc_len + 8 > len {
        return Err(Check::illegal(asc::PARAMETER_LIST_LENGTH_ERROR).into());
    }
    // An incomplete last descriptor is ignored (SBC-3 §5.28.2).
    let descriptors: Vec<(u64, u64)> = params[8..8 + desc_len]
        .chunks_exact(16)
        .map(|d| (get_be(&d[0..8]), get_be(&d[8..12])))
        .collect();
    if descriptors.len() > MAX_UNMAP_DESCRIPTORS as usize {
        return Err(Check::param(2).into());
    }
    check_writable(lun)?;
    let mut total = 0u64;
    for (i, &(lba, blocks)) in descriptors.iter().enumerate() {
        check_range(lun, lba, blocks)?;
        total += blocks;
        if total > u64::from(MAX_UNMAP_BLOCKS) {
            return Err(Check::param(8 + 16 * i + 8).into());
        }
    }
    for (lba, blocks) in descriptors {
        if blocks == 0 {
            continue;
        }
        let _stripes = lun.locks.shared(lba, blocks);
        lun.volume
            .discard(lba * BLOCK, blocks * BLOCK)
            .map_err(|e| volume_check(&e, true))?;
    }
    Ok(ScsiStatus::Good)
}

pub fn write_same(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let sixteen = ctx.cdb.opcode() == 0x93;
    let layout = if sixteen {
        Layout::Sixteen
    } else {
        Layout::Ten
    };
    check_protect(&ctx.cdb)?;
    let anchor = ctx.cdb.bit(1, 4);
    let unmap = ctx.cdb.bit(1, 3);
    let ndob = sixteen && ctx.cdb.bit(1, 0);
    if anchor {
        return Err(Check::cdb(1, 4).into());
    }
    let (lba, blocks) = layout.lba_and_len(&ctx.cdb);
    let blocks = match blocks {
        // WSNZ is clear: zero blocks means through the last LBA.
        0 => capacity_blocks(lun)
            .checked_sub(lba)
            .ok_or(Check::illegal(asc::LBA_OUT_OF_RANGE))?,
        n => u64::from(n),
    };
    if blocks > MAX_WRITE_SAME_BLOCKS {
        return Err(Check::cdb_byte(layout.len_field()).into());
    }
    check_writable(lun)?;
    check_range(lun, lba, blocks)?;
    ctx.transfer_len = if ndob { 0 } else { BLOCK as u32 };
    let pattern: Option<&[u8]> = match ctx.data_out.len() as u64 {
        _ if ndob => None,
        0 if unmap => None,
        BLOCK => Some(ctx.data_out),
        _ => return Err(Check::illegal(asc::INVALID_FIELD_IN_INFORMATION_UNIT).into()),
    };
    if blocks == 0 {
        return Ok(ScsiStatus::Good);
    }
    let _stripes = lun.locks.shared(lba, blocks);
    let (offset, len) = (lba * BLOCK, blocks * BLOCK);
    // With UNMAP set the blocks are deallocated whatever the Data-Out holds (SBC-3
    // §5.44): afterwards they read as zeros, which LBPRZ promises.
    let result = match pattern {
        _ if unmap => lun.volume.discard(offset, len),
        Some(p) if p.iter().any(|&b| b != 0) => write_pattern(lun, p, offset, len),
        _ => lun.volume.write_zeroes(offset, len, ZeroFlags::default()),
    };
    result.map_err(|e| volume_check(&e, true))?;
    Ok(ScsiStatus::Good)
}

/// Repeats one block over `[offset, offset + len)`, a chunk at a time.
fn write_pattern(lun: &Lun, block: &[u8], offset: u64, len: u64) -> VolumeResult<()> {
    let chunk = len.min(PATTERN_CHUNK) as usize;
    let buf: Vec<u8> = block.iter().copied().cycle().take(chunk).collect();
    let fua = !lun.mode.write_cache();
    let mut at = 0u64;
    while at < len {
        let n = (len - at).min(chunk as u64) as usize;
        lun.volume.write_at(&buf[..n], offset + at, fua)?;
        at += n as u64;
    }
    Ok(())
}

/// Bytes of the volume one GET LBA STATUS looks at.
const STATUS_WINDOW: u64 = 1 << 30;

pub fn get_lba_status(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let lba = ctx.cdb.be(2, 8);
    let alloc = ctx.cdb.be32(10) as usize;
    let capacity = capacity_blocks(lun);
    if lba >= capacity {
        return Err(Check::illegal(asc::LBA_OUT_OF_RANGE).into());
    }
    let max_desc = (alloc.saturating_sub(8) / 16).max(1);
    let offset = lba * BLOCK;
    let len = ((capacity - lba) * BLOCK).min(STATUS_WINDOW);
    let extents = lun
        .volume
        .block_status(offset, len)
        .map_err(|e| volume_check(&e, false))?;
    let out = ctx.begin();
    out.extend_from_slice(&[0; 8]);
    let mut start = lba;
    let mut pending: Option<(u64, u64, bool)> = None; // (lba, blocks, deallocated)
    let mut emitted = 0;
    for e in extents {
        let blocks = (e.len / BLOCK).max(1);
        match &mut pending {
            Some((_, n, hole)) if *hole == e.hole => *n += blocks,
            _ => {
                if let Some(p) = pending.take() {
                    descriptor(out, p);
                    emitted += 1;
                }
                pending = Some((start, blocks, e.hole));
            }
        }
        start += blocks;
        if emitted >= max_desc {
            break;
        }
    }
    if let (Some(p), true) = (pending, emitted < max_desc) {
        descriptor(out, p);
    }
    let len = (out.len() - 4) as u64;
    put_be(&mut out[0..4], len);
    ctx.reply(alloc)
}

fn descriptor(out: &mut Vec<u8>, (lba, blocks, hole): (u64, u64, bool)) {
    push_be(out, lba, 8);
    push_be(out, blocks.min(u64::from(u32::MAX)), 4);
    out.push(u8::from(hole)); // 0: mapped, 1: deallocated
    out.extend_from_slice(&[0; 3]);
}
