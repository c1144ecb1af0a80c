//! SPC-2 RESERVE and RELEASE (6/10), with the compatible reservation handling of SPC-4
//! §5.13.3 when persistent reservations are in use (CRH=1).

use super::exec::{Ctx, Done, Fail};
use super::sense::Check;
use super::ScsiStatus;

/// What SPC-4 §5.13.3 says about a RESERVE/RELEASE while persistent reservations exist:
/// `Some(Ok)` (a no-op), `Some(Err)` (conflict), or `None` (SPC-2 rules apply).
fn persistent_rules(ctx: &Ctx) -> Option<Done> {
    let lun = ctx.lun?;
    let s = lun.res.lock();
    let me = &ctx.nexus.id;
    let admitted = s
        .reservation
        .as_ref()
        .is_some_and(|r| r.kind.registrants_admitted() && s.registration(me).is_some());
    if s.is_holder(me) || admitted {
        return Some(Ok(ScsiStatus::Good));
    }
    if !s.registrations.is_empty() {
        return Some(Err(Fail::Conflict));
    }
    None
}

/// Third-party and long-ID reservations are not supported.
fn check_cdb(ctx: &Ctx) -> Result<(), Check> {
    let mask = if ctx.cdb.opcode() == 0x16 { 0x03 } else { 0x12 };
    if ctx.cdb.byte(1) & mask != 0 {
        return Err(Check::cdb_byte(1));
    }
    Ok(())
}

pub fn reserve(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    check_cdb(ctx)?;
    if let Some(done) = persistent_rules(ctx) {
        return done;
    }
    let mut s = lun.res.lock();
    match &s.spc2 {
        Some(holder) if *holder != ctx.nexus.id => Err(Fail::Conflict),
        _ => {
            s.spc2 = Some(ctx.nexus.id.clone());
            Ok(ScsiStatus::Good)
        }
    }
}

/// RELEASE from a nexus that holds nothing is a no-op (SPC-2 §7.17).
pub fn release(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    check_cdb(ctx)?;
    if let Some(done) = persistent_rules(ctx) {
        return done;
    }
    lun.res.release_spc2(Some(&ctx.nexus.id));
    Ok(ScsiStatus::Good)
}
