//! SCSI Command, Data-Out, R2T, Data-In and SCSI Response (RFC 7143 §11.3-11.8): turning a
//! command PDU and its data into one call of the SCSI layer, and its result into Data-In PDUs
//! split by the initiator's MaxRecvDataSegmentLength, with status in the last one when it
//! carries no sense.

use super::connection::{ConnError, Connection};
use super::pdu::{self, Bhs, BigEndian, InPdu, Opcode, RejectReason, RESERVED_TAG};
use super::scsi::{ScsiCommand, ScsiStatus, TaskAttr};
use super::task::{CommandHead, WriteTask};
use super::wire::{BufId, Outbox};

const FLAG_FINAL: u8 = 0x80;
const FLAG_READ: u8 = 0x40;
const FLAG_WRITE: u8 = 0x20;
/// Residual flags of SCSI Response and Data-In.
const RESID_OVERFLOW: u8 = 0x04;
const RESID_UNDERFLOW: u8 = 0x02;
/// Sense keys for the conditions the transport raises itself.
const ILLEGAL_REQUEST: u8 = 0x05;
const ABORTED_COMMAND: u8 = 0x0b;

/// Fixed-format sense data (SPC-4 §4.5.3).
fn fixed_sense(key: u8, asc: u8, ascq: u8) -> [u8; 18] {
    let mut s = [0u8; 18];
    s[0] = 0x70;
    s[2] = key & 0x0f;
    s[7] = 10;
    s[12] = asc;
    s[13] = ascq;
    s
}

/// A command's result as the transport ships it.
struct Reply<'a> {
    status: ScsiStatus,
    sense: Option<&'a [u8]>,
    /// Bytes of Data-In at the start of the buffer.
    data_in_len: usize,
    /// Bytes the CDB asked to move; compared with the EDTL for residuals.
    transfer_len: u64,
}

/// AHS types (RFC 7143 §11.2.2).
const AHS_EXTENDED_CDB: u8 = 1;
const AHS_BIDI_READ_LEN: u8 = 2;

fn task_attr(flags: u8) -> TaskAttr {
    match flags & 7 {
        0 => TaskAttr::Untagged,
        2 => TaskAttr::Ordered,
        3 => TaskAttr::HeadOfQueue,
        4 => TaskAttr::Aca,
        _ => TaskAttr::Simple,
    }
}

/// Walks the AHS list: an extended CDB and the bidirectional read length.
fn parse_ahs(ahs: &[u8], cdb: &mut Vec<u8>, bidi_read: &mut Option<u32>) -> Result<(), ()> {
    let mut at = 0;
    while at < ahs.len() {
        let hdr = ahs.get(at..at + 3).ok_or(())?;
        let len = u16::from_be_bytes([hdr[0], hdr[1]]) as usize;
        let ty = hdr[2];
        // The AHS-specific bytes start after the reserved byte; `len` counts them from there.
        let body = ahs.get(at + 3..at + 3 + len).ok_or(())?;
        match ty {
            AHS_EXTENDED_CDB => cdb.extend_from_slice(body.get(1..).ok_or(())?),
            AHS_BIDI_READ_LEN => {
                let v = body.get(1..5).ok_or(())?;
                *bidi_read = Some(u32::from_be_bytes([v[0], v[1], v[2], v[3]]));
            }
            _ => return Err(()),
        }
        at += 3 + len;
        at += pdu::pad_len(at);
    }
    Ok(())
}

