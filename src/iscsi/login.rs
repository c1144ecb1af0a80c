//! The login phase (RFC 7143 §6.3) as a state machine over Login Request PDUs: the security
//! stage with CHAP, the operational stage with key negotiation, TSIH handling, and the status
//! classes of failed logins. No sockets: the server feeds PDUs in and writes responses out.

use super::chap::{self, Answer, Challenge, ChapError, Credentials};
use super::config::normalize_name;
use super::params::{Context, Limits, Negotiation, Params};
use super::pdu::{Bhs, BigEndian, InPdu, Opcode};
use super::target::{Registry, Session, SessionKind, Target};
use super::text::{Continuation, TextPairs};
use std::sync::Arc;

/// Login status class and detail (RFC 7143 §11.13.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginStatus {
    Success,
    InitiatorError,
    AuthenticationFailed,
    AuthorizationFailed,
    TargetNotFound,
    UnsupportedVersion,
    TooManyConnections,
    MissingParameter,
    SessionTypeNotSupported,
    SessionDoesNotExist,
    InvalidDuringLogin,
    TargetError,
    OutOfResources,
}

impl LoginStatus {
    /// (Status-Class, Status-Detail).
    pub fn code(self) -> (u8, u8) {
        match self {
            LoginStatus::Success => (0, 0),
            LoginStatus::InitiatorError => (2, 0x00),
            LoginStatus::AuthenticationFailed => (2, 0x01),
            LoginStatus::AuthorizationFailed => (2, 0x02),
            LoginStatus::TargetNotFound => (2, 0x03),
            LoginStatus::UnsupportedVersion => (2, 0x05),
            LoginStatus::TooManyConnections => (2, 0x06),
            LoginStatus::MissingParameter => (2, 0x07),
            LoginStatus::SessionTypeNotSupported => (2, 0x09),
            LoginStatus::SessionDoesNotExist => (2, 0x0a),
            LoginStatus::InvalidDuringLogin => (2, 0x0b),
            LoginStatus::TargetError => (3, 0x00),
            LoginStatus::OutOfResources => (3, 0x02),
        }
    }
}

const STAGE_SECURITY: u8 = 0;
const STAGE_FULL_FEATURE: u8 = 3;

/// The fixed inputs of a login.
#[derive(Clone, Copy)]
pub struct LoginSetup<'a> {
    pub registry: &'a Registry,
    pub limits: Limits,
    /// Commands the session may have outstanding (MaxCmdSN - ExpCmdSN + 1).
    pub queue_depth: u32,
    pub tpgt: u16,
    /// The StatSN this connection starts at.
    pub first_stat_sn: u32,
}

/// A response PDU ready to send.
#[derive(Debug)]
pub struct Response {
    pub bhs: Bhs,
    pub data: Vec<u8>,
}

/// What a successful login hands the full feature phase.
pub struct Established {
    pub session: Arc<Session>,
    pub cid: u16,
    pub params: Params,
    /// The StatSN of the next response.
    pub stat_sn: u32,
    pub exp_cmd_sn: u32,
    /// Our MaxRecvDataSegmentLength, now in force for incoming PDUs.
    pub max_recv_data: u32,
}

/// The outcome of one Login Request.
pub enum Step {
    Continue(Response),
    Done(Response, Established),
    Fail(Response, LoginStatus),
}

#[derive(Debug)]
enum Auth {
    /// No method chosen yet.
    Start,
    /// AuthMethod=None was chosen, or no authentication is configured.
    NotRequired,
    /// CHAP chosen, waiting for CHAP_A.
    ChapAlgorithm,
    /// Challenge sent, waiting for CHAP_N/CHAP_R.
    ChapResponse(Challenge),
    /// Authenticated.
    Done,
}

/// Login state for one connection.
pub struct Login<'a> {
    setup: LoginSetup<'a>,
    first: bool,
    stage: u8,
    stat_sn: u32,
    isid: u64,
    tsih: u16,
    itt: u32,
    cid: u16,
    cmd_sn: u32,
    initiator: String,
    kind: Option<SessionKind>,
    creds: Option<Credentials>,
    auth: Auth,
    neg: Negotiation,
    text: Continuation,
    sent_tpgt: bool,
}

