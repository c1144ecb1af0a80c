//! The path every command takes: LUN lookup, dispatch, unit attentions, reservation
//! checks, the handler, and the outcome with its sense data.

use super::cdb::Cdb;
use super::dispatch::{self, flag, Command, Lookup};
use super::lun::Lun;
use super::luns::{decode_lun, TargetLuns};
use super::sense::{asc, Check, SenseKey};
use super::{ItNexus, Outcome, ScsiCommand, ScsiStatus};
use crate::engine::VolumeError;
use std::sync::Arc;

/// Logical block size rvm exports (SBC-3 §4.4); volumes are byte-addressed underneath.
pub const BLOCK: u64 = 512;

/// How a command failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fail {
    Check(Check),
    Conflict,
}

impl From<Check> for Fail {
    fn from(c: Check) -> Fail {
        Fail::Check(c)
    }
}

/// What a handler returns: GOOD or CONDITION MET, or why it failed.
pub type Done = Result<ScsiStatus, Fail>;

/// Everything a handler sees of its command.
pub struct Ctx<'a> {
    pub target: &'a TargetLuns,
    /// The addressed LUN, absent only for commands flagged [`flag::ANY_LUN`].
    pub lun: Option<&'a Lun>,
    /// The decoded LUN number (or `None` if the field could not name any LUN).
    pub lun_number: Option<u64>,
    pub nexus: &'a ItNexus,
    pub cdb: Cdb<'a>,
    pub data_out: &'a [u8],
    pub expected_in: u32,
    pub data_in: &'a mut Vec<u8>,
    /// Bytes the command asked to move; see [`Outcome::transfer_len`].
    pub transfer_len: u32,
}

impl<'a> Ctx<'a> {
    /// The addressed LUN; handlers of commands that need one are only run with one.
    pub fn lun(&self) -> Result<&'a Lun, Check> {
        self.lun
            .ok_or(Check::illegal(asc::LOGICAL_UNIT_NOT_SUPPORTED))
    }

    /// An empty Data-In buffer for a handler that builds its parameter data.
    pub fn begin(&mut self) -> &mut Vec<u8> {
        self.data_in.clear();
        self.data_in
    }

    /// Finishes built parameter data: what fits in `alloc` bytes is what the command
    /// transfers (SPC-4 §4.2.5.6).
    pub fn reply(&mut self, alloc: usize) -> Done {
        let n = self.data_in.len().min(alloc);
        self.data_in.truncate(n);
        self.transfer_len = n as u32;
        Ok(ScsiStatus::Good)
    }

    /// The first `len` bytes of the parameter list, or fewer if fewer arrived; the
    /// command asks for `len` bytes of Data-Out.
    pub fn params(&mut self, len: usize) -> &'a [u8] {
        self.transfer_len = u32::try_from(len).unwrap_or(u32::MAX);
        &self.data_out[..len.min(self.data_out.len())]
    }
}

/// Runs one command (see [`TargetLuns::execute`]).
pub fn execute(target: &TargetLuns, cmd: &ScsiCommand, data_in: &mut Vec<u8>) -> Outcome {
    let lun_number = decode_lun(cmd.lun);
    let lun: Option<Arc<Lun>> = lun_number.and_then(|n| target.lun(n));
    let cdb = Cdb(cmd.cdb);
    let descriptor = lun.as_ref().is_some_and(|l| l.mode.d_sense());
    let fail = |c: Check| Outcome {
        status: ScsiStatus::CheckCondition,
        sense: Some(c.encode(descriptor)),
        transfer_len: 0,
    };

    let command = match dispatch::lookup(&cdb) {
        Lookup::Found(c) => c,
        Lookup::BadServiceAction(c) if lun.is_some() || c.flags & flag::ANY_LUN != 0 => {
            data_in.clear();
            return fail(Check::cdb(1, 4));
        }
        Lookup::Unknown | Lookup::BadServiceAction(_) => {
            data_in.clear();
            if lun.is_none() {
                return fail(Check::illegal(asc::LOGICAL_UNIT_NOT_SUPPORTED));
            }
            if let Some(ua) = lun_number.and_then(|n| cmd.nexus.ua.take(n)) {
                return fail(Check::new(SenseKey::UnitAttention, ua));
            }
            return fail(Check::illegal(asc::INVALID_COMMAND_OPERATION_CODE));
        }
    };
    if lun.is_none() && command.flags & flag::ANY_LUN == 0 {
        data_in.clear();
        return fail(Check::illegal(asc::LOGICAL_UNIT_NOT_SUPPORTED));
    }
    if let (Some(l), Some(n)) = (&lun, lun_number) {
        l.check_size(target, n);
        if command.flags & flag::NO_UA == 0 {
            if let Some(ua) = cmd.nexus.ua.take(n) {
                data_in.clear();
                return fail(Check::new(SenseKey::UnitAttention, ua));
            }
        }
        if l.res.any() {
            if let Err(f) = l.res.check(command, &cdb, &cmd.nexus.id) {
                data_in.clear();
                return finish(Err(f), 0, descriptor, data_in);
            }
        }
    }
    if let Err(c) = control_byte(&cdb, command) {
        data_in.clear();
        return fail(c);
    }

    let mut ctx = Ctx {
        target,
        lun: lun.as_deref(),
        lun_number,
        nexus: cmd.nexus,
        cdb,
        data_out: cmd.data_out,
        expected_in: cmd.expected_data_in,
        data_in,
        transfer_len: 0,
    };
    let result = (command.handler)(&mut ctx);
    let transfer = ctx.transfer_len;
    if result.is_ok() {
        let keep = (transfer as usize).min(cmd.expected_data_in as usize);
        if ctx.data_in.len() > keep {
            ctx.data_in.truncate(keep);
        }
    } else {
        ctx.data_in.clear();
    }
    finish(result, transfer, descriptor, data_in)
}

