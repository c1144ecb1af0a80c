//! Operational parameter negotiation (RFC 7143 §6.2, §13) as one table: each row names a key,
//! how its result is computed, where it may appear, and which field of [`Params`] it sets.
//! A new key is one row.

use super::text::TextPairs;

/// How a key's result is computed from the initiator's offer and our value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Boolean, result is the AND of both values.
    And,
    /// Boolean, result is the OR of both values.
    Or,
    /// Number within `lo..=hi`, result is the smaller.
    Min(u32, u32),
    /// Number within `lo..=hi`, result is the larger.
    Max(u32, u32),
    /// Number within `lo..=hi` that each side declares for itself.
    Declare(u32, u32),
    /// A digest list (None, CRC32C): result is the first offered value we accept.
    Digest,
    /// A value list where we only support one value.
    OneOf(&'static str),
}

/// What the responder says about a key it will not negotiate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    /// Negotiated normally.
    None,
    /// Only meaningful for iSER or removed from the protocol: answered "Irrelevant".
    Irrelevant,
    /// Handled by the login state machine, never answered here (names, session type).
    LoginOnly,
    /// Only the target may send it.
    TargetOnly,
}

#[derive(Clone, Copy)]
struct KeyDef {
    name: &'static str,
    kind: Kind,
    special: Special,
    /// Only on the leading connection's login (LO).
    leading_only: bool,
    /// Meaningful in discovery sessions; otherwise "Irrelevant" there.
    discovery: bool,
    /// May be renegotiated in the full feature phase with a Text request.
    in_ffp: bool,
    get: fn(&Params) -> u32,
    set: fn(&mut Params, u32),
    ours: fn(&Limits) -> u32,
}

/// Whether and how strongly we want CRC32C digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DigestPolicy {
    /// Take the initiator's first choice.
    #[default]
    Initiator,
    /// Choose CRC32C whenever the initiator offers it.
    Prefer,
    /// Refuse None.
    Require,
}

/// Our side of the negotiation: the most we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_recv_data: u32,
    pub max_burst: u32,
    pub first_burst: u32,
    pub initial_r2t: bool,
    pub immediate_data: bool,
    pub max_outstanding_r2t: u32,
    pub max_connections: u32,
    pub time2wait: u32,
    pub time2retain: u32,
    pub header_digest: DigestPolicy,
    pub data_digest: DigestPolicy,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_recv_data: 256 * 1024,
            max_burst: 1024 * 1024,
            first_burst: 256 * 1024,
            initial_r2t: false,
            immediate_data: true,
            max_outstanding_r2t: 8,
            max_connections: 1,
            time2wait: 2,
            time2retain: 0,
            header_digest: DigestPolicy::Initiator,
            data_digest: DigestPolicy::Initiator,
        }
    }
}

/// The negotiated values, starting from the RFC defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub header_digest: bool,
    pub data_digest: bool,
    /// The initiator's MaxRecvDataSegmentLength: the most we put in one PDU's data.
    pub initiator_max_recv_data: u32,
    /// Ours, as declared: the most the initiator may put in one PDU.
    pub target_max_recv_data: u32,
    pub max_burst: u32,
    pub first_burst: u32,
    pub initial_r2t: bool,
    pub immediate_data: bool,
    pub max_outstanding_r2t: u32,
    pub data_pdu_in_order: bool,
    pub data_sequence_in_order: bool,
    pub time2wait: u32,
    pub time2retain: u32,
    pub error_recovery_level: u32,
    pub max_connections: u32,
    pub protocol_level: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            header_digest: false,
            data_digest: false,
            initiator_max_recv_data: 8192,
            target_max_recv_data: 8192,
            max_burst: 262_144,
            first_burst: 65_536,
            initial_r2t: true,
            immediate_data: true,
            max_outstanding_r2t: 1,
            data_pdu_in_order: true,
            data_sequence_in_order: true,
            time2wait: 2,
            time2retain: 20,
            error_recovery_level: 0,
            max_connections: 1,
            protocol_level: 0,
        }
    }
}

const MAX_LEN: u32 = (1 << 24) - 1;

fn b(v: bool) -> u32 {
    u32::from(v)
}

fn digest_ours(p: DigestPolicy) -> u32 {
    p as u32
}

