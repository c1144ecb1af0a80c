//! REPORT LUNS (SPC-4 §6.33), REPORT SUPPORTED OPERATION CODES (§6.35) and REPORT
//! SUPPORTED TASK MANAGEMENT FUNCTIONS (§6.36).

use super::dispatch::{Command, TABLE};
use super::exec::{Ctx, Done};
use super::luns::encode_lun;
use super::sense::{asc, Check};
use super::wire::{push_be, put_be};

/// Nominal and recommended command timeouts reported when RCTD is set, in seconds.
const NOMINAL_TIMEOUT: u64 = 10;
const RECOMMENDED_TIMEOUT: u64 = 60;

pub fn report_luns(ctx: &mut Ctx) -> Done {
    let select = ctx.cdb.byte(2);
    let alloc = ctx.cdb.be32(6) as usize;
    if alloc < 4 {
        return Err(Check::cdb_byte(6).into());
    }
    let luns: Vec<u64> = match select {
        0x00 | 0x02 => ctx.target.map().keys().copied().collect(),
        0x01 => Vec::new(),
        _ => return Err(Check::cdb_byte(2).into()),
    };
    if let Some(n) = ctx.lun_number {
        ctx.nexus.ua.clear(n, asc::REPORTED_LUNS_DATA_HAS_CHANGED);
    }
    let out = ctx.begin();
    push_be(out, (luns.len() * 8) as u64, 4);
    out.extend_from_slice(&[0; 4]);
    for l in luns {
        push_be(out, encode_lun(l), 8);
    }
    ctx.reply(alloc)
}

fn has_service_actions(opcode: u8) -> bool {
    TABLE
        .iter()
        .any(|c| c.opcode == opcode && c.action.is_some())
}

fn timeout_descriptor(out: &mut Vec<u8>) {
    push_be(out, 0x0a, 2);
    out.extend_from_slice(&[0, 0]);
    push_be(out, NOMINAL_TIMEOUT, 4);
    push_be(out, RECOMMENDED_TIMEOUT, 4);
}

pub fn report_opcodes(ctx: &mut Ctx) -> Done {
    let rctd = ctx.cdb.bit(2, 7);
    let options = ctx.cdb.bits(2, 0, 3);
    let opcode = ctx.cdb.byte(3);
    let action = ctx.cdb.be16(4);
    let alloc = ctx.cdb.be32(6) as usize;
    let out = ctx.begin();
    let one = |c: &Command, out: &mut Vec<u8>| {
        out.push(0);
        out.push(if rctd { 0x80 | 0x03 } else { 0x03 });
        push_be(out, c.usage.len() as u64, 2);
        out.extend_from_slice(c.usage);
        if rctd {
            timeout_descriptor(out);
        }
    };
    let unsupported = |out: &mut Vec<u8>| out.extend_from_slice(&[0, 0x01, 0, 0]);
    match options {
        0 => {
            out.extend_from_slice(&[0; 4]);
            for c in TABLE {
                out.push(c.opcode);
                out.push(0);
                push_be(out, u64::from(c.action.unwrap_or(0)), 2);
                out.push(0);
                out.push(u8::from(rctd) << 1 | u8::from(c.action.is_some()));
                push_be(out, c.usage.len() as u64, 2);
                if rctd {
                    timeout_descriptor(out);
                }
            }
            let len = (out.len() - 4) as u64;
            put_be(&mut out[..4], len);
        }
        1..=3 => {
            let with_sa = has_service_actions(opcode);
            if (options == 1 && with_sa) || (options == 2 && !with_sa) {
                return Err(Check::cdb(2, 0).into());
            }
            let found = TABLE
                .iter()
                .find(|c| c.opcode == opcode && (!with_sa || c.action == Some(action)));
            match found {
                Some(c) => one(c, out),
                None => unsupported(out),
            }
        }
        _ => return Err(Check::cdb(2, 0).into()),
    }
    ctx.reply(alloc)
}

pub fn report_tmfs(ctx: &mut Ctx) -> Done {
    let alloc = ctx.cdb.be32(6) as usize;
    if alloc < 4 {
        return Err(Check::cdb_byte(6).into());
    }
    // ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET, TARGET RESET.
    ctx.begin().extend_from_slice(&[0xda, 0, 0, 0]);
    ctx.reply(alloc)
}
