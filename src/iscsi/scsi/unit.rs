//! Commands about the logical unit as a whole: TEST UNIT READY, REQUEST SENSE,
//! START STOP UNIT and READ CAPACITY(10/16).

use super::exec::{volume_check, Ctx, Done, BLOCK};
use super::lun::Lun;
use super::sense::{asc, Check, SenseKey};
use super::wire::push_be;
use super::ScsiStatus;

/// TEST UNIT READY (SPC-4 §6.47): a mapped volume is always ready.
pub fn test_unit_ready(ctx: &mut Ctx) -> Done {
    ctx.lun()?;
    Ok(ScsiStatus::Good)
}

/// REQUEST SENSE (SPC-4 §6.39): reports (and clears) a pending unit attention, or NO
/// SENSE; for an unmapped LUN, LOGICAL UNIT NOT SUPPORTED.
pub fn request_sense(ctx: &mut Ctx) -> Done {
    let descriptor = ctx.cdb.bit(1, 0);
    let alloc = usize::from(ctx.cdb.byte(4));
    let check = match (ctx.lun, ctx.lun_number) {
        (Some(_), Some(n)) => match ctx.nexus.ua.take(n) {
            Some(ua) => Check::new(SenseKey::UnitAttention, ua),
            None => Check::new(SenseKey::NoSense, asc::NO_ADDITIONAL_SENSE),
        },
        _ => Check::illegal(asc::LOGICAL_UNIT_NOT_SUPPORTED),
    };
    let sense = check.encode(descriptor);
    ctx.begin().extend_from_slice(sense.as_bytes());
    ctx.reply(alloc)
}

/// START STOP UNIT (SBC-3 §5.25): rvm's volumes have no medium to load or spin, so every
/// power condition is accepted; stopping flushes unless NO_FLUSH is set.
pub fn start_stop_unit(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let start = ctx.cdb.bit(4, 0);
    let no_flush = ctx.cdb.bit(4, 2);
    let power_condition = ctx.cdb.bits(4, 4, 4);
    if !start && !no_flush && power_condition == 0 {
        lun.volume.flush().map_err(|e| volume_check(&e, true))?;
    }
    Ok(ScsiStatus::Good)
}

/// The number of logical blocks (capacity / 512).
pub fn capacity_blocks(lun: &Lun) -> u64 {
    lun.volume.size() / BLOCK
}

/// log2 of logical blocks per physical block: always 0. A volume has no read-modify-write
/// unit that a 512-byte write must avoid, and the 4 KiB the volume prefers is advertised
/// where it is a hint, as the optimal transfer and unmap granularities of the Block
/// Limits page. (libiscsi's GET LBA STATUS tests also assume one block per physical block.)
pub fn physical_exponent(_lun: &Lun) -> u8 {
    0
}

/// READ CAPACITY(10) (SBC-3 §5.15).
pub fn read_capacity10(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    if !ctx.cdb.bit(8, 0) && ctx.cdb.be32(2) != 0 {
        return Err(Check::cdb_byte(2).into());
    }
    let last = capacity_blocks(lun).saturating_sub(1).min(0xffff_ffff);
    let out = ctx.begin();
    push_be(out, last, 4);
    push_be(out, BLOCK, 4);
    ctx.reply(8)
}

/// READ CAPACITY(16) (SBC-3 §5.16): thin provisioning enabled, and discarded blocks read
/// as zeros (LBPME, LBPRZ).
pub fn read_capacity16(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let alloc = ctx.cdb.be32(10) as usize;
    let last = capacity_blocks(lun).saturating_sub(1);
    let exp = physical_exponent(lun);
    let out = ctx.begin();
    push_be(out, last, 8);
    push_be(out, BLOCK, 4);
    out.push(0); // no protection information
    out.push(exp);
    out.push(0xc0); // LBPME, LBPRZ; lowest aligned LBA 0
    out.push(0);
    out.resize(32, 0);
    ctx.reply(alloc)
}

/// READ DEFECT DATA(10/12) (SBC-3 §5.18, §5.19): a volume has no grown or primary
/// defects, so the list is empty, in whichever format was asked for.
pub fn read_defect_data(ctx: &mut Ctx) -> Done {
    ctx.lun()?;
    let twelve = ctx.cdb.opcode() == 0xb7;
    let (flags_at, alloc) = if twelve {
        (1, ctx.cdb.be32(6) as usize)
    } else {
        (2, usize::from(ctx.cdb.be16(7)))
    };
    let flags = ctx.cdb.byte(flags_at) & 0x1f;
    let out = ctx.begin();
    out.push(0);
    out.push(flags);
    out.resize(if twelve { 8 } else { 4 }, 0);
    ctx.reply(alloc)
}
