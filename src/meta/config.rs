//! `rvm.conf` and `--config STRING` in LVM2's configuration syntax:
//! `section { key = value }`, nested sections, `a/b = value` paths, strings, integers,
//! floats, lists and `#` comments. Known keys are read through typed getters; unknown keys
//! are kept and ignored.

use super::error::{MetaError, MetaResult};
use std::collections::BTreeMap;

/// A configuration value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Section(BTreeMap<String, Node>),
    Value(Value),
}

/// A parsed configuration tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    root: BTreeMap<String, Node>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Punct(char),
}

fn tokenize(s: &str) -> MetaResult<Vec<Tok>> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '#' {
            while chars.next().is_some_and(|c| c != '\n') {}
        } else if "{}[]=,".contains(c) {
            out.push(Tok::Punct(c));
            chars.next();
        } else if c == '"' || c == '\'' {
            chars.next();
            let mut v = String::new();
            loop {
                match chars.next() {
                    None => return Err(MetaError::Config("unterminated string".into())),
                    Some('\\') => {
                        if let Some(n) = chars.next() {
                            v.push(n)
                        }
                    }
                    Some(q) if q == c => break,
                    Some(o) => v.push(o),
                }
            }
            out.push(Tok::Str(v));
        } else {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || "{}[]=,#\"'".contains(c) {
                    break;
                }
                w.push(c);
                chars.next();
            }
            out.push(Tok::Word(w));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn err<T>(&self, what: &str) -> MetaResult<T> {
        Err(MetaError::Config(format!("{what} at token {}", self.at)))
    }

    fn items(&mut self, into: &mut BTreeMap<String, Node>, nested: bool) -> MetaResult<()> {
        loop {
            match self.next() {
                None if !nested => return Ok(()),
                None => return self.err("missing '}'"),
                Some(Tok::Punct('}')) if nested => return Ok(()),
                Some(Tok::Word(key)) => match self.next() {
                    Some(Tok::Punct('=')) => {
                        let v = self.value()?;
                        insert(into, &key, Node::Value(v));
                    }
                    Some(Tok::Punct('{')) => {
                        let mut sec = BTreeMap::new();
                        self.items(&mut sec, true)?;
                        insert(into, &key, Node::Section(sec));
                    }
                    _ => return self.err("expected '=' or '{'"),
                },
                Some(_) => return self.err("expected a key"),
            }
        }
    }

    fn value(&mut self) -> MetaResult<Value> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Value::Str(s)),
            Some(Tok::Word(w)) => Ok(scalar(&w)),
            Some(Tok::Punct('[')) => {
                let mut list = Vec::new();
                loop {
                    match self.peek() {
                        Some(Tok::Punct(']')) => {
                            self.next();
                            return Ok(Value::List(list));
                        }
                        Some(Tok::Punct(',')) => {
                            self.next();
                        }
                        Some(_) => list.push(self.value()?),
                        None => return self.err("missing ']'"),
                    }
                }
            }
            _ => self.err("expected a value"),
        }
    }
}

fn scalar(w: &str) -> Value {
    if let Ok(i) = w.parse::<i64>() {
        Value::Int(i)
    } else if let Ok(f) = w.parse::<f64>() {
        Value::Float(f)
    } else {
        Value::Str(w.to_string())
    }
}

/// Inserts at a `/`-separated path, merging sections.
fn insert(into: &mut BTreeMap<String, Node>, path: &str, node: Node) {
    let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
    let mut map = into;
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            match (map.get_mut(p), node) {
                (Some(Node::Section(old)), Node::Section(new)) => {
                    for (k, v) in new {
                        insert(old, &k, v);
                    }
                }
                (_, node) => {
                    map.insert(p.to_string(), node);
                }
            }
            return;
        }
        let entry = map
            .entry(p.to_string())
            .or_insert_with(|| Node::Section(BTreeMap::new()));
        if !matches!(entry, Node::Section(_)) {
            *entry = Node::Section(BTreeMap::new());
        }
        match entry {
            Node::Section(m) => map = m,
            Node::Value(_) => return,
        }
    }
}

impl Config {
    /// Parses configuration text.
    pub fn parse(text: &str) -> MetaResult<Config> {
        let mut p = Parser {
            toks: tokenize(text)?,
            at: 0,
        };
        let mut root = BTreeMap::new();
        p.items(&mut root, false)?;
        Ok(Config { root })
    }

    /// Overlays `other` on `self` (`--config` over `rvm.conf`).
    pub fn merge(&mut self, other: Config) {
        for (k, v) in other.root {
            insert(&mut self.root, &k, v);
        }
    }

    /// The value at `section/key`.
    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut map = &self.root;
        let mut parts = path.split('/').peekable();
        while let Some(p) = parts.next() {
            match (map.get(p)?, parts.peek().is_none()) {
                (Node::Value(v), true) => return Some(v),
                (Node::Section(m), false) => map = m,
                _ => return None,
            }
        }
        None
    }

    /// An integer setting (floats are truncated, as LVM2 does for integer keys).
    pub fn int(&self, path: &str) -> Option<i64> {
        match self.get(path)? {
            Value::Int(i) => Some(*i),
            Value::Float(f) => Some(*f as i64),
            _ => None,
        }
    }

    /// An integer setting with a default.
    pub fn int_or(&self, path: &str, default: i64) -> i64 {
        self.int(path).unwrap_or(default)
    }

    /// A string setting.
    pub fn str(&self, path: &str) -> Option<&str> {
        match self.get(path)? {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// `activation/snapshot_autoextend_threshold` (100 disables autoextension, as in LVM2).
    pub fn snapshot_autoextend_threshold(&self) -> i64 {
        self.int_or("activation/snapshot_autoextend_threshold", 100)
    }

    /// `activation/snapshot_autoextend_percent` (default 20, as in LVM2).
    pub fn snapshot_autoextend_percent(&self) -> i64 {
        self.int_or("activation/snapshot_autoextend_percent", 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lvm2_syntax() {
        let c = Config::parse(
            r#"
            # comment
            global { activation = 0 units = "g" }
            activation {
                snapshot_autoextend_threshold = 70   # trailing
                volume_list = [ "vg0", "vg1/lv" ]
                nested { ratio = 1.5 }
            }
            backup/retain_min = 3
            "#,
        )
        .unwrap();
        assert_eq!(c.int("global/activation"), Some(0));
        assert_eq!(c.str("global/units"), Some("g"));
        assert_eq!(c.snapshot_autoextend_threshold(), 70);
        assert_eq!(c.snapshot_autoextend_percent(), 20);
        assert_eq!(c.int("backup/retain_min"), Some(3));
        assert_eq!(c.get("activation/nested/ratio"), Some(&Value::Float(1.5)));
        assert!(matches!(c.get("activation/volume_list"), Some(Value::List(l)) if l.len() == 2));
        assert_eq!(c.get("nope/none"), None);
    }

    #[test]
    fn overrides_and_errors() {
        let mut c = Config::parse("backup { retain_min = 10 retain_days = 30 }").unwrap();
        c.merge(Config::parse("backup { retain_min = 2 }").unwrap());
        assert_eq!(c.int("backup/retain_min"), Some(2));
        assert_eq!(c.int("backup/retain_days"), Some(30));
        assert!(Config::parse("a { b = 1").is_err());
        assert!(Config::parse("a = \"x").is_err());
        assert!(Config::parse("= 3").is_err());
    }
}
