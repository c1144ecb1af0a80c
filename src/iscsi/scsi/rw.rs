//! READ and WRITE (6/10/12/16), WRITE AND VERIFY, SYNCHRONIZE CACHE and PRE-FETCH
//! (SBC-3 §5): the data path, with no lock but the range stripes a write shares.

use super::cdb::{Cdb, Layout};
use super::exec::{volume_check, Ctx, Done, BLOCK};
use super::lun::Lun;
use super::sense::{asc, Check, SenseKey};
use super::unit::capacity_blocks;
use super::vpd::max_transfer_blocks;
use super::ScsiStatus;

/// The CDB layout of a READ/WRITE-family opcode.
pub fn layout(opcode: u8) -> Layout {
    match opcode >> 5 {
        0 => Layout::Six,
        1 | 2 => Layout::Ten,
        4 => Layout::Sixteen,
        _ => Layout::Twelve,
    }
}

/// Fails with LBA OUT OF RANGE unless `[lba, lba + blocks)` lies within the volume.
pub fn check_range(lun: &Lun, lba: u64, blocks: u64) -> Result<(), Check> {
    match lba.checked_add(blocks) {
        Some(end) if end <= capacity_blocks(lun) => Ok(()),
        _ => Err(Check::illegal(asc::LBA_OUT_OF_RANGE)),
    }
}

/// Rejects a nonzero RDPROTECT/WRPROTECT/VRPROTECT: rvm keeps no protection information.
pub fn check_protect(cdb: &Cdb) -> Result<(), Check> {
    if cdb.bits(1, 5, 3) != 0 {
        return Err(Check::cdb(1, 7));
    }
    Ok(())
}

/// Fails with WRITE PROTECTED if the LUN refuses writes.
pub fn check_writable(lun: &Lun) -> Result<(), Check> {
    if lun.mode.software_write_protect() {
        return Err(Check::new(
            SenseKey::DataProtect,
            asc::SOFTWARE_WRITE_PROTECTED,
        ));
    }
    if lun.write_protected() {
        return Err(Check::new(SenseKey::DataProtect, asc::WRITE_PROTECTED));
    }
    Ok(())
}

/// LBA and block count of a READ/WRITE-family CDB, checked against the transfer limit.
fn lba_and_blocks(ctx: &Ctx, lun: &Lun) -> Result<(Layout, u64, u64), Check> {
    let layout = layout(ctx.cdb.opcode());
    let (lba, mut blocks) = layout.lba_and_len(&ctx.cdb);
    if layout == Layout::Six {
        if blocks == 0 {
            blocks = 256;
        }
    } else {
        check_protect(&ctx.cdb)?;
    }
    if blocks > max_transfer_blocks(lun) {
        return Err(Check::cdb_byte(layout.len_field()));
    }
    Ok((layout, lba, u64::from(blocks)))
}

/// Makes `buf` exactly `len` bytes long, re-zeroing nothing it already held: the
/// volume overwrites all of it before anyone sees it.
pub fn size_buffer(buf: &mut Vec<u8>, len: usize) {
    if buf.len() >= len {
        buf.truncate(len);
    } else {
        buf.resize(len, 0);
    }
}

pub fn read(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let (_, lba, blocks) = lba_and_blocks(ctx, lun)?;
    check_range(lun, lba, blocks)?;
    let bytes = blocks * BLOCK;
    ctx.transfer_len = bytes as u32;
    let want = (bytes as usize).min(ctx.expected_in as usize);
    size_buffer(ctx.data_in, want);
    lun.volume
        .read_at(&mut ctx.data_in[..want], lba * BLOCK)
        .map_err(|e| volume_check(&e, false))?;
    Ok(ScsiStatus::Good)
}

/// The whole blocks of Data-Out that arrived for a write of `bytes`: a short transfer
/// writes what came (the transport reports the residual); a partial block is refused.
pub fn whole_blocks<'a>(ctx: &Ctx<'a>, bytes: u64) -> Result<&'a [u8], Check> {
    let got = ctx.data_out.len() as u64;
    if got >= bytes {
        return Ok(&ctx.data_out[..bytes as usize]);
    }
    if got % BLOCK != 0 {
        return Err(Check::illegal(asc::INVALID_FIELD_IN_INFORMATION_UNIT));
    }
    Ok(ctx.data_out)
}