impl Connection {
    pub(crate) fn scsi_command(
        &mut self,
        p: &InPdu<'_>,
        out: &mut Outbox,
    ) -> Result<(), ConnError> {
        let b = &p.bhs;
        let flags = b.flags();
        let itt = b.itt();
        let edtl = b.get_u32(20);
        let (read, write) = (flags & FLAG_READ != 0, flags & FLAG_WRITE != 0);
        if self.tasks.contains_key(&itt) {
            self.reject(out, RejectReason::TaskInProgress, b);
            return Ok(());
        }
        let mut cdb = b.0[32..48].to_vec();
        let mut bidi_read = None;
        if parse_ahs(p.ahs, &mut cdb, &mut bidi_read).is_err() {
            self.reject(out, RejectReason::InvalidPduField, b);
            return Ok(());
        }
        let imm = p.data;
        let imm_ok = imm.is_empty()
            || (write
                && self.params.immediate_data
                && imm.len() as u32 <= edtl
                && imm.len() as u32 <= self.params.first_burst);
        let final_bit = flags & FLAG_FINAL != 0;
        // Unsolicited Data-Out (F clear) needs a write and InitialR2T=No.
        let bad_unsolicited = !final_bit && (!write || self.params.initial_r2t);
        if !imm_ok || bad_unsolicited {
            self.reject(out, RejectReason::ProtocolError, b);
            return Ok(());
        }
        let read_len = match (read, write, bidi_read) {
            (true, true, Some(n)) => n,
            (true, false, _) => edtl,
            _ => 0,
        };
        let head = CommandHead {
            itt,
            lun_field: b.lun_field(),
            cmd_sn: b.cmd_sn(),
            attr: task_attr(flags),
            cdb,
            edtl: if write { edtl } else { 0 },
            read,
            read_len,
        };
        if !write || edtl == 0 {
            self.submit(head, Vec::new(), 0, out);
            return Ok(());
        }
        let unsol_end = if final_bit {
            imm.len() as u32
        } else {
            self.params.first_burst.min(edtl)
        };
        let discard = edtl > self.max_transfer;
        let mut t = WriteTask::new(head, imm, unsol_end, discard);
        if t.complete() || (discard && final_bit) {
            self.finish_write(t, out);
            return Ok(());
        }
        self.send_r2ts(&mut t, out);
        self.tasks.insert(itt, t);
        Ok(())
    }

    fn send_r2ts(&mut self, t: &mut WriteTask, out: &mut Outbox) {
        let (burst, max_out) = (self.params.max_burst, self.params.max_outstanding_r2t);
        let mut ttts = Vec::new();
        let r2ts = t.solicit(burst, max_out, || {
            let x = self.alloc_ttt();
            ttts.push(x);
            x
        });
        for r in r2ts {
            let mut b = Bhs::new(Opcode::R2t);
            b.set_lun_field(t.head.lun_field);
            b.set_itt(t.head.itt);
            b.set_ttt(r.ttt);
            self.stamp(&mut b, false);
            b.put_u32(36, r.r2t_sn);
            b.put_u32(40, r.offset);
            b.put_u32(44, r.len);
            out.push(&b, &[]);
        }
    }

    pub(crate) fn data_out(&mut self, p: &InPdu<'_>, out: &mut Outbox) -> Result<(), ConnError> {
        let b = &p.bhs;
        let itt = b.itt();
        let Some(mut t) = self.tasks.remove(&itt) else {
            if !self.aborted.contains(&itt) {
                self.reject(out, RejectReason::InvalidPduField, b);
            }
            return Ok(());
        };
        let burst_done =
            match t.data_out(b.ttt(), b.get_u32(36), b.get_u32(40), p.data, b.final_bit()) {
                Ok(done) => done,
                Err(_) => {
                    // A sequence error fails the command, not the connection: ABORTED
                    // COMMAND, DATA PHASE ERROR; the rest of its Data-Out is dropped quietly.
                    self.remember_aborted(itt);
                    let sense = fixed_sense(ABORTED_COMMAND, 0x4b, 0x00);
                    let reply = Reply {
                        status: ScsiStatus::CheckCondition,
                        sense: Some(&sense),
                        data_in_len: 0,
                        transfer_len: u64::from(t.head.edtl),
                    };
                    self.respond(&t.head, reply, 0, t.r2ts_sent, out);
                    self.drain_blocked(out);
                    return Ok(());
                }
            };
        if t.complete() && t.outstanding.is_empty() {
            self.finish_write(t, out);
            self.drain_blocked(out);
            return Ok(());
        }
        if burst_done {
            self.send_r2ts(&mut t, out);
        }
        self.tasks.insert(itt, t);
        Ok(())
    }

