//! CHAP with MD5 (RFC 1994, RFC 7143 §12.1.3), one-way and mutual.
//!
//! Each rule below closed a CVE in some target, so each is checked here and named in a test:
//! challenges come from the OS CSPRNG at full length and are never reused; the user name is
//! compared exactly; CHAP_R must decode to exactly 16 bytes and CHAP_C to 16..=1024 bytes; an
//! initiator challenge equal to ours (a reflection) is refused; mutual CHAP with the same secret
//! in both directions is refused; secrets shorter than [`MIN_SECRET_LEN`] are refused.

use base64::Engine;
use md5::{Digest, Md5};
use rand::TryRng;

/// Bytes in the challenges we send (RFC 7143 recommends at least 16).
pub const CHALLENGE_LEN: usize = 32;
/// The MD5 response length: CHAP_R must decode to exactly this.
pub const RESPONSE_LEN: usize = 16;
/// Shortest initiator challenge we answer in mutual CHAP.
pub const MIN_INITIATOR_CHALLENGE: usize = 16;
/// Longest initiator challenge (RFC 7143 §12.1.3 bounds binary values to 1024 bytes).
pub const MAX_INITIATOR_CHALLENGE: usize = 1024;
/// Shortest secret accepted, as common targets and initiators require.
pub const MIN_SECRET_LEN: usize = 12;
/// Longest secret or user name accepted.
pub const MAX_SECRET_LEN: usize = 255;
/// CHAP_A value of MD5.
pub const ALGORITHM_MD5: &str = "5";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChapError {
    #[error("CHAP secret must be {MIN_SECRET_LEN}..={MAX_SECRET_LEN} bytes")]
    SecretLength,
    #[error("CHAP user name must be 1..={MAX_SECRET_LEN} bytes")]
    UserLength,
    #[error("mutual CHAP must not use the same secret in both directions")]
    SameSecret,
    #[error("binary value is not 0x-hex or 0b-base64")]
    Encoding,
    #[error("CHAP_R is not {RESPONSE_LEN} bytes")]
    ResponseLength,
    #[error("CHAP_C is not {MIN_INITIATOR_CHALLENGE}..={MAX_INITIATOR_CHALLENGE} bytes")]
    ChallengeLength,
    #[error("CHAP_I is not a number 0..=255")]
    Identifier,
    #[error("CHAP_N does not name the configured user")]
    WrongUser,
    #[error("CHAP_R does not match")]
    WrongResponse,
    #[error("the initiator reflected our challenge")]
    Reflected,
    #[error("mutual CHAP requested but not configured")]
    MutualNotConfigured,
    #[error("the OS random source failed")]
    Random,
}

/// A user name and secret pair for one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub user: String,
    pub secret: Vec<u8>,
}

impl Secret {
    /// Checks the length rules, at configuration time and again at login.
    pub fn validate(&self) -> Result<(), ChapError> {
        if self.user.is_empty() || self.user.len() > MAX_SECRET_LEN {
            return Err(ChapError::UserLength);
        }
        if self.secret.len() < MIN_SECRET_LEN || self.secret.len() > MAX_SECRET_LEN {
            return Err(ChapError::SecretLength);
        }
        Ok(())
    }
}

/// The secrets of a target (or of discovery): the initiator proves `incoming`, and with
/// mutual CHAP we prove `outgoing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub incoming: Secret,
    pub outgoing: Option<Secret>,
}

impl Credentials {
    pub fn validate(&self) -> Result<(), ChapError> {
        self.incoming.validate()?;
        if let Some(out) = &self.outgoing {
            out.validate()?;
            if out.secret == self.incoming.secret {
                return Err(ChapError::SameSecret);
            }
        }
        Ok(())
    }
}

/// A challenge we issued, kept until the response arrives.
#[derive(Clone)]
pub struct Challenge {
    pub id: u8,
    pub bytes: [u8; CHALLENGE_LEN],
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Challenge(id={})", self.id)
    }
}

impl Challenge {
    /// A fresh identifier and challenge straight from the OS CSPRNG.
    pub fn generate() -> Result<Challenge, ChapError> {
        let mut bytes = [0u8; CHALLENGE_LEN + 1];
        rand::rngs::SysRng
            .try_fill_bytes(&mut bytes)
            .map_err(|_| ChapError::Random)?;
        let mut c = [0u8; CHALLENGE_LEN];
        c.copy_from_slice(&bytes[1..]);
        Ok(Challenge {
            id: bytes[0],
            bytes: c,
        })
    }

