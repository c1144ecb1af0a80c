//! PERSISTENT RESERVE OUT (SPC-4 §6.16, §5.13): REGISTER (and IGNORE EXISTING KEY),
//! RESERVE, RELEASE, CLEAR, PREEMPT (AND ABORT) and REGISTER AND MOVE.
//!
//! Registrations live as long as the LUN is mapped; APTPL is declined (PTPL_C=0), so
//! nothing persists across a restart. PREEMPT AND ABORT changes the reservation like
//! PREEMPT; the preempted nexuses' in-flight commands run to completion.

use super::exec::{Ctx, Done, Fail};
use super::pr::{PrType, Registration, Reservation};
use super::pr_in::parse_transport_id;
use super::sense::{asc, Asc, Check, FieldIn};
use super::wire::get_be;
use super::{Nexus, ScsiStatus};

struct Params {
    key: u64,
    sa_key: u64,
}

/// The basic 24-byte parameter list, validated.
fn params(ctx: &mut Ctx, move_action: bool) -> Result<Params, Check> {
    let len = ctx.cdb.be32(5) as usize;
    let p = ctx.params(len);
    if len < 24 || p.len() < len || (!move_action && len != 24) {
        return Err(Check::illegal(asc::PARAMETER_LIST_LENGTH_ERROR));
    }
    if !move_action {
        if p[20] & 0x08 != 0 {
            return Err(Check::invalid_field(FieldIn::ParameterList, 20, Some(3)));
        }
        if p[20] & 0x04 != 0 {
            return Err(Check::invalid_field(FieldIn::ParameterList, 20, Some(2)));
        }
    }
    if p[20] & 0x01 != 0 {
        return Err(Check::invalid_field(FieldIn::ParameterList, 20, Some(0)));
    }
    Ok(Params {
        key: get_be(&p[0..8]),
        sa_key: get_be(&p[8..16]),
    })
}

/// Scope and type from CDB byte 2, for the actions that take them.
fn scope_and_type(ctx: &Ctx) -> Result<PrType, Check> {
    if ctx.cdb.bits(2, 4, 4) != 0 {
        return Err(Check::cdb(2, 7));
    }
    PrType::from_code(ctx.cdb.bits(2, 0, 4)).ok_or(Check::cdb(2, 3))
}

/// Tells the nexuses `who` of a reservation change.
fn notify(ctx: &Ctx, code: Asc, who: &[Nexus]) {
    if let Some(n) = ctx.lun_number {
        if !who.is_empty() {
            ctx.target.raise_where(n, code, |x| who.contains(x));
        }
    }
}

pub fn register(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let ignore = ctx.cdb.service_action() == 6;
    let p = params(ctx, false)?;
    let me = ctx.nexus.id.clone();
    let mut s = lun.res.lock();
    let current = s.registration(&me).map(|r| r.key);
    if !ignore && current.unwrap_or(0) != p.key {
        return Err(Fail::Conflict);
    }
    let mut released_to = Vec::new();
    match (current, p.sa_key) {
        (None, 0) => return Ok(ScsiStatus::Good),
        (None, key) => s.registrations.push(Registration { nexus: me, key }),
        (Some(_), 0) => {
            if s.unregister(&me) {
                released_to = s.registrations.iter().map(|r| r.nexus.clone()).collect();
            }
        }
        (Some(_), key) => {
            if let Some(r) = s.registrations.iter_mut().find(|r| r.nexus == me) {
                r.key = key;
            }
        }
    }
    s.generation = s.generation.wrapping_add(1);
    drop(s);
    notify(ctx, asc::RESERVATIONS_RELEASED, &released_to);
    Ok(ScsiStatus::Good)
}

pub fn reserve(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let kind = scope_and_type(ctx)?;
    let p = params(ctx, false)?;
    let me = ctx.nexus.id.clone();
    let mut s = lun.res.lock();
    match s.registration(&me) {
        Some(r) if r.key == p.key => {}
        _ => return Err(Fail::Conflict),
    }
    match &s.reservation {
        Some(r) if s.is_holder(&me) && r.kind == kind => Ok(ScsiStatus::Good),
        Some(_) => Err(Fail::Conflict),
        None => {
            s.reservation = Some(Reservation { holder: me, kind });
            Ok(ScsiStatus::Good)
        }
    }
}

pub fn release(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let p = params(ctx, false)?;
    let me = ctx.nexus.id.clone();
    let mut s = lun.res.lock();
    match s.registration(&me) {
        Some(r) if r.key == p.key => {}
        _ => return Err(Fail::Conflict),
    }
    let Some(r) = s.reservation.clone() else {
        return Ok(ScsiStatus::Good);
    };
    if !s.is_holder(&me) {
        return Ok(ScsiStatus::Good);
    }
    let kind = scope_and_type(ctx)?;
    if kind != r.kind {
        return Err(Check::illegal(asc::INVALID_RELEASE_OF_PERSISTENT_RESERVATION).into());
    }
    s.reservation = None;
    let others: Vec<Nexus> = if r.kind.registrants_admitted() {
        s.registrations
            .iter()
            .filter(|g| g.nexus != me)
            .map(|g| g.nexus.clone())
            .collect()
    } else {
        Vec::new()
    };
    drop(s);
    notify(ctx, asc::RESERVATIONS_RELEASED, &others);
    Ok(ScsiStatus::Good)
}