fn policy(v: u32) -> DigestPolicy {
    match v {
        1 => DigestPolicy::Prefer,
        2 => DigestPolicy::Require,
        _ => DigestPolicy::Initiator,
    }
}

macro_rules! row {
    ($name:expr, $kind:expr, $special:expr, lo=$lo:expr, disc=$disc:expr, ffp=$ffp:expr,
     |$p:ident| $get:expr, |$q:ident, $v:ident| $set:expr, |$l:ident| $ours:expr) => {
        KeyDef {
            name: $name,
            kind: $kind,
            special: $special,
            leading_only: $lo,
            discovery: $disc,
            in_ffp: $ffp,
            get: |$p: &Params| $get,
            set: |$q: &mut Params, $v: u32| $set,
            ours: |$l: &Limits| $ours,
        }
    };
}

/// Every key of RFC 7143 §13 (and the obsolete or iSER ones initiators still send).
/// MaxBurstLength precedes FirstBurstLength so the latter can be bounded by the former.
const KEYS: &[KeyDef] = &[
    row!(
        "HeaderDigest",
        Kind::Digest,
        Special::None,
        lo = false,
        disc = true,
        ffp = false,
        |p| b(p.header_digest),
        |p, v| p.header_digest = v != 0,
        |l| digest_ours(l.header_digest)
    ),
    row!(
        "DataDigest",
        Kind::Digest,
        Special::None,
        lo = false,
        disc = true,
        ffp = false,
        |p| b(p.data_digest),
        |p, v| p.data_digest = v != 0,
        |l| digest_ours(l.data_digest)
    ),
    row!(
        "MaxConnections",
        Kind::Min(1, 65535),
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| p.max_connections,
        |p, v| p.max_connections = v,
        |l| l.max_connections
    ),
    row!(
        "InitialR2T",
        Kind::Or,
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| b(p.initial_r2t),
        |p, v| p.initial_r2t = v != 0,
        |l| b(l.initial_r2t)
    ),
    row!(
        "ImmediateData",
        Kind::And,
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| b(p.immediate_data),
        |p, v| p.immediate_data = v != 0,
        |l| b(l.immediate_data)
    ),
    row!(
        "MaxRecvDataSegmentLength",
        Kind::Declare(512, MAX_LEN),
        Special::None,
        lo = false,
        disc = true,
        ffp = true,
        |p| p.initiator_max_recv_data,
        |p, v| p.initiator_max_recv_data = v,
        |l| l.max_recv_data
    ),
    row!(
        "MaxBurstLength",
        Kind::Min(512, MAX_LEN),
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| p.max_burst,
        |p, v| p.max_burst = v,
        |l| l.max_burst
    ),
    row!(
        "FirstBurstLength",
        Kind::Min(512, MAX_LEN),
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| p.first_burst,
        |p, v| p.first_burst = v,
        |l| l.first_burst
    ),
    row!(
        "DefaultTime2Wait",
        Kind::Max(0, 3600),
        Special::None,
        lo = true,
        disc = true,
        ffp = false,
        |p| p.time2wait,
        |p, v| p.time2wait = v,
        |l| l.time2wait
    ),
    row!(
        "DefaultTime2Retain",
        Kind::Min(0, 3600),
        Special::None,
        lo = true,
        disc = true,
        ffp = false,
        |p| p.time2retain,
        |p, v| p.time2retain = v,
        |l| l.time2retain
    ),
    row!(
        "MaxOutstandingR2T",
        Kind::Min(1, 65535),
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| p.max_outstanding_r2t,
        |p, v| p.max_outstanding_r2t = v,
        |l| l.max_outstanding_r2t
    ),
    row!(
        "DataPDUInOrder",
        Kind::Or,
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| b(p.data_pdu_in_order),
        |p, v| p.data_pdu_in_order = v != 0,
        |_l| 1
    ),
    row!(
        "DataSequenceInOrder",
        Kind::Or,
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| b(p.data_sequence_in_order),
        |p, v| p.data_sequence_in_order = v != 0,
        |_l| 1
    ),
    row!(
        "ErrorRecoveryLevel",
        Kind::Min(0, 2),
        Special::None,
        lo = true,
        disc = true,
        ffp = false,
        |p| p.error_recovery_level,
        |p, v| p.error_recovery_level = v,
        |_l| 0
    ),
    row!(
        "iSCSIProtocolLevel",
        Kind::Min(0, 31),
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |p| p.protocol_level,
        |p, v| p.protocol_level = v,
        |_l| 1
    ),
    row!(
        "TaskReporting",
        Kind::OneOf("RFC3720"),
        Special::None,
        lo = true,
        disc = false,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "IFMarker",
        Kind::And,
        Special::None,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "OFMarker",
        Kind::And,
        Special::None,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "IFMarkInt",
        Kind::OneOf(""),
        Special::Irrelevant,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "OFMarkInt",
        Kind::OneOf(""),
        Special::Irrelevant,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "RDMAExtensions",
        Kind::And,
        Special::None,
        lo = true,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "InitiatorRecvDataSegmentLength",
        Kind::OneOf(""),
        Special::Irrelevant,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "TargetRecvDataSegmentLength",
        Kind::OneOf(""),
        Special::Irrelevant,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "InitiatorName",
        Kind::OneOf(""),
        Special::LoginOnly,
        lo = true,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "InitiatorAlias",
        Kind::OneOf(""),
        Special::LoginOnly,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "TargetName",
        Kind::OneOf(""),
        Special::LoginOnly,
        lo = true,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "SessionType",
        Kind::OneOf(""),
        Special::LoginOnly,
        lo = true,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "TargetAlias",
        Kind::OneOf(""),
        Special::TargetOnly,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "TargetAddress",
        Kind::OneOf(""),
        Special::TargetOnly,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
    row!(
        "TargetPortalGroupTag",
        Kind::OneOf(""),
        Special::TargetOnly,
        lo = false,
        disc = true,
        ffp = false,
        |_p| 0,
        |_p, _v| (),
        |_l| 0
    ),
];

/// Keys of the security stage; the login state machine answers them.
pub const SECURITY_KEYS: [&str; 6] = [
    "AuthMethod",
    "CHAP_A",
    "CHAP_I",
    "CHAP_C",
    "CHAP_N",
    "CHAP_R",
];

/// Where a negotiation happens, which decides which keys are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub leading: bool,
    pub discovery: bool,
    /// A Text request in the full feature phase rather than a Login request.
    pub full_feature: bool,
}