impl<'a> Login<'a> {
    pub fn new(setup: LoginSetup<'a>) -> Login<'a> {
        Login {
            neg: Negotiation::new(setup.limits),
            setup,
            first: true,
            stage: STAGE_SECURITY,
            stat_sn: setup.first_stat_sn,
            isid: 0,
            tsih: 0,
            itt: 0,
            cid: 0,
            cmd_sn: 0,
            initiator: String::new(),
            kind: None,
            creds: None,
            auth: Auth::Start,
            text: Continuation::default(),
            sent_tpgt: false,
        }
    }

    fn response(&mut self, flags: u8, status: LoginStatus, data: Vec<u8>) -> Response {
        let mut b = Bhs::default();
        b.0[0] = Opcode::LoginResponse as u8;
        b.0[1] = flags;
        b.set_data_len(data.len() as u32);
        b.put_u48(8, self.isid);
        b.put_u16(14, self.tsih);
        b.set_itt(self.itt);
        let (class, detail) = status.code();
        b.0[36] = class;
        b.0[37] = detail;
        let exp = self.cmd_sn;
        b.stamp(
            self.stat_sn,
            exp,
            exp.wrapping_add(self.setup.queue_depth.saturating_sub(1)),
        );
        if class == 0 {
            self.stat_sn = self.stat_sn.wrapping_add(1);
        }
        Response { bhs: b, data }
    }

    fn fail(&mut self, status: LoginStatus) -> Step {
        let r = self.response(0, status, Vec::new());
        Step::Fail(r, status)
    }

    /// Processes one PDU received during login.
    pub fn step(&mut self, pdu: &InPdu<'_>) -> Step {
        let b = &pdu.bhs;
        if b.opcode_byte() != Opcode::Login as u8 {
            return self.fail(LoginStatus::InvalidDuringLogin);
        }
        let flags = b.flags();
        let transit = flags & 0x80 != 0;
        let cont = flags & 0x40 != 0;
        let csg = (flags >> 2) & 3;
        let nsg = flags & 3;
        if self.first {
            self.isid = b.get_u48(8);
            self.tsih = b.get_u16(14);
            self.itt = b.itt();
            self.cid = b.get_u16(20);
            self.cmd_sn = b.cmd_sn();
            if b.0[3] > 0 {
                // Version-min above the only version there is.
                return self.fail(LoginStatus::UnsupportedVersion);
            }
        } else if b.get_u48(8) != self.isid || b.get_u16(14) != self.tsih || b.itt() != self.itt {
            return self.fail(LoginStatus::InitiatorError);
        }
        if (transit && cont) || csg == 2 || csg == STAGE_FULL_FEATURE {
            return self.fail(LoginStatus::InitiatorError);
        }
        if transit && (nsg == 2 || nsg <= csg) {
            return self.fail(LoginStatus::InitiatorError);
        }
        if self.text.push(pdu.data).is_err() {
            return self.fail(LoginStatus::InitiatorError);
        }
        if cont {
            // Acknowledge a partial text with an empty response (RFC 7143 §6.2).
            let f = csg << 2;
            return Step::Continue(self.response(f, LoginStatus::Success, Vec::new()));
        }
        let Ok(offers) = TextPairs::parse(&self.text.take()) else {
            return self.fail(LoginStatus::InitiatorError);
        };
        if self.first {
            if let Err(s) = self.identify(&offers) {
                return self.fail(s);
            }
            self.first = false;
            self.stage = csg;
        }
        if csg != self.stage {
            return self.fail(LoginStatus::InitiatorError);
        }
        let mut reply = TextPairs::new();
        if !self.sent_tpgt {
            self.sent_tpgt = true;
            if let Some(SessionKind::Normal(t)) = &self.kind {
                reply.set("TargetPortalGroupTag", t.tpgt.to_string());
                if let Some(a) = t.access().alias.clone() {
                    reply.set("TargetAlias", a);
                }
            }
        }
        if csg == STAGE_SECURITY {
            if let Err(s) = self.security(&offers, transit, &mut reply) {
                return self.fail(s);
            }
        } else if self.creds.is_some() && !matches!(self.auth, Auth::Done) {
            // Authentication is configured: the operational stage needs a finished one.
            return self.fail(LoginStatus::AuthenticationFailed);
        }
        let ctx = Context {
            leading: self.tsih == 0,
            discovery: matches!(self.kind, Some(SessionKind::Discovery)),
            full_feature: false,
        };
        self.neg.respond(&offers, ctx, &mut reply);
        if self.neg.refused_required {
            return self.fail(LoginStatus::InitiatorError);
        }
        let mut may_transit = transit;
        if csg == STAGE_SECURITY && !self.authenticated() {
            may_transit = false;
        }
        if !may_transit {
            let f = csg << 2;
            return Step::Continue(self.response(f, LoginStatus::Success, reply.encode()));
        }
        if nsg != STAGE_FULL_FEATURE {
            self.stage = nsg;
            let f = 0x80 | (csg << 2) | nsg;
            return Step::Continue(self.response(f, LoginStatus::Success, reply.encode()));
        }
        self.neg.declare(&mut reply);
        let session = match self.establish() {
            Ok(s) => s,
            Err(st) => return self.fail(st),
        };
        if self.tsih == 0 {
            let _ = session.params.set(self.neg.params);
        }
        self.tsih = session.tsih;
        let f = 0x80 | (csg << 2) | nsg;
        let r = self.response(f, LoginStatus::Success, reply.encode());
        let est = Established {
            session,
            cid: self.cid,
            params: self.neg.params,
            stat_sn: self.stat_sn,
            exp_cmd_sn: self.cmd_sn,
            max_recv_data: self.neg.limits.max_recv_data,
        };
        Step::Done(r, est)
    }

    fn authenticated(&self) -> bool {
        matches!(self.auth, Auth::Done | Auth::NotRequired)
            || (self.creds.is_none() && matches!(self.auth, Auth::Start))
    }

    /// Reads the names and session type of the first PDU, finds the target and checks the ACL.
    fn identify(&mut self, offers: &TextPairs) -> Result<(), LoginStatus> {
        let ini = offers
            .get("InitiatorName")
            .ok_or(LoginStatus::MissingParameter)?;
        self.initiator = normalize_name(ini).map_err(|_| LoginStatus::InitiatorError)?;
        let discovery = match offers.get("SessionType").unwrap_or("Normal") {
            "Normal" => false,
            "Discovery" => true,
            _ => return Err(LoginStatus::SessionTypeNotSupported),
        };
        if discovery {
            self.kind = Some(SessionKind::Discovery);
            self.creds = self.setup.registry.discovery_auth();
            return Ok(());
        }
        let tname = offers
            .get("TargetName")
            .ok_or(LoginStatus::MissingParameter)?;
        let tname = normalize_name(tname).map_err(|_| LoginStatus::TargetNotFound)?;
        let target: Arc<Target> = self
            .setup
            .registry
            .target(&tname)
            .ok_or(LoginStatus::TargetNotFound)?;
        let access = target.access();
        if !access.admits(&self.initiator) {
            return Err(LoginStatus::AuthorizationFailed);
        }
        self.creds = access.auth.clone();
        self.kind = Some(SessionKind::Normal(target));
        Ok(())
    }

    /// The security stage: AuthMethod, then CHAP_A, then CHAP_N/CHAP_R (and mutual CHAP).
    fn security(
        &mut self,
        offers: &TextPairs,
        transit: bool,
        reply: &mut TextPairs,
    ) -> Result<(), LoginStatus> {
        if let Some(methods) = offers.get("AuthMethod") {
            if !matches!(self.auth, Auth::Start) {
                return Err(LoginStatus::InitiatorError);
            }
            let offered: Vec<&str> = methods.split(',').collect();
            if self.creds.is_some() {
                if !offered.contains(&"CHAP") {
                    return Err(LoginStatus::AuthenticationFailed);
                }
                reply.set("AuthMethod", "CHAP");
                self.auth = Auth::ChapAlgorithm;
            } else if offered.contains(&"None") {
                reply.set("AuthMethod", "None");
                self.auth = Auth::NotRequired;
            } else {
                // Only methods we cannot verify were offered.
                return Err(LoginStatus::AuthenticationFailed);
            }
        }
        if let Some(algs) = offers.get("CHAP_A") {
            if !matches!(self.auth, Auth::ChapAlgorithm) {
                return Err(LoginStatus::InitiatorError);
            }
            if !algs.split(',').any(|a| a == chap::ALGORITHM_MD5) {
                return Err(LoginStatus::AuthenticationFailed);
            }
            let c = Challenge::generate().map_err(|_| LoginStatus::TargetError)?;
            reply.set("CHAP_A", chap::ALGORITHM_MD5);
            reply.set("CHAP_I", c.id.to_string());
            reply.set("CHAP_C", c.encoded());
            self.auth = Auth::ChapResponse(c);
        }
        let has_answer = ["CHAP_N", "CHAP_R", "CHAP_I", "CHAP_C"]
            .iter()
            .any(|k| offers.get(k).is_some());
        if transit && !has_answer && matches!(self.auth, Auth::ChapResponse(_)) {
            // Asking to leave the security stage instead of answering the challenge.
            return Err(LoginStatus::AuthenticationFailed);
        }
        if has_answer {
            let Auth::ChapResponse(ours) = &self.auth else {
                return Err(LoginStatus::AuthenticationFailed);
            };
            let creds = self
                .creds
                .as_ref()
                .ok_or(LoginStatus::AuthenticationFailed)?;
            let answer = Answer {
                name: offers.get("CHAP_N"),
                response: offers.get("CHAP_R"),
                mutual_id: offers.get("CHAP_I"),
                mutual_challenge: offers.get("CHAP_C"),
            };
            match chap::verify(creds, ours, answer) {
                Ok(mutual) => {
                    if let Some(m) = mutual {
                        reply.set("CHAP_N", m.name);
                        reply.set("CHAP_R", m.response);
                    }
                    self.auth = Auth::Done;
                }
                Err(ChapError::Random) => return Err(LoginStatus::TargetError),
                Err(_) => return Err(LoginStatus::AuthenticationFailed),
            }
        }
        if self.creds.is_some() && matches!(self.auth, Auth::Start) {
            // An initiator that skips AuthMethod cannot pass a target that requires CHAP.
            return Err(LoginStatus::AuthenticationFailed);
        }
        Ok(())
    }

    /// Creates the session (TSIH 0) or finds the one a connection joins (TSIH set).
    fn establish(&mut self) -> Result<Arc<Session>, LoginStatus> {
        let reg = self.setup.registry;
        let kind = self.kind.clone().ok_or(LoginStatus::InitiatorError)?;
        if self.tsih == 0 {
            return reg
                .open_session(&self.initiator, self.isid, kind, self.setup.tpgt)
                .ok_or(LoginStatus::OutOfResources);
        }
        let s = reg
            .session(self.tsih)
            .ok_or(LoginStatus::SessionDoesNotExist)?;
        let same_target = match (&s.kind, &kind) {
            (SessionKind::Normal(a), SessionKind::Normal(b)) => Arc::ptr_eq(a, b),
            (SessionKind::Discovery, SessionKind::Discovery) => true,
            _ => false,
        };
        if s.isid != self.isid || s.initiator != self.initiator || !same_target {
            return Err(LoginStatus::SessionDoesNotExist);
        }
        if s.has_cid(self.cid) {
            // Connection reinstatement: the old connection with this CID ends first.
            s.close_cid(self.cid);
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while s.has_cid(self.cid) && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        let lead = s.params.get().copied().unwrap_or_default();
        if s.connection_count() >= lead.max_connections as usize || s.is_closing() {
            return Err(LoginStatus::TooManyConnections);
        }
        // Leading-only keys were answered "Irrelevant" here; the session's values hold.
        let p = &mut self.neg.params;
        *p = Params {
            header_digest: p.header_digest,
            data_digest: p.data_digest,
            initiator_max_recv_data: p.initiator_max_recv_data,
            target_max_recv_data: p.target_max_recv_data,
            ..lead
        };
        Ok(s)
    }
}
