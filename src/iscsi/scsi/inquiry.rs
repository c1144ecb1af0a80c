//! INQUIRY (SPC-4 §6.6): standard data, and the dispatch to the VPD pages.

use super::exec::{Ctx, Done};
use super::sense::Check;
use super::vpd;
use super::wire::{push_ascii, push_be};

pub const VENDOR: &str = "RVM";
pub const PRODUCT: &str = "rvm volume";

/// Version descriptors claimed (SPC-4 table 144): SAM-5, iSCSI, SPC-4, SBC-3.
const VERSIONS: [u16; 4] = [0x00a0, 0x0960, 0x0460, 0x04c0];

/// Peripheral qualifier 011b, device type 1Fh: no logical unit at this LUN.
const NO_LUN: u8 = 0x7f;

/// Product revision: as much of the crate version as fits in four characters, without a
/// dangling dot ("0.1.0" gives "0.1").
pub fn revision() -> &'static str {
    let v = env!("CARGO_PKG_VERSION");
    v[..v.len().min(4)].trim_end_matches('.')
}

pub fn inquiry(ctx: &mut Ctx) -> Done {
    let evpd = ctx.cdb.bit(1, 0);
    let page = ctx.cdb.byte(2);
    let alloc = usize::from(ctx.cdb.be16(3));
    if ctx.cdb.bits(1, 1, 7) != 0 {
        return Err(Check::cdb(1, 1).into());
    }
    if !evpd {
        if page != 0 {
            return Err(Check::cdb_byte(2).into());
        }
        let mapped = ctx.lun.is_some();
        standard(ctx.begin(), mapped);
        return ctx.reply(alloc);
    }
    let Some(lun) = ctx.lun else {
        // An unmapped LUN still answers, with the "no logical unit" qualifier.
        let out = ctx.begin();
        out.extend_from_slice(&[NO_LUN, page, 0, 0]);
        return ctx.reply(alloc);
    };
    let target = ctx.target;
    let tpgt = ctx.nexus.id.tpgt;
    let out = ctx.begin();
    if !vpd::page(out, page, lun, target.name(), tpgt) {
        return Err(Check::cdb_byte(2).into());
    }
    ctx.reply(alloc)
}

/// Standard INQUIRY data, 96 bytes (SPC-4 table 142).
fn standard(out: &mut Vec<u8>, mapped: bool) {
    out.push(if mapped { 0x00 } else { NO_LUN });
    out.push(0x00); // not removable
    out.push(0x06); // SPC-4
    out.push(0x12); // HISUP, response data format 2
    out.push(0); // additional length, set below
    out.push(0x00); // no SCCS, ACC, TPGS, 3PC, PROTECT
    out.push(0x00);
    out.push(0x02); // CMDQUE
    push_ascii(out, VENDOR, 8);
    push_ascii(out, PRODUCT, 16);
    push_ascii(out, revision(), 4);
    out.resize(58, 0);
    for v in VERSIONS {
        push_be(out, u64::from(v), 2);
    }
    out.resize(96, 0);
    out[4] = (out.len() - 5) as u8;
}