fn parse_bool(v: &str) -> Option<u32> {
    match v {
        "Yes" => Some(1),
        "No" => Some(0),
        _ => None,
    }
}

fn parse_num(v: &str) -> Option<u32> {
    // RFC 7143 §6.1: decimal, or hex with 0x (binary values are for CHAP only).
    if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        return u32::from_str_radix(h, 16).ok();
    }
    if v.is_empty() || v.len() > 10 || !v.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn yes_no(v: u32) -> &'static str {
    if v != 0 {
        "Yes"
    } else {
        "No"
    }
}

/// One negotiation (a login, or the text exchanges of a session) over [`Params`].
#[derive(Debug, Clone)]
pub struct Negotiation {
    pub params: Params,
    pub limits: Limits,
    /// Whether our MaxRecvDataSegmentLength has been declared to the initiator.
    declared_mrdsl: bool,
    /// Set when an offered digest was refused under a `Require` policy.
    pub refused_required: bool,
}

impl Negotiation {
    pub fn new(limits: Limits) -> Negotiation {
        let params = Params {
            target_max_recv_data: limits.max_recv_data,
            ..Params::default()
        };
        Negotiation {
            params,
            limits,
            declared_mrdsl: false,
            refused_required: false,
        }
    }

    /// Answers every operational key in `offers` into `reply`; security keys are skipped
    /// (the login state machine owns them).
    pub fn respond(&mut self, offers: &TextPairs, ctx: Context, reply: &mut TextPairs) {
        // Table order, not offer order: FirstBurstLength is bounded by MaxBurstLength.
        for def in KEYS {
            if let Some(v) = offers.get(def.name) {
                if let Some(ans) = self.answer(def, v, ctx) {
                    reply.set(def.name, ans);
                }
            }
        }
        for (k, _) in offers.iter() {
            if KEYS.iter().any(|d| d.name == k) || SECURITY_KEYS.contains(&k) {
                continue;
            }
            if ctx.full_feature && k == "SendTargets" {
                continue;
            }
            reply.set(k, "NotUnderstood");
        }
        if ctx.full_feature {
            return;
        }
        if self.params.first_burst > self.params.max_burst {
            self.params.first_burst = self.params.max_burst;
        }
    }