/// Writes `data` at `lba` under the range stripes, write-through when FUA is asked or the
/// write cache is disabled.
pub fn write_blocks(lun: &Lun, lba: u64, data: &[u8], fua: bool) -> Result<(), Check> {
    if data.is_empty() {
        return Ok(());
    }
    let _stripes = lun.locks.shared(lba, data.len() as u64 / BLOCK);
    lun.volume
        .write_at(data, lba * BLOCK, fua || !lun.mode.write_cache())
        .map_err(|e| volume_check(&e, true))
}

pub fn write(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let (layout, lba, blocks) = lba_and_blocks(ctx, lun)?;
    check_writable(lun)?;
    check_range(lun, lba, blocks)?;
    let bytes = blocks * BLOCK;
    ctx.transfer_len = bytes as u32;
    let data = whole_blocks(ctx, bytes)?;
    let fua = layout != Layout::Six && ctx.cdb.bit(1, 3);
    write_blocks(lun, lba, data, fua)?;
    Ok(ScsiStatus::Good)
}

/// ORWRITE(16) (SBC-3 §5.9): ORs the Data-Out into the blocks, holding the range's
/// stripes exclusively so the read-modify-write is atomic against other writes.
pub fn orwrite(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let (_, lba, blocks) = lba_and_blocks(ctx, lun)?;
    check_writable(lun)?;
    check_range(lun, lba, blocks)?;
    let bytes = blocks * BLOCK;
    ctx.transfer_len = bytes as u32;
    let data = whole_blocks(ctx, bytes)?;
    if data.is_empty() {
        return Ok(ScsiStatus::Good);
    }
    let fua = ctx.cdb.bit(1, 3) || !lun.mode.write_cache();
    let _stripes = lun.locks.exclusive(lba, blocks);
    let mut merged = vec![0u8; data.len()];
    lun.volume
        .read_at(&mut merged, lba * BLOCK)
        .map_err(|e| volume_check(&e, false))?;
    for (m, d) in merged.iter_mut().zip(data) {
        *m |= d;
    }
    lun.volume
        .write_at(&merged, lba * BLOCK, fua)
        .map_err(|e| volume_check(&e, true))?;
    Ok(ScsiStatus::Good)
}

/// WRITE AND VERIFY (SBC-3 §5.41): the write goes through to stable storage, which is
/// the verification a volume can offer; BYTCHK=1 compares the data with itself.
pub fn write_and_verify(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let (_, lba, blocks) = lba_and_blocks(ctx, lun)?;
    if ctx.cdb.bits(1, 1, 2) > 1 {
        return Err(Check::cdb(1, 2).into());
    }
    check_writable(lun)?;
    check_range(lun, lba, blocks)?;
    let bytes = blocks * BLOCK;
    ctx.transfer_len = bytes as u32;
    let data = whole_blocks(ctx, bytes)?;
    write_blocks(lun, lba, data, true)?;
    Ok(ScsiStatus::Good)
}

/// SYNCHRONIZE CACHE(10/16) (SBC-3 §5.22): always flushes the whole volume, whatever the
/// range, since the volume's flush is not ranged.
pub fn synchronize_cache(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let layout = layout(ctx.cdb.opcode());
    let (lba, blocks) = layout.lba_and_len(&ctx.cdb);
    check_range(lun, lba, u64::from(blocks))?;
    lun.volume.flush().map_err(|e| volume_check(&e, true))?;
    Ok(ScsiStatus::Good)
}

/// PRE-FETCH(10/16) (SBC-3 §5.10): rvm keeps no cache of its own to load (the page cache
/// below the volume does that), so this is the "cache has no room" case: GOOD, not
/// CONDITION MET, which would promise the blocks are now cached.
pub fn prefetch(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let layout = layout(ctx.cdb.opcode());
    let (lba, blocks) = layout.lba_and_len(&ctx.cdb);
    check_range(lun, lba, u64::from(blocks))?;
    Ok(ScsiStatus::Good)
}