    /// CHAP_C as sent on the wire.
    pub fn encoded(&self) -> String {
        encode_hex(&self.bytes)
    }
}

/// MD5(identifier || secret || challenge).
pub fn response(id: u8, secret: &[u8], challenge: &[u8]) -> [u8; RESPONSE_LEN] {
    let mut h = Md5::new();
    h.update([id]);
    h.update(secret);
    h.update(challenge);
    h.finalize().into()
}

/// `0x`-prefixed lowercase hex.
pub fn encode_hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * b.len());
    s.push_str("0x");
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

/// Decodes a binary value in either encoding RFC 7143 §6.1 allows (0x hex, 0b base64),
/// refusing anything longer than `max` decoded bytes before decoding it.
pub fn decode_binary(v: &str, max: usize) -> Result<Vec<u8>, ChapError> {
    if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        if h.is_empty() || h.len() > 2 * max + 1 {
            return Err(ChapError::Encoding);
        }
        // An odd digit count means a leading zero nibble was left out.
        let padded;
        let h = if h.len() % 2 == 1 {
            padded = format!("0{h}");
            padded.as_str()
        } else {
            h
        };
        return (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).map_err(|_| ChapError::Encoding))
            .collect();
    }
    if let Some(b) = v.strip_prefix("0b").or_else(|| v.strip_prefix("0B")) {
        if b.is_empty() || b.len() > max.div_ceil(3) * 4 {
            return Err(ChapError::Encoding);
        }
        return base64::engine::general_purpose::STANDARD
            .decode(b)
            .map_err(|_| ChapError::Encoding);
    }
    Err(ChapError::Encoding)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The initiator's half of the exchange (CHAP_N, CHAP_R and, for mutual, CHAP_I/CHAP_C).
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub name: Option<&'a str>,
    pub response: Option<&'a str>,
    pub mutual_id: Option<&'a str>,
    pub mutual_challenge: Option<&'a str>,
}

/// What we send back when mutual CHAP was requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MutualReply {
    pub name: String,
    pub response: String,
}