    /// Adds our declarations the initiator has not prompted: our MaxRecvDataSegmentLength.
    pub fn declare(&mut self, reply: &mut TextPairs) {
        if !self.declared_mrdsl {
            reply.set(
                "MaxRecvDataSegmentLength",
                self.limits.max_recv_data.to_string(),
            );
            self.declared_mrdsl = true;
        }
    }

    fn answer(&mut self, def: &KeyDef, v: &str, ctx: Context) -> Option<String> {
        match def.special {
            Special::LoginOnly => {
                return if ctx.full_feature {
                    Some("Reject".into())
                } else {
                    None
                }
            }
            Special::Irrelevant => return Some("Irrelevant".into()),
            Special::TargetOnly => return Some("Reject".into()),
            Special::None => {}
        }
        if ctx.full_feature && !def.in_ffp {
            return Some("Reject".into());
        }
        if (def.leading_only && !ctx.leading) || (ctx.discovery && !def.discovery) {
            return Some("Irrelevant".into());
        }
        let ours = (def.ours)(&self.limits);
        let result = match def.kind {
            Kind::And | Kind::Or => {
                let Some(theirs) = parse_bool(v) else {
                    return Some("Reject".into());
                };
                let r = if def.kind == Kind::And {
                    theirs & ours
                } else {
                    theirs | ours
                };
                (def.set)(&mut self.params, r);
                return Some(yes_no(r).into());
            }
            Kind::Min(lo, hi) | Kind::Max(lo, hi) | Kind::Declare(lo, hi) => {
                let Some(theirs) = parse_num(v).filter(|n| (lo..=hi).contains(n)) else {
                    return Some("Reject".into());
                };
                match def.kind {
                    Kind::Min(..) if def.name == "FirstBurstLength" => {
                        theirs.min(ours).min(self.params.max_burst)
                    }
                    Kind::Min(..) => theirs.min(ours),
                    Kind::Max(..) => theirs.max(ours),
                    _ => {
                        (def.set)(&mut self.params, theirs);
                        if self.declared_mrdsl {
                            return None;
                        }
                        self.declared_mrdsl = true;
                        return Some(self.limits.max_recv_data.to_string());
                    }
                }
            }
            Kind::Digest => {
                let pol = policy(ours);
                let offered: Vec<&str> = v.split(',').collect();
                let pick = match pol {
                    DigestPolicy::Initiator => offered
                        .iter()
                        .find(|o| **o == "None" || **o == "CRC32C")
                        .copied(),
                    DigestPolicy::Prefer => offered
                        .iter()
                        .find(|o| **o == "CRC32C")
                        .or_else(|| offered.iter().find(|o| **o == "None"))
                        .copied(),
                    DigestPolicy::Require => offered.iter().find(|o| **o == "CRC32C").copied(),
                };
                let Some(pick) = pick else {
                    if pol == DigestPolicy::Require {
                        self.refused_required = true;
                    }
                    return Some("Reject".into());
                };
                (def.set)(&mut self.params, u32::from(pick == "CRC32C"));
                return Some(pick.into());
            }
            Kind::OneOf(only) => {
                return Some(if v.split(',').any(|o| o == only) {
                    only.into()
                } else {
                    "Reject".into()
                });
            }
        };
        (def.set)(&mut self.params, result);
        Some((def.get)(&self.params).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: Context = Context {
        leading: true,
        discovery: false,
        full_feature: false,
    };

    fn negotiate(offer: &[u8], limits: Limits, ctx: Context) -> (Params, TextPairs) {
        let mut n = Negotiation::new(limits);
        let mut reply = TextPairs::new();
        n.respond(&TextPairs::parse(offer).unwrap(), ctx, &mut reply);
        n.declare(&mut reply);
        (n.params, reply)
    }

    #[test]
    fn typical_linux_offer() {
        let offer = b"HeaderDigest=None,CRC32C\0DataDigest=None\0MaxConnections=4\0\
InitialR2T=No\0ImmediateData=Yes\0MaxRecvDataSegmentLength=262144\0\
MaxBurstLength=16776192\0FirstBurstLength=262144\0DefaultTime2Wait=0\0\
DefaultTime2Retain=0\0MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0\
DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0IFMarker=No\0OFMarker=No\0";
        let (p, r) = negotiate(offer, Limits::default(), LOGIN);
        assert!(!p.header_digest);
        assert_eq!(r.get("HeaderDigest"), Some("None"));
        assert_eq!(r.get("MaxConnections"), Some("1"));
        assert_eq!(r.get("InitialR2T"), Some("No"));
        assert_eq!(r.get("ImmediateData"), Some("Yes"));
        assert_eq!(p.initiator_max_recv_data, 262_144);
        assert_eq!(r.get("MaxRecvDataSegmentLength"), Some("262144"));
        assert_eq!(r.get("MaxBurstLength"), Some("1048576"));
        assert_eq!(r.get("FirstBurstLength"), Some("262144"));
        assert_eq!(r.get("DefaultTime2Wait"), Some("2"));
        assert_eq!(r.get("DefaultTime2Retain"), Some("0"));
        assert_eq!(r.get("ErrorRecoveryLevel"), Some("0"));
        assert_eq!(r.get("IFMarker"), Some("No"));
        assert_eq!(p.max_outstanding_r2t, 1);
    }

    #[test]
    fn digest_policies() {
        let offer = b"HeaderDigest=None,CRC32C\0DataDigest=None\0";
        let mut l = Limits {
            header_digest: DigestPolicy::Prefer,
            ..Limits::default()
        };
        let (p, r) = negotiate(offer, l, LOGIN);
        assert!(p.header_digest);
        assert_eq!(r.get("HeaderDigest"), Some("CRC32C"));
        l.data_digest = DigestPolicy::Require;
        let mut n = Negotiation::new(l);
        let mut reply = TextPairs::new();
        n.respond(&TextPairs::parse(offer).unwrap(), LOGIN, &mut reply);
        assert_eq!(reply.get("DataDigest"), Some("Reject"));
        assert!(n.refused_required);
    }

    #[test]
    fn bad_values_unknown_keys_and_irrelevant_ones() {
        let offer = b"MaxBurstLength=12\0InitialR2T=Maybe\0X-com.example.foo=1\0\
Frobnicate=1\0MaxOutstandingR2T=abc\0FirstBurstLength=0x1000\0";
        let (p, r) = negotiate(offer, Limits::default(), LOGIN);
        assert_eq!(r.get("MaxBurstLength"), Some("Reject"));
        assert_eq!(r.get("InitialR2T"), Some("Reject"));
        assert_eq!(r.get("X-com.example.foo"), Some("NotUnderstood"));
        assert_eq!(r.get("Frobnicate"), Some("NotUnderstood"));
        assert_eq!(r.get("MaxOutstandingR2T"), Some("Reject"));
        assert_eq!(r.get("FirstBurstLength"), Some("4096"));
        assert_eq!(p.max_burst, 262_144);
        let disc = Context {
            discovery: true,
            ..LOGIN
        };
        let (_, r) = negotiate(
            b"MaxBurstLength=4096\0TargetAlias=x\0",
            Limits::default(),
            disc,
        );
        assert_eq!(r.get("MaxBurstLength"), Some("Irrelevant"));
        assert_eq!(r.get("TargetAlias"), Some("Reject"));
    }

    #[test]
    fn first_burst_never_exceeds_max_burst() {
        let (p, r) = negotiate(
            b"FirstBurstLength=65536\0MaxBurstLength=4096\0",
            Limits::default(),
            LOGIN,
        );
        assert_eq!(p.max_burst, 4096);
        assert_eq!(p.first_burst, 4096);
        assert_eq!(r.get("FirstBurstLength"), Some("4096"));
    }

    #[test]
    fn full_feature_renegotiates_only_declaratives() {
        let ffp = Context {
            full_feature: true,
            ..LOGIN
        };
        let (p, r) = negotiate(
            b"MaxRecvDataSegmentLength=4096\0MaxBurstLength=4096\0",
            Limits::default(),
            ffp,
        );
        assert_eq!(p.initiator_max_recv_data, 4096);
        assert_eq!(r.get("MaxBurstLength"), Some("Reject"));
    }
}