    fn finish_write(&mut self, t: WriteTask, out: &mut Outbox) {
        if t.discard {
            // Longer than any command may move: INVALID FIELD IN COMMAND INFORMATION UNIT.
            let sense = fixed_sense(ILLEGAL_REQUEST, 0x0e, 0x03);
            let reply = Reply {
                status: ScsiStatus::CheckCondition,
                sense: Some(&sense),
                data_in_len: 0,
                transfer_len: u64::from(t.head.edtl),
            };
            self.respond(&t.head, reply, 0, t.r2ts_sent, out);
            return;
        }
        self.submit(t.head, t.data, t.r2ts_sent, out);
    }

    /// Runs a command now, or queues it behind older tasks when its task attribute says so
    /// (SAM-5 §8.6: ORDERED waits for older tasks, and younger SIMPLE ones wait for it).
    fn submit(&mut self, head: CommandHead, data: Vec<u8>, r2ts: u32, out: &mut Outbox) {
        if self.must_wait(&head) {
            self.blocked.push_back((head, data, r2ts));
            return;
        }
        self.run(&head, &data, r2ts, out);
    }

    fn must_wait(&self, head: &CommandHead) -> bool {
        let older = |t: &WriteTask| pdu::sn_lt(t.head.cmd_sn, head.cmd_sn);
        match head.attr {
            TaskAttr::HeadOfQueue => false,
            TaskAttr::Ordered => !self.blocked.is_empty() || self.tasks.values().any(older),
            _ => {
                !self.blocked.is_empty()
                    || self
                        .tasks
                        .values()
                        .any(|t| t.head.attr == TaskAttr::Ordered && older(t))
            }
        }
    }

    /// Runs queued commands whose turn has come, in arrival order.
    pub(crate) fn drain_blocked(&mut self, out: &mut Outbox) {
        while let Some((head, _, _)) = self.blocked.front() {
            let older = |t: &WriteTask| pdu::sn_lt(t.head.cmd_sn, head.cmd_sn);
            let wait = match head.attr {
                TaskAttr::HeadOfQueue => false,
                TaskAttr::Ordered => self.tasks.values().any(older),
                _ => self
                    .tasks
                    .values()
                    .any(|t| t.head.attr == TaskAttr::Ordered && older(t)),
            };
            if wait {
                return;
            }
            if let Some((head, data, r2ts)) = self.blocked.pop_front() {
                self.run(&head, &data, r2ts, out);
            }
        }
    }

    /// Executes a command whose data is complete and queues its Data-In and response.
    pub(crate) fn run(&mut self, head: &CommandHead, data_out: &[u8], r2ts: u32, out: &mut Outbox) {
        let read_len = head.read_len.min(self.max_transfer) as usize;
        let id = out.alloc(read_len);
        let (Some(luns), Some(it)) = (&self.luns, &self.session.it) else {
            let sense = fixed_sense(ILLEGAL_REQUEST, 0x25, 0x00);
            let reply = Reply {
                status: ScsiStatus::CheckCondition,
                sense: Some(&sense),
                data_in_len: 0,
                transfer_len: 0,
            };
            self.respond(head, reply, id, r2ts, out);
            return;
        };
        let cmd = ScsiCommand {
            lun: head.lun_field,
            cdb: &head.cdb,
            data_out,
            expected_data_in: read_len as u32,
            nexus: it,
            attr: head.attr,
        };
        let buf = out.buf_mut(id);
        let outcome = luns.execute(&cmd, buf);
        let data_in_len = buf.len().min(read_len);
        let reply = Reply {
            status: outcome.status,
            sense: outcome.sense.as_ref().map(|s| s.as_bytes()),
            data_in_len,
            transfer_len: u64::from(outcome.transfer_len),
        };
        self.respond(head, reply, id, r2ts, out);
    }