fn finish(result: Done, transfer_len: u32, descriptor: bool, _data_in: &mut [u8]) -> Outcome {
    match result {
        Ok(status) => Outcome {
            status,
            sense: None,
            transfer_len,
        },
        Err(Fail::Check(c)) => Outcome {
            status: ScsiStatus::CheckCondition,
            sense: Some(c.encode(descriptor)),
            transfer_len,
        },
        Err(Fail::Conflict) => Outcome {
            status: ScsiStatus::ReservationConflict,
            sense: None,
            transfer_len,
        },
    }
}

/// rvm supports neither NACA nor linked commands (SAM-5 §5.2): the CONTROL byte must
/// leave them clear.
fn control_byte(cdb: &Cdb, command: &Command) -> Result<(), Check> {
    let at = command.usage.len().saturating_sub(1);
    if cdb.byte(at) & 0x05 != 0 {
        return Err(Check::cdb(at, if cdb.bit(at, 2) { 2 } else { 0 }));
    }
    Ok(())
}

/// The sense a volume error turns into (SBC-3 §4.18).
pub fn volume_check(e: &VolumeError, writing: bool) -> Check {
    match e {
        VolumeError::OutOfRange { .. } => Check::illegal(asc::LBA_OUT_OF_RANGE),
        VolumeError::ReadOnly => Check::new(SenseKey::DataProtect, asc::WRITE_PROTECTED),
        VolumeError::NoSpace => Check::new(
            SenseKey::DataProtect,
            asc::SPACE_ALLOCATION_FAILED_WRITE_PROTECT,
        ),
        VolumeError::NotSupported(_) => Check::cdb_byte(0),
        VolumeError::Gone => Check::new(SenseKey::NotReady, asc::LUN_NOT_READY_MANUAL_INTERVENTION),
        VolumeError::Io(io) if matches!(io.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT)) => {
            Check::new(
                SenseKey::DataProtect,
                asc::SPACE_ALLOCATION_FAILED_WRITE_PROTECT,
            )
        }
        VolumeError::Invalid | VolumeError::Io(_) => {
            if writing {
                Check::new(SenseKey::MediumError, asc::WRITE_ERROR)
            } else {
                Check::new(SenseKey::MediumError, asc::UNRECOVERED_READ_ERROR)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    fn code(e: VolumeError, writing: bool) -> (u8, u8, u8) {
        let c = volume_check(&e, writing);
        (c.key as u8, c.asc.0, c.asc.1)
    }

    #[test]
    fn volume_errors_map_to_their_sense() {
        assert_eq!(code(VolumeError::ReadOnly, true), (7, 0x27, 0));
        assert_eq!(code(VolumeError::NoSpace, true), (7, 0x27, 0x07));
        let enospc = io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(code(VolumeError::Io(enospc), true), (7, 0x27, 0x07));
        let eio = || io::Error::from_raw_os_error(libc::EIO);
        assert_eq!(code(VolumeError::Io(eio()), false), (3, 0x11, 0));
        assert_eq!(code(VolumeError::Io(eio()), true), (3, 0x0c, 0));
        assert_eq!(code(VolumeError::Invalid, false), (3, 0x11, 0));
        let oob = VolumeError::OutOfRange {
            offset: 0,
            len: 1,
            size: 0,
        };
        assert_eq!(code(oob, false), (5, 0x21, 0));
        assert_eq!(code(VolumeError::Gone, false).0, 2);
    }
}