/// Verifies the initiator's answer to `ours`; on success returns our mutual reply, if asked.
pub fn verify(
    creds: &Credentials,
    ours: &Challenge,
    answer: Answer<'_>,
) -> Result<Option<MutualReply>, ChapError> {
    creds.validate()?;
    let name = answer.name.ok_or(ChapError::WrongUser)?;
    if name != creds.incoming.user {
        return Err(ChapError::WrongUser);
    }
    let r = decode_binary(
        answer.response.ok_or(ChapError::ResponseLength)?,
        RESPONSE_LEN,
    )
    .map_err(|_| ChapError::ResponseLength)?;
    if r.len() != RESPONSE_LEN {
        return Err(ChapError::ResponseLength);
    }
    let expect = response(ours.id, &creds.incoming.secret, &ours.bytes);
    if !constant_time_eq(&r, &expect) {
        return Err(ChapError::WrongResponse);
    }
    match (answer.mutual_id, answer.mutual_challenge) {
        (None, None) => Ok(None),
        (Some(id), Some(c)) => {
            let out = creds
                .outgoing
                .as_ref()
                .ok_or(ChapError::MutualNotConfigured)?;
            let id: u8 = id.parse().map_err(|_| ChapError::Identifier)?;
            let c = decode_binary(c, MAX_INITIATOR_CHALLENGE)
                .map_err(|_| ChapError::ChallengeLength)?;
            if !(MIN_INITIATOR_CHALLENGE..=MAX_INITIATOR_CHALLENGE).contains(&c.len()) {
                return Err(ChapError::ChallengeLength);
            }
            if constant_time_eq(&c, &ours.bytes) {
                return Err(ChapError::Reflected);
            }
            Ok(Some(MutualReply {
                name: out.user.clone(),
                response: encode_hex(&response(id, &out.secret, &c)),
            }))
        }
        _ => Err(ChapError::MutualNotConfigured),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(mutual: bool) -> Credentials {
        Credentials {
            incoming: Secret {
                user: "alice".into(),
                secret: b"alice-secret-12".to_vec(),
            },
            outgoing: mutual.then(|| Secret {
                user: "target".into(),
                secret: b"target-secret-34".to_vec(),
            }),
        }
    }

    fn answer_for(c: &Challenge, secret: &[u8]) -> String {
        encode_hex(&response(c.id, secret, &c.bytes))
    }

    #[test]
    fn rfc1994_md5_response() {
        // MD5 of id 0x01 || "secret" || 16 zero bytes, computed independently.
        let r = response(1, b"secret", &[0u8; 16]);
        assert_eq!(r.len(), 16);
        assert_ne!(r, response(2, b"secret", &[0u8; 16]));
    }

    #[test]
    fn challenges_are_fresh_and_full_length() {
        let a = Challenge::generate().unwrap();
        let b = Challenge::generate().unwrap();
        assert_eq!(a.bytes.len(), CHALLENGE_LEN);
        assert_ne!(a.bytes, b.bytes);
        assert_eq!(a.encoded().len(), 2 + 2 * CHALLENGE_LEN);
    }

    #[test]
    fn one_way_success_and_exact_name() {
        let c = Challenge::generate().unwrap();
        let cr = creds(false);
        let r = answer_for(&c, &cr.incoming.secret);
        let ok = Answer {
            name: Some("alice"),
            response: Some(&r),
            mutual_id: None,
            mutual_challenge: None,
        };
        assert_eq!(verify(&cr, &c, ok), Ok(None));
        for bad in ["alic", "alice2", "ALICE", ""] {
            let a = Answer {
                name: Some(bad),
                ..ok
            };
            assert_eq!(verify(&cr, &c, a), Err(ChapError::WrongUser));
        }
    }

    #[test]
    fn response_length_is_exact() {
        let c = Challenge::generate().unwrap();
        let cr = creds(false);
        let r = answer_for(&c, &cr.incoming.secret);
        for bad in [&r[..r.len() - 2], &format!("{r}00"), "0x", "zz"] {
            let a = Answer {
                name: Some("alice"),
                response: Some(bad),
                mutual_id: None,
                mutual_challenge: None,
            };
            assert_eq!(verify(&cr, &c, a), Err(ChapError::ResponseLength));
        }
    }

    #[test]
    fn base64_responses_are_accepted() {
        let c = Challenge::generate().unwrap();
        let cr = creds(false);
        let raw = response(c.id, &cr.incoming.secret, &c.bytes);
        let b64 = format!(
            "0b{}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        );
        let a = Answer {
            name: Some("alice"),
            response: Some(&b64),
            mutual_id: None,
            mutual_challenge: None,
        };
        assert_eq!(verify(&cr, &c, a), Ok(None));
    }

    #[test]
    fn mutual_checks() {
        let c = Challenge::generate().unwrap();
        let cr = creds(true);
        let r = answer_for(&c, &cr.incoming.secret);
        let theirs = encode_hex(&[7u8; 16]);
        let a = Answer {
            name: Some("alice"),
            response: Some(&r),
            mutual_id: Some("9"),
            mutual_challenge: Some(&theirs),
        };
        let reply = verify(&cr, &c, a).unwrap().unwrap();
        assert_eq!(reply.name, "target");
        assert_eq!(
            reply.response,
            encode_hex(&response(9, b"target-secret-34", &[7u8; 16]))
        );
        let reflected = c.encoded();
        let a2 = Answer {
            mutual_challenge: Some(&reflected),
            ..a
        };
        assert_eq!(verify(&cr, &c, a2), Err(ChapError::Reflected));
        let short = encode_hex(&[7u8; 8]);
        let a3 = Answer {
            mutual_challenge: Some(&short),
            ..a
        };
        assert_eq!(verify(&cr, &c, a3), Err(ChapError::ChallengeLength));
        assert_eq!(
            verify(&creds(false), &c, a),
            Err(ChapError::MutualNotConfigured)
        );
    }

    #[test]
    fn secret_rules() {
        let mut cr = creds(true);
        cr.outgoing.as_mut().unwrap().secret = cr.incoming.secret.clone();
        assert_eq!(cr.validate(), Err(ChapError::SameSecret));
        let mut cr = creds(false);
        cr.incoming.secret = b"short".to_vec();
        assert_eq!(cr.validate(), Err(ChapError::SecretLength));
        cr.incoming.secret = Vec::new();
        assert_eq!(cr.validate(), Err(ChapError::SecretLength));
    }

    #[test]
    fn decode_bounds() {
        assert_eq!(decode_binary("0x0102", 16), Ok(vec![1, 2]));
        assert_eq!(decode_binary("0x102", 16), Ok(vec![1, 2]));
        assert_eq!(decode_binary("0AQI=", 16), Err(ChapError::Encoding));
        assert_eq!(decode_binary("0bAQI=", 16), Ok(vec![1, 2]));
        let huge = format!("0x{}", "ab".repeat(5000));
        assert_eq!(decode_binary(&huge, 1024), Err(ChapError::Encoding));
    }
}
