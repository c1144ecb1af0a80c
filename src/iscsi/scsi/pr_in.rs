//! PERSISTENT RESERVE IN (SPC-4 §6.15): READ KEYS, READ RESERVATION, REPORT
//! CAPABILITIES and READ FULL STATUS.

use super::exec::{Ctx, Done};
use super::wire::{push_be, put_be};
use super::Nexus;

/// An iSCSI TransportID with the ISID (SPC-4 §7.6.4.6, format 01b).
pub fn transport_id(nexus: &Nexus) -> Vec<u8> {
    let mut name = nexus.initiator_port_name().into_bytes();
    name.push(0);
    while name.len() % 4 != 0 || name.len() < 20 {
        name.push(0);
    }
    let mut out = vec![0x45, 0];
    push_be(&mut out, name.len() as u64, 2);
    out.extend_from_slice(&name);
    out
}

/// Parses an iSCSI TransportID into (initiator name, ISID if given).
pub fn parse_transport_id(b: &[u8]) -> Option<(String, Option<u64>)> {
    if b.len() < 4 || b[0] & 0x0f != 0x05 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([b[2], b[3]]));
    let body = b.get(4..4 + len)?;
    let end = body.iter().position(|&c| c == 0).unwrap_or(body.len());
    let text = std::str::from_utf8(&body[..end]).ok()?;
    match b[0] >> 6 {
        0 => Some((text.to_string(), None)),
        1 => {
            let (name, isid) = text.split_once(",i,0x")?;
            let isid = u64::from_str_radix(isid, 16).ok()?;
            Some((name.to_string(), Some(isid)))
        }
        _ => None,
    }
}

pub fn read_keys(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let alloc = usize::from(ctx.cdb.be16(7));
    let s = lun.res.lock();
    let out = ctx.begin();
    push_be(out, u64::from(s.generation), 4);
    push_be(out, (s.registrations.len() * 8) as u64, 4);
    for r in &s.registrations {
        push_be(out, r.key, 8);
    }
    drop(s);
    ctx.reply(alloc)
}

pub fn read_reservation(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let alloc = usize::from(ctx.cdb.be16(7));
    let s = lun.res.lock();
    let out = ctx.begin();
    push_be(out, u64::from(s.generation), 4);
    match &s.reservation {
        Some(r) => {
            push_be(out, 16, 4);
            push_be(out, s.reservation_key(), 8);
            out.extend_from_slice(&[0; 5]);
            out.push(r.kind as u8); // scope 0: logical unit
            out.extend_from_slice(&[0; 2]);
        }
        None => push_be(out, 0, 4),
    }
    drop(s);
    ctx.reply(alloc)
}

pub fn report_capabilities(ctx: &mut Ctx) -> Done {
    ctx.lun()?;
    let alloc = usize::from(ctx.cdb.be16(7));
    let out = ctx.begin();
    push_be(out, 8, 2);
    out.push(0x10); // CRH: SPC-2 RESERVE/RELEASE follow SPC-4 §5.13.3
    out.push(0x80); // TMV: the type mask below is valid
    out.push(0x80 | 0x40 | 0x20 | 0x08 | 0x02); // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
    out.push(0x01); // EX_AC_AR
    out.extend_from_slice(&[0; 2]);
    ctx.reply(alloc)
}

pub fn read_full_status(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let alloc = usize::from(ctx.cdb.be16(7));
    let s = lun.res.lock();
    let out = ctx.begin();
    push_be(out, u64::from(s.generation), 4);
    out.extend_from_slice(&[0; 4]);
    for r in &s.registrations {
        let holder = s.is_holder(&r.nexus);
        push_be(out, r.key, 8);
        out.extend_from_slice(&[0; 4]);
        out.push(u8::from(holder));
        out.push(match (&s.reservation, holder) {
            (Some(res), true) => res.kind as u8,
            _ => 0,
        });
        out.extend_from_slice(&[0; 4]);
        push_be(out, 1, 2); // relative target port identifier
        let id = transport_id(&r.nexus);
        push_be(out, id.len() as u64, 4);
        out.extend_from_slice(&id);
    }
    drop(s);
    let len = (out.len() - 8) as u64;
    put_be(&mut out[4..8], len);
    ctx.reply(alloc)
}
