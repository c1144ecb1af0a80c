//! Task management (RFC 7143 §11.5, §11.6). Commands run to completion as soon as their data
//! is in, so the tasks a TMF can still affect are writes waiting for Data-Out and commands
//! queued behind an ORDERED task; aborted ones get no response (TAS is 0).

use super::connection::{Connection, Flow};
use super::pdu::{self, Bhs, BigEndian, InPdu, Opcode};
use super::scsi::{TaskManagement, TmfResponse};
use super::wire::Outbox;

/// TMF function codes.
const ABORT_TASK: u8 = 1;
const ABORT_TASK_SET: u8 = 2;
const CLEAR_ACA: u8 = 3;
const CLEAR_TASK_SET: u8 = 4;
const LUN_RESET: u8 = 5;
const TARGET_WARM_RESET: u8 = 6;
const TARGET_COLD_RESET: u8 = 7;
const TASK_REASSIGN: u8 = 8;
const QUERY_TASK: u8 = 9;
const QUERY_TASK_SET: u8 = 10;
const I_T_NEXUS_RESET: u8 = 11;
const QUERY_ASYNC_EVENT: u8 = 12;

/// TMF response codes.
const COMPLETE: u8 = 0;
const NO_TASK: u8 = 1;
const NO_LUN: u8 = 2;
const REASSIGN_NOT_SUPPORTED: u8 = 4;
const NOT_SUPPORTED: u8 = 5;
const REJECTED: u8 = 255;

impl Connection {
    /// Drops the tasks `which` selects; returns how many.
    fn abort_where(&mut self, out: &mut Outbox, which: impl Fn(u32, u64) -> bool) -> usize {
        let itts: Vec<u32> = self
            .tasks
            .values()
            .filter(|t| which(t.head.itt, t.head.lun_field))
            .map(|t| t.head.itt)
            .collect();
        for itt in &itts {
            self.tasks.remove(itt);
            self.remember_aborted(*itt);
        }
        let before = self.blocked.len();
        self.blocked.retain(|(h, _, _)| !which(h.itt, h.lun_field));
        let n = itts.len() + before - self.blocked.len();
        self.drain_blocked(out);
        n
    }

    /// Applies a function's SCSI effects (reservations, unit attentions) in the SCSI layer.
    fn scsi_tmf(&self, lun_field: u64, tmf: TaskManagement) -> TmfResponse {
        match (&self.luns, &self.session.it) {
            (Some(l), Some(it)) => l.task_management(it, lun_field, tmf),
            _ => TmfResponse::LunDoesNotExist,
        }
    }

    fn code(r: TmfResponse) -> u8 {
        match r {
            TmfResponse::Complete => COMPLETE,
            TmfResponse::LunDoesNotExist => NO_LUN,
            TmfResponse::NotSupported => NOT_SUPPORTED,
        }
    }

    pub(crate) fn task_mgmt(&mut self, p: &InPdu<'_>, out: &mut Outbox) -> Flow {
        let b = &p.bhs;
        let function = b.flags() & 0x7f;
        let lun_field = b.lun_field();
        let rtt = b.ttt();
        let ref_cmd_sn = b.get_u32(32);
        let mut flow = Flow::Continue;
        let lun_known =
            || self.scsi_tmf(lun_field, TaskManagement::AbortTask) != TmfResponse::LunDoesNotExist;
        let response = match function {
            ABORT_TASK if !lun_known() => NO_LUN,
            ABORT_TASK => {
                if self.abort_where(out, |itt, l| itt == rtt && l == lun_field) > 0 {
                    COMPLETE
                } else if pdu::sn_le(self.exp_cmd_sn, ref_cmd_sn)
                    && pdu::sn_lt(ref_cmd_sn, b.cmd_sn())
                {
                    // Not received yet but inside the window: it counts as aborted.
                    COMPLETE
                } else {
                    NO_TASK
                }
            }
            ABORT_TASK_SET | CLEAR_TASK_SET | LUN_RESET => {
                let tmf = match function {
                    ABORT_TASK_SET => TaskManagement::AbortTaskSet,
                    CLEAR_TASK_SET => TaskManagement::ClearTaskSet,
                    _ => TaskManagement::LogicalUnitReset,
                };
                let r = self.scsi_tmf(lun_field, tmf);
                if r == TmfResponse::Complete {
                    self.abort_where(out, |_, l| l == lun_field);
                }
                Self::code(r)
            }
            TARGET_WARM_RESET | TARGET_COLD_RESET => {
                self.abort_where(out, |_, _| true);
                let tmf = if function == TARGET_COLD_RESET {
                    // A cold reset also ends every connection to the target.
                    self.cold_reset = true;
                    flow = Flow::Close;
                    TaskManagement::TargetColdReset
                } else {
                    TaskManagement::TargetWarmReset
                };
                Self::code(self.scsi_tmf(0, tmf))
            }
            I_T_NEXUS_RESET => {
                // The nexus ends with the session; the SCSI layer hears of it at logout.
                self.abort_where(out, |_, _| true);
                flow = Flow::Close;
                COMPLETE
            }
            QUERY_TASK | QUERY_TASK_SET if !lun_known() => NO_LUN,
            QUERY_TASK => {
                let found = self.tasks.contains_key(&rtt)
                    || self.blocked.iter().any(|(h, _, _)| h.itt == rtt);
                if found {
                    COMPLETE
                } else {
                    NO_TASK
                }
            }
            QUERY_TASK_SET => {
                let any = self.tasks.values().any(|t| t.head.lun_field == lun_field)
                    || self
                        .blocked
                        .iter()
                        .any(|(h, _, _)| h.lun_field == lun_field);
                if any {
                    COMPLETE
                } else {
                    NO_TASK
                }
            }
            CLEAR_ACA => Self::code(self.scsi_tmf(lun_field, TaskManagement::ClearAca)),
            TASK_REASSIGN => REASSIGN_NOT_SUPPORTED,
            QUERY_ASYNC_EVENT => NOT_SUPPORTED,
            _ => REJECTED,
        };
        let mut r = Bhs::new(Opcode::TaskMgmtResponse);
        r.0[2] = response;
        r.set_itt(b.itt());
        self.stamp(&mut r, true);
        out.push(&r, &[]);
        flow
    }
}
