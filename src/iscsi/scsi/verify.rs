//! VERIFY (10/12/16) and COMPARE AND WRITE (SBC-3 §5.3, §5.33): the commands that compare
//! Data-Out with the medium and report a MISCOMPARE with the offset of the first
//! difference.

use super::exec::{volume_check, Ctx, Done, BLOCK};
use super::rw::{check_protect, check_range, check_writable, layout};
use super::sense::{asc, Check, SenseKey};
use super::vpd::max_transfer_blocks;
use super::ScsiStatus;

/// MISCOMPARE DURING VERIFY OPERATION at byte `offset` of the Data-Out.
fn miscompare(offset: usize) -> Check {
    Check::new(SenseKey::Miscompare, asc::MISCOMPARE_DURING_VERIFY).with_info(offset as u64)
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y)
}

pub fn verify(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let layout = layout(ctx.cdb.opcode());
    check_protect(&ctx.cdb)?;
    let bytchk = ctx.cdb.bits(1, 1, 2);
    if bytchk == 0b10 {
        return Err(Check::cdb(1, 2).into());
    }
    let (lba, blocks) = layout.lba_and_len(&ctx.cdb);
    if blocks > max_transfer_blocks(lun) {
        return Err(Check::cdb_byte(layout.len_field()).into());
    }
    let blocks = u64::from(blocks);
    check_range(lun, lba, blocks)?;
    if bytchk == 0 || blocks == 0 {
        // Verifying the medium: every block of a volume reads back or errs at read time.
        return Ok(ScsiStatus::Good);
    }
    let bytes = blocks * BLOCK;
    let expect_len = if bytchk == 0b11 { BLOCK } else { bytes };
    ctx.transfer_len = expect_len as u32;
    let expect = ctx.data_out;
    if (expect.len() as u64) < expect_len {
        return Err(Check::illegal(asc::INVALID_FIELD_IN_INFORMATION_UNIT).into());
    }
    let mut medium = vec![0u8; bytes as usize];
    lun.volume
        .read_at(&mut medium, lba * BLOCK)
        .map_err(|e| volume_check(&e, false))?;
    let diff = if bytchk == 0b11 {
        let block = &expect[..BLOCK as usize];
        medium
            .chunks(BLOCK as usize)
            .enumerate()
            .find_map(|(i, m)| first_difference(block, m).map(|d| i * BLOCK as usize + d))
    } else {
        first_difference(&expect[..bytes as usize], &medium)
    };
    match diff {
        Some(at) => Err(miscompare(at).into()),
        None => Ok(ScsiStatus::Good),
    }
}

/// COMPARE AND WRITE: the compare and the write happen under the range's exclusive
/// stripes, so no other write lands in between.
pub fn compare_and_write(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    check_protect(&ctx.cdb)?;
    let lba = ctx.cdb.be(2, 8);
    // The one-byte field cannot exceed MAX_COMPARE_AND_WRITE (255).
    let blocks = u64::from(ctx.cdb.byte(13));
    check_writable(lun)?;
    check_range(lun, lba, blocks)?;
    let bytes = (blocks * BLOCK) as usize;
    ctx.transfer_len = (2 * bytes) as u32;
    if blocks == 0 {
        // Nothing to compare; Data-Out sent anyway means the initiator meant more blocks
        // than the field can say (256 wraps to 0).
        if !ctx.data_out.is_empty() {
            return Err(Check::cdb_byte(13).into());
        }
        return Ok(ScsiStatus::Good);
    }
    if ctx.data_out.len() != 2 * bytes {
        return Err(Check::illegal(asc::INVALID_FIELD_IN_INFORMATION_UNIT).into());
    }
    let (expect, new) = ctx.data_out.split_at(bytes);
    let fua = ctx.cdb.bit(1, 3) || !lun.mode.write_cache();
    let _stripes = lun.locks.exclusive(lba, blocks);
    let mut medium = vec![0u8; bytes];
    lun.volume
        .read_at(&mut medium, lba * BLOCK)
        .map_err(|e| volume_check(&e, false))?;
    if let Some(at) = first_difference(expect, &medium) {
        return Err(miscompare(at).into());
    }
    lun.volume
        .write_at(new, lba * BLOCK, fua)
        .map_err(|e| volume_check(&e, true))?;
    Ok(ScsiStatus::Good)
}