    /// Queues Data-In (status in the last one when there is no sense) and, if needed, a
    /// SCSI Response, with residuals against the Expected Data Transfer Length.
    fn respond(
        &mut self,
        head: &CommandHead,
        ex: Reply<'_>,
        id: BufId,
        r2ts: u32,
        out: &mut Outbox,
    ) {
        let expected = if head.read { head.read_len } else { head.edtl } as u64;
        let sent = if head.read { ex.data_in_len } else { 0 };
        let wanted = ex.transfer_len;
        let (resid_flag, residual) = if wanted > expected {
            (
                RESID_OVERFLOW,
                (wanted - expected).min(u64::from(u32::MAX)) as u32,
            )
        } else if wanted < expected {
            (RESID_UNDERFLOW, (expected - wanted) as u32)
        } else {
            (0, 0)
        };
        let status_in_data =
            ex.sense.is_none() && matches!(ex.status, ScsiStatus::Good | ScsiStatus::ConditionMet);
        let mut data_sn = 0;
        if sent > 0 {
            let status = status_in_data.then_some((ex.status as u8, resid_flag, residual));
            data_sn = self.send_data_in(head, id, sent, status, out);
            if status_in_data {
                return;
            }
        }
        let mut b = Bhs::new(Opcode::ScsiResponse);
        b.0[1] = 0x80 | resid_flag;
        b.0[3] = ex.status as u8;
        b.set_itt(head.itt);
        self.stamp(&mut b, true);
        b.put_u32(36, if head.read { data_sn } else { r2ts });
        b.put_u32(44, residual);
        match ex.sense {
            Some(s) if !s.is_empty() => {
                let n = s.len().min(u16::MAX as usize);
                let mut d = [0u8; 2 + 252];
                let n = n.min(252);
                d[..2].copy_from_slice(&(n as u16).to_be_bytes());
                d[2..2 + n].copy_from_slice(&s[..n]);
                out.push(&b, &d[..2 + n]);
            }
            _ => out.push(&b, &[]),
        }
    }

    /// Splits `len` bytes of `id` into Data-In PDUs; returns how many were queued.
    fn send_data_in(
        &mut self,
        head: &CommandHead,
        id: BufId,
        len: usize,
        status: Option<(u8, u8, u32)>,
        out: &mut Outbox,
    ) -> u32 {
        let mrdsl = (self.params.initiator_max_recv_data as usize).max(512);
        let burst = (self.params.max_burst as usize).max(mrdsl);
        let mut off = 0;
        let mut data_sn = 0u32;
        while off < len {
            let to_burst_end = burst - off % burst;
            let n = mrdsl.min(len - off).min(to_burst_end);
            let last = off + n == len;
            let mut b = Bhs::new(Opcode::DataIn);
            let mut flags = 0u8;
            if last || (off + n) % burst == 0 {
                flags |= 0x80;
            }
            b.set_lun_field(head.lun_field);
            b.set_itt(head.itt);
            b.set_ttt(RESERVED_TAG);
            match status.filter(|_| last) {
                Some((st, resid_flag, residual)) => {
                    flags |= 0x01 | resid_flag;
                    b.0[3] = st;
                    self.stamp(&mut b, true);
                    b.put_u32(44, residual);
                }
                None => {
                    self.stamp(&mut b, false);
                    b.put_u32(24, 0);
                }
            }
            b.0[1] = flags;
            b.put_u32(36, data_sn);
            b.put_u32(40, off as u32);
            out.push_from(&b, id, off, n);
            data_sn += 1;
            off += n;
        }
        data_sn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ahs_extended_cdb_and_bidi_length() {
        // Extended CDB AHS: length 17 (reserved byte + 16 CDB bytes), padded to 20 bytes.
        let mut ahs = vec![0, 17, AHS_EXTENDED_CDB, 0];
        ahs.extend_from_slice(&[9u8; 16]);
        ahs.extend_from_slice(&[0, 5, AHS_BIDI_READ_LEN, 0, 0, 0, 0x10, 0]);
        let mut cdb = vec![1u8; 16];
        let mut bidi = None;
        parse_ahs(&ahs, &mut cdb, &mut bidi).unwrap();
        assert_eq!(cdb.len(), 32);
        assert_eq!(bidi, Some(0x1000));
        assert!(parse_ahs(&[0, 200, 1], &mut cdb, &mut bidi).is_err());
        assert!(parse_ahs(&[0, 1, 9, 0], &mut cdb, &mut bidi).is_err());
    }
}
