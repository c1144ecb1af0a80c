//! The full feature phase of one connection as a state machine: each incoming PDU produces
//! responses in an [`Outbox`]. CmdSN windowing, NOP-In/NOP-Out, Text (SendTargets), Logout,
//! Reject and SNACK live here; SCSI commands and Data-Out in `command.rs`, task management
//! in `tmf.rs`. No sockets: the server feeds PDUs and flushes the outbox.

use super::discovery;
use super::params::{Context, Limits, Negotiation, Params};
use super::pdu::{self, Bhs, BigEndian, InPdu, Opcode, PduError, RejectReason, RESERVED_TAG};
use super::scsi::TargetLuns;
use super::target::{Registry, Session, SessionKind};
use super::task::WriteTask;
use super::text::{Continuation, TextPairs};
use super::wire::Outbox;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;

/// Why a connection must end (ErrorRecoveryLevel 0 has no recovery within a connection).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnError {
    #[error("protocol error: {0}")]
    Protocol(&'static str),
    #[error(transparent)]
    Pdu(#[from] PduError),
    #[error(transparent)]
    DataOut(#[from] super::task::DataOutError),
}

/// What the transport does after a PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Flush the outbox, then close (logout, cold reset).
    Close,
}

/// Out-of-order PDUs held until the CmdSN gap closes are bounded by count (the window) and
/// by bytes.
const MAX_HELD_BYTES: usize = 8 << 20;
/// Aborted ITTs whose late Data-Out is silently discarded.
const ABORTED_MEMORY: usize = 64;

/// A PDU held for CmdSN ordering.
struct Held {
    bhs: Bhs,
    ahs: Vec<u8>,
    data: Vec<u8>,
}

/// A Text response too long for one PDU, sent in parts.
struct TextReply {
    itt: u32,
    ttt: u32,
    rest: Vec<u8>,
}

/// Static inputs of a connection.
pub struct ConnSetup {
    pub registry: Arc<Registry>,
    pub session: Arc<Session>,
    pub cid: u16,
    pub params: Params,
    pub limits: Limits,
    pub stat_sn: u32,
    pub exp_cmd_sn: u32,
    pub queue_depth: u32,
    /// Portals announced in SendTargets.
    pub portals: Vec<SocketAddr>,
    /// Largest Data-In or Data-Out a command may move.
    pub max_transfer: u32,
}

/// One connection in the full feature phase.
pub struct Connection {
    pub(crate) registry: Arc<Registry>,
    pub(crate) session: Arc<Session>,
    pub(crate) luns: Option<Arc<TargetLuns>>,
    pub(crate) cid: u16,
    pub params: Params,
    limits: Limits,
    pub(crate) stat_sn: u32,
    pub(crate) exp_cmd_sn: u32,
    max_cmd_sn: u32,
    queue_depth: u32,
    pub(crate) tasks: HashMap<u32, WriteTask>,
    pub(crate) aborted: VecDeque<u32>,
    /// Commands with complete data waiting for older tasks (task attributes).
    pub(crate) blocked: VecDeque<(super::task::CommandHead, Vec<u8>, u32)>,
    held: BTreeMap<u32, Held>,
    held_bytes: usize,
    next_ttt: u32,
    text: Continuation,
    text_reply: Option<TextReply>,
    ping: Option<u32>,
    portals: Vec<SocketAddr>,
    pub(crate) max_transfer: u32,
    /// Set when a TARGET COLD RESET asks for every session of the target to end.
    pub cold_reset: bool,
}

impl Connection {
    pub fn new(s: ConnSetup) -> Connection {
        let luns = s.session.target().map(|t| t.luns.clone());
        let max_cmd_sn = s.exp_cmd_sn.wrapping_add(s.queue_depth.saturating_sub(1));
        Connection {
            registry: s.registry,
            session: s.session,
            luns,
            cid: s.cid,
            params: s.params,
            limits: s.limits,
            stat_sn: s.stat_sn,
            exp_cmd_sn: s.exp_cmd_sn,
            max_cmd_sn,
            queue_depth: s.queue_depth.max(1),
            tasks: HashMap::new(),
            aborted: VecDeque::new(),
            blocked: VecDeque::new(),
            held: BTreeMap::new(),
            held_bytes: 0,
            next_ttt: 1,
            text: Continuation::default(),
            text_reply: None,
            ping: None,
            portals: s.portals,
            max_transfer: s.max_transfer,
            cold_reset: false,
        }
    }

    /// Whether the session is being ended from elsewhere (reinstatement, ACL, removal).
    pub fn session_closing(&self) -> bool {
        self.session.is_closing()
    }

    pub fn is_discovery(&self) -> bool {
        matches!(self.session.kind, SessionKind::Discovery)
    }

    /// A fresh Target Transfer Tag (never the reserved value).
    pub(crate) fn alloc_ttt(&mut self) -> u32 {
        let t = self.next_ttt;
        self.next_ttt = self.next_ttt.wrapping_add(1);
        if self.next_ttt == RESERVED_TAG {
            self.next_ttt = 1;
        }
        t
    }

    /// Stamps StatSN (taking a new one if `consume`), ExpCmdSN and MaxCmdSN. The window
    /// shrinks by the commands still waiting for data, which bounds what we hold.
    pub(crate) fn stamp(&mut self, b: &mut Bhs, consume: bool) {
        let busy = (self.tasks.len() + self.held.len() + self.blocked.len()) as u32;
        let room = self.queue_depth.saturating_sub(busy).max(1);
        self.max_cmd_sn = self.exp_cmd_sn.wrapping_add(room - 1);
        b.stamp(self.stat_sn, self.exp_cmd_sn, self.max_cmd_sn);
        if consume {
            self.stat_sn = self.stat_sn.wrapping_add(1);
        }
    }

    /// Queues a Reject carrying the offending header.
    pub(crate) fn reject(&mut self, out: &mut Outbox, reason: RejectReason, bad: &Bhs) {
        let mut b = pdu::reject(reason);
        self.stamp(&mut b, true);
        out.push(&b, &bad.0);
    }

    /// Handles one PDU.
    pub fn handle(&mut self, p: &InPdu<'_>, out: &mut Outbox) -> Result<Flow, ConnError> {
        let op = match p.bhs.opcode() {
            Ok(op) => op,
            Err(_) => {
                self.reject(out, RejectReason::CommandNotSupported, &p.bhs);
                return Ok(Flow::Continue);
            }
        };
        if op == Opcode::DataOut {
            return self.data_out(p, out).map(|_| Flow::Continue);
        }
        if op == Opcode::Snack {
            self.reject(out, RejectReason::SnackReject, &p.bhs);
            return Ok(Flow::Continue);
        }
        if op == Opcode::Login {
            self.reject(out, RejectReason::ProtocolError, &p.bhs);
            return Err(ConnError::Protocol("login request in full feature phase"));
        }
        if p.bhs.immediate() {
            return self.dispatch(op, p, out);
        }
        let sn = p.bhs.cmd_sn();
        if sn == self.exp_cmd_sn {
            self.exp_cmd_sn = sn.wrapping_add(1);
            let flow = self.dispatch(op, p, out)?;
            if flow == Flow::Close {
                return Ok(flow);
            }
            return self.release_held(out);
        }
        if pdu::sn_lt(self.exp_cmd_sn, sn) && pdu::sn_le(sn, self.max_cmd_sn) {
            let size = p.ahs.len() + p.data.len() + pdu::BHS_LEN;
            if self.held_bytes + size > MAX_HELD_BYTES || self.held.contains_key(&sn) {
                return Err(ConnError::Protocol("too much held out of CmdSN order"));
            }
            self.held_bytes += size;
            self.held.insert(
                sn,
                Held {
                    bhs: p.bhs,
                    ahs: p.ahs.to_vec(),
                    data: p.data.to_vec(),
                },
            );
        }
        // Outside the window: silently ignored (RFC 7143 §4.2.2.1).
        Ok(Flow::Continue)
    }

    /// Runs held PDUs whose turn has come.
    fn release_held(&mut self, out: &mut Outbox) -> Result<Flow, ConnError> {
        while let Some(h) = self.held.remove(&self.exp_cmd_sn) {
            self.held_bytes -= h.ahs.len() + h.data.len() + pdu::BHS_LEN;
            self.exp_cmd_sn = self.exp_cmd_sn.wrapping_add(1);
            let p = InPdu {
                bhs: h.bhs,
                ahs: &h.ahs,
                data: &h.data,
            };
            let op = h.bhs.opcode()?;
            if self.dispatch(op, &p, out)? == Flow::Close {
                return Ok(Flow::Close);
            }
        }
        Ok(Flow::Continue)
    }

    fn dispatch(&mut self, op: Opcode, p: &InPdu<'_>, out: &mut Outbox) -> Result<Flow, ConnError> {
        match op {
            Opcode::NopOut => self.nop_out(p, out).map(|_| Flow::Continue),
            Opcode::ScsiCommand => {
                if self.is_discovery() {
                    self.reject(out, RejectReason::ProtocolError, &p.bhs);
                    return Ok(Flow::Continue);
                }
                self.scsi_command(p, out).map(|_| Flow::Continue)
            }
            Opcode::TaskMgmt => {
                if self.is_discovery() {
                    self.reject(out, RejectReason::ProtocolError, &p.bhs);
                    return Ok(Flow::Continue);
                }
                Ok(self.task_mgmt(p, out))
            }
            Opcode::Text => self.text(p, out).map(|_| Flow::Continue),
            Opcode::Logout => Ok(self.logout(p, out)),
            _ => {
                self.reject(out, RejectReason::CommandNotSupported, &p.bhs);
                Ok(Flow::Continue)
            }
        }
    }

    fn nop_out(&mut self, p: &InPdu<'_>, out: &mut Outbox) -> Result<(), ConnError> {
        let itt = p.bhs.itt();
        let ttt = p.bhs.ttt();
        if itt == RESERVED_TAG {
            // A reply to our ping, or a bare ExpStatSN update: no response.
            if self.ping == Some(ttt) {
                self.ping = None;
            }
            return Ok(());
        }
        if ttt != RESERVED_TAG {
            self.reject(out, RejectReason::InvalidPduField, &p.bhs);
            return Ok(());
        }
        let mut b = Bhs::new(Opcode::NopIn);
        b.set_lun_field(p.bhs.lun_field());
        b.set_itt(itt);
        b.set_ttt(RESERVED_TAG);
        self.stamp(&mut b, true);
        let n = p
            .data
            .len()
            .min(self.params.initiator_max_recv_data as usize);
        out.push(&b, &p.data[..n]);
        Ok(())
    }

    /// Sends a NOP-In that asks for a NOP-Out; returns false if the last one went unanswered.
    pub fn ping(&mut self, out: &mut Outbox) -> bool {
        if self.ping.is_some() {
            return false;
        }
        let ttt = self.alloc_ttt();
        self.ping = Some(ttt);
        let mut b = Bhs::new(Opcode::NopIn);
        b.set_itt(RESERVED_TAG);
        b.set_ttt(ttt);
        self.stamp(&mut b, false);
        out.push(&b, &[]);
        true
    }

    /// Any PDU from the initiator shows it is alive.
    pub fn heard_from_initiator(&mut self) {
        self.ping = None;
    }

    /// Tells the initiator the target is dropping this connection (shutdown, removal).
    pub fn announce_drop(&mut self, out: &mut Outbox) {
        let mut b = Bhs::new(Opcode::AsyncMessage);
        b.set_itt(RESERVED_TAG);
        self.stamp(&mut b, true);
        b.0[36] = 2; // AsyncEvent: the target will drop this connection.
        b.put_u16(38, self.cid);
        b.put_u16(40, self.params.time2wait as u16);
        b.put_u16(42, self.params.time2retain as u16);
        out.push(&b, &[]);
    }

    fn text(&mut self, p: &InPdu<'_>, out: &mut Outbox) -> Result<(), ConnError> {
        let itt = p.bhs.itt();
        let ttt = p.bhs.ttt();
        let flags = p.bhs.flags();
        if ttt != RESERVED_TAG {
            // The initiator asks for the next part of a long answer.
            match self.text_reply.take() {
                Some(r) if r.ttt == ttt && r.itt == itt => {
                    self.send_text_part(itt, r.rest, p.bhs.lun_field(), out);
                }
                _ => self.reject(out, RejectReason::InvalidPduField, &p.bhs),
            }
            return Ok(());
        }
        self.text_reply = None;
        if self.text.push(p.data).is_err() {
            self.reject(out, RejectReason::ProtocolError, &p.bhs);
            return Ok(());
        }
        if flags & 0x40 != 0 {
            // Continued request: acknowledge with an empty response.
            let mut b = Bhs::new(Opcode::TextResponse);
            b.set_flags(0);
            b.set_itt(itt);
            let t = self.alloc_ttt();
            b.set_ttt(t);
            self.stamp(&mut b, true);
            out.push(&b, &[]);
            return Ok(());
        }
        let offers = match TextPairs::parse(&self.text.take()) {
            Ok(o) => o,
            Err(_) => {
                self.reject(out, RejectReason::ProtocolError, &p.bhs);
                return Ok(());
            }
        };
        let mut reply = TextPairs::new();
        if let Some(v) = offers.get("SendTargets") {
            let st = discovery::send_targets(
                &self.registry,
                &self.session.kind,
                &self.session.initiator,
                v,
                &self.portals,
            );
            for (k, v) in st.iter() {
                reply.push(k, v);
            }
        }
        let mut neg = Negotiation::new(self.limits);
        neg.params = self.params;
        let ctx = Context {
            leading: true,
            discovery: self.is_discovery(),
            full_feature: true,
        };
        neg.respond(&offers, ctx, &mut reply);
        self.params.initiator_max_recv_data = neg.params.initiator_max_recv_data;
        self.send_text_part(itt, reply.encode(), p.bhs.lun_field(), out);
        Ok(())
    }

    fn send_text_part(&mut self, itt: u32, mut data: Vec<u8>, lun: u64, out: &mut Outbox) {
        let max = self.params.initiator_max_recv_data as usize;
        let mut b = Bhs::new(Opcode::TextResponse);
        b.set_itt(itt);
        b.set_lun_field(lun);
        if data.len() > max {
            let rest = data.split_off(max);
            let ttt = self.alloc_ttt();
            b.set_flags(0x40);
            b.set_ttt(ttt);
            self.text_reply = Some(TextReply { itt, ttt, rest });
        } else {
            b.set_ttt(RESERVED_TAG);
        }
        self.stamp(&mut b, true);
        out.push(&b, &data);
    }

    fn logout(&mut self, p: &InPdu<'_>, out: &mut Outbox) -> Flow {
        let reason = p.bhs.flags() & 0x7f;
        let cid = p.bhs.get_u16(20);
        let (response, close) = match reason {
            0 => (0u8, true),
            1 if cid == self.cid => (0, true),
            1 => (1, false),
            2 => (2, false),
            _ => {
                self.reject(out, RejectReason::ProtocolError, &p.bhs);
                return Flow::Continue;
            }
        };
        let mut b = Bhs::new(Opcode::LogoutResponse);
        b.0[2] = response;
        b.set_itt(p.bhs.itt());
        self.stamp(&mut b, true);
        b.put_u16(40, self.params.time2wait as u16);
        b.put_u16(42, self.params.time2retain as u16);
        out.push(&b, &[]);
        if close {
            if reason == 0 {
                self.session.close();
            }
            Flow::Close
        } else {
            Flow::Continue
        }
    }

    /// Remembers an aborted ITT so that its late Data-Out is dropped quietly.
    pub(crate) fn remember_aborted(&mut self, itt: u32) {
        if self.aborted.len() == ABORTED_MEMORY {
            self.aborted.pop_front();
        }
        self.aborted.push_back(itt);
    }
}
