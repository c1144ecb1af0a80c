//! Login and Text key=value data (RFC 7143 §6.1): NUL-terminated pairs, bounded key and value
//! lengths, no duplicates, and a bounded total across continued PDUs.

/// Longest key name (RFC 7143 §6.1).
pub const MAX_KEY_LEN: usize = 63;
/// Longest simple value when no larger bound is defined (RFC 7143 §6.1).
pub const MAX_SIMPLE_VALUE: usize = 255;
/// Longest value of the keys that carry encoded binary (CHAP_C, CHAP_R).
pub const MAX_BINARY_VALUE: usize = 8192;
/// Most bytes of key=value text accepted across one negotiation sequence (continued PDUs).
pub const MAX_TEXT_TOTAL: usize = 64 * 1024;
/// Most keys accepted in one negotiation sequence; real initiators send fewer than 40.
pub const MAX_KEYS: usize = 256;

/// Keys whose values may exceed [`MAX_SIMPLE_VALUE`].
const BINARY_KEYS: [&str; 2] = ["CHAP_C", "CHAP_R"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("key=value data does not end with a NUL")]
    Unterminated,
    #[error("entry without '='")]
    NoEquals,
    #[error("key name is empty, too long or has invalid characters")]
    BadKey,
    #[error("value of {0} is too long")]
    ValueTooLong(String),
    #[error("key {0} sent twice")]
    Duplicate(String),
    #[error("more than {MAX_KEYS} keys")]
    TooManyKeys,
    #[error("more than {MAX_TEXT_TOTAL} bytes of key=value text")]
    TooLong,
    #[error("text is not valid UTF-8")]
    NotUtf8,
}

/// An ordered list of key=value pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextPairs {
    pairs: Vec<(String, String)>,
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= MAX_KEY_LEN
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".-+@_#".contains(&c))
}

impl TextPairs {
    pub fn new() -> TextPairs {
        TextPairs::default()
    }

    /// Parses complete key=value data (all continuation PDUs joined).
    pub fn parse(data: &[u8]) -> Result<TextPairs, TextError> {
        if data.len() > MAX_TEXT_TOTAL {
            return Err(TextError::TooLong);
        }
        if data.is_empty() {
            return Ok(TextPairs::default());
        }
        if data.last() != Some(&0) {
            return Err(TextError::Unterminated);
        }
        let mut out = TextPairs::default();
        for entry in data[..data.len() - 1].split(|&b| b == 0) {
            if entry.is_empty() {
                continue;
            }
            let s = std::str::from_utf8(entry).map_err(|_| TextError::NotUtf8)?;
            let (k, v) = s.split_once('=').ok_or(TextError::NoEquals)?;
            if !valid_key(k) {
                return Err(TextError::BadKey);
            }
            let limit = if BINARY_KEYS.contains(&k) {
                MAX_BINARY_VALUE
            } else {
                MAX_SIMPLE_VALUE
            };
            if v.len() > limit {
                return Err(TextError::ValueTooLong(k.to_string()));
            }
            if out.get(k).is_some() {
                return Err(TextError::Duplicate(k.to_string()));
            }
            if out.pairs.len() == MAX_KEYS {
                return Err(TextError::TooManyKeys);
            }
            out.pairs.push((k.to_string(), v.to_string()));
        }
        Ok(out)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Adds or replaces a pair, keeping the first position.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.pairs.iter_mut().find(|(k, _)| k == key) {
            Some(p) => p.1 = value,
            None => self.pairs.push((key.to_string(), value)),
        }
    }

    /// Appends a pair even if the key repeats (SendTargets answers repeat TargetAddress).
    pub fn push(&mut self, key: &str, value: impl Into<String>) {
        self.pairs.push((key.to_string(), value.into()));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Encodes as NUL-terminated pairs.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, v) in &self.pairs {
            out.extend_from_slice(k.as_bytes());
            out.push(b'=');
            out.extend_from_slice(v.as_bytes());
            out.push(0);
        }
        out
    }
}

/// Collects the data of a Login or Text request split over PDUs with the C bit, refusing
/// to grow past [`MAX_TEXT_TOTAL`].
#[derive(Debug, Default)]
pub struct Continuation {
    buf: Vec<u8>,
}

impl Continuation {
    pub fn push(&mut self, data: &[u8]) -> Result<(), TextError> {
        if self.buf.len() + data.len() > MAX_TEXT_TOTAL {
            self.buf.clear();
            return Err(TextError::TooLong);
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// Takes the collected bytes, leaving the collector empty for the next sequence.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_encodes_pairs() {
        let p = TextPairs::parse(b"InitiatorName=iqn.x\0SessionType=Normal\0").unwrap();
        assert_eq!(p.get("InitiatorName"), Some("iqn.x"));
        assert_eq!(p.get("SessionType"), Some("Normal"));
        assert_eq!(
            p.encode(),
            b"InitiatorName=iqn.x\0SessionType=Normal\0".to_vec()
        );
    }

    #[test]
    fn missing_nul_is_refused() {
        assert_eq!(
            TextPairs::parse(b"InitiatorName=iqn.x"),
            Err(TextError::Unterminated)
        );
    }

    #[test]
    fn limits_are_enforced() {
        let long_key = format!("{}=1\0", "K".repeat(64));
        assert_eq!(
            TextPairs::parse(long_key.as_bytes()),
            Err(TextError::BadKey)
        );
        let long_val = format!("X-a={}\0", "v".repeat(256));
        assert!(matches!(
            TextPairs::parse(long_val.as_bytes()),
            Err(TextError::ValueTooLong(_))
        ));
        let chap = format!("CHAP_R=0x{}\0", "a".repeat(2000));
        assert!(TextPairs::parse(chap.as_bytes()).is_ok());
        assert!(matches!(
            TextPairs::parse(b"A=1\0A=2\0"),
            Err(TextError::Duplicate(_))
        ));
        let many: String = (0..10_000).map(|i| format!("K{i}=1\0")).collect();
        assert!(matches!(
            TextPairs::parse(many.as_bytes()),
            Err(TextError::TooLong) | Err(TextError::TooManyKeys)
        ));
        let many: String = (0..300).map(|i| format!("K{i}=1\0")).collect();
        assert_eq!(
            TextPairs::parse(many.as_bytes()),
            Err(TextError::TooManyKeys)
        );
        assert_eq!(TextPairs::parse(b"novalue\0"), Err(TextError::NoEquals));
    }

    #[test]
    fn continuation_is_bounded() {
        let mut c = Continuation::default();
        let chunk = vec![b'a'; 8192];
        for _ in 0..8 {
            c.push(&chunk).unwrap();
        }
        assert_eq!(c.push(b"x"), Err(TextError::TooLong));
        assert!(c.is_empty());
    }
}