pub fn clear(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let p = params(ctx, false)?;
    let me = ctx.nexus.id.clone();
    let mut s = lun.res.lock();
    match s.registration(&me) {
        Some(r) if r.key == p.key => {}
        _ => return Err(Fail::Conflict),
    }
    let others: Vec<Nexus> = s
        .registrations
        .iter()
        .filter(|g| g.nexus != me)
        .map(|g| g.nexus.clone())
        .collect();
    s.registrations.clear();
    s.reservation = None;
    s.generation = s.generation.wrapping_add(1);
    drop(s);
    notify(ctx, asc::RESERVATIONS_PREEMPTED, &others);
    Ok(ScsiStatus::Good)
}

/// PREEMPT and PREEMPT AND ABORT (SPC-4 §5.13.11.4).
pub fn preempt(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let p = params(ctx, false)?;
    let me = ctx.nexus.id.clone();
    let mut s = lun.res.lock();
    match s.registration(&me) {
        Some(r) if r.key == p.key => {}
        _ => return Err(Fail::Conflict),
    }
    let reservation = s.reservation.clone();
    let takes_reservation = match &reservation {
        Some(r) if r.kind.all_registrants() => p.sa_key == 0,
        Some(r) => s.registration(&r.holder).is_some_and(|g| g.key == p.sa_key),
        None => false,
    };
    if takes_reservation {
        let kind = scope_and_type(ctx)?;
        let all = reservation
            .as_ref()
            .is_some_and(|r| r.kind.all_registrants());
        let removed: Vec<Nexus> = s
            .registrations
            .iter()
            .filter(|g| g.nexus != me && (all || g.key == p.sa_key))
            .map(|g| g.nexus.clone())
            .collect();
        s.registrations.retain(|g| !removed.contains(&g.nexus));
        s.reservation = Some(Reservation { holder: me, kind });
        s.generation = s.generation.wrapping_add(1);
        drop(s);
        notify(ctx, asc::REGISTRATIONS_PREEMPTED, &removed);
        return Ok(ScsiStatus::Good);
    }
    if p.sa_key == 0 {
        return Err(Check::param(8).into());
    }
    let removed: Vec<Nexus> = s
        .registrations
        .iter()
        .filter(|g| g.key == p.sa_key)
        .map(|g| g.nexus.clone())
        .collect();
    if removed.is_empty() {
        return Err(Fail::Conflict);
    }
    for n in &removed {
        s.unregister(n);
    }
    s.generation = s.generation.wrapping_add(1);
    drop(s);
    notify(ctx, asc::REGISTRATIONS_PREEMPTED, &removed);
    Ok(ScsiStatus::Good)
}

/// REGISTER AND MOVE (SPC-4 §5.13.8): the holder hands its reservation to the I_T nexus
/// a TransportID names, registering it with the service action key.
pub fn register_and_move(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let len = ctx.cdb.be32(5) as usize;
    let raw = ctx.params(len);
    let p = params(ctx, true)?;
    let kind = scope_and_type(ctx)?;
    let unreg = raw[17] & 0x02 != 0;
    let id_len = get_be(&raw[20..24]) as usize;
    let id = raw
        .get(24..24 + id_len)
        .ok_or(Check::illegal(asc::PARAMETER_LIST_LENGTH_ERROR))?;
    let (name, isid) = parse_transport_id(id).ok_or(Check::param(24))?;
    let me = ctx.nexus.id.clone();
    let mut s = lun.res.lock();
    let Some(r) = s.reservation.clone() else {
        return Err(Fail::Conflict);
    };
    match s.registration(&me) {
        Some(g) if g.key == p.key && r.holder == me && !r.kind.all_registrants() => {}
        Some(_) => return Err(Fail::Conflict),
        None => return Err(Fail::Conflict),
    }
    if p.sa_key == 0 {
        return Err(Check::param(8).into());
    }
    let dest = Nexus {
        initiator: name,
        isid: isid.unwrap_or(me.isid),
        tpgt: me.tpgt,
    };
    if dest == me {
        return Err(Check::param(24).into());
    }
    match s.registrations.iter_mut().find(|g| g.nexus == dest) {
        Some(g) => g.key = p.sa_key,
        None => s.registrations.push(Registration {
            nexus: dest.clone(),
            key: p.sa_key,
        }),
    }
    s.reservation = Some(Reservation { holder: dest, kind });
    if unreg {
        s.registrations.retain(|g| g.nexus != me);
    }
    s.generation = s.generation.wrapping_add(1);
    Ok(ScsiStatus::Good)
}
