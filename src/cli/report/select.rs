//! `-S/--select`: LVM2's selection language. Comparisons `=`, `!=`, `=~`, `!~`, `<`, `<=`,
//! `>`, `>=` (and `since`/`after`/`until`/`before` for times), joined by `&&`/`,` and
//! `||`/`#`, negated by `!`, grouped by parentheses; lists as `[a,b]` (exact) and `{a,b}`
//! (subset). Sizes take unit letters (MiB by default), percentages a `%`.

use super::ctx::{Key, UNDEF};
use super::fields::{VType, FIELDS};
use super::options::{column_for, lookup, Base, Column, FieldRef, Special};
use super::units::{percent_fixed, Units};
use super::ReportError;
use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Match,
    NoMatch,
}

/// Comparison operators, longer spellings first where one prefixes another.
const OPS: &[(&str, Op)] = &[
    ("=~", Op::Match),
    ("!~", Op::NoMatch),
    ("==", Op::Eq),
    ("=", Op::Eq),
    ("!=", Op::Ne),
    (">=", Op::Ge),
    (">", Op::Gt),
    ("<=", Op::Le),
    ("<", Op::Lt),
    ("since", Op::Ge),
    ("after", Op::Gt),
    ("until", Op::Le),
    ("before", Op::Lt),
];

#[derive(Debug)]
enum Value {
    Str(String),
    Num(u64),
    /// Bytes, compared as LVM2 compares sizes: as floating point.
    Size(f64),
    /// First and last second of the time named.
    Time(u64, u64),
    /// Items sorted; `all` for `[..]`/`{..}` with `&&`, `subset` for `{..}`.
    List {
        items: Vec<String>,
        all: bool,
        subset: bool,
    },
    Regex(Regex),
}

/// One comparison of a field with a value.
#[derive(Debug)]
pub(super) struct Cond {
    col: usize,
    op: Op,
    value: Value,
}

/// A parsed selection.
#[derive(Debug)]
pub(super) enum Selection {
    Cond(Box<Cond>),
    And(Vec<Selection>),
    Or(Vec<Selection>),
    Not(Box<Selection>),
}

/// What a condition sees of one row's field.
pub(super) struct Cell<'a> {
    pub key: Key<'a>,
    pub text: &'a str,
}

impl Selection {
    /// Whether a row passes; `cell(col)` returns that column's value for the row.
    pub fn matches<'a>(&self, cell: &dyn Fn(usize) -> Cell<'a>) -> bool {
        match self {
            Selection::Cond(c) => c.matches(&cell(c.col)),
            Selection::And(v) => v.iter().all(|s| s.matches(cell)),
            Selection::Or(v) => v.iter().any(|s| s.matches(cell)),
            Selection::Not(s) => !s.matches(cell),
        }
    }
}

fn ord_ok(op: Op, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq => o == Equal,
        Op::Ne => o != Equal,
        Op::Gt => o == Greater,
        Op::Ge => o != Less,
        Op::Lt => o == Less,
        Op::Le => o != Greater,
        Op::Match | Op::NoMatch => false,
    }
}

impl Cond {
    fn matches(&self, cell: &Cell<'_>) -> bool {
        let text = match cell.key {
            Key::Str(s) => s,
            _ => cell.text,
        };
        let ordered = matches!(self.op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
        match (&self.value, cell.key) {
            (Value::Regex(r), _) => r.is_match(text) == (self.op == Op::Match),
            (Value::Str(s), _) => ord_ok(self.op, text.cmp(s)),
            (Value::Num(n), Key::Num(v) | Key::Pct(v) | Key::Time(v)) => {
                // Undefined values never satisfy an ordering, as in LVM2.
                if v == UNDEF && (ordered || matches!(cell.key, Key::Pct(_))) {
                    return false;
                }
                ord_ok(self.op, v.cmp(n))
            }
            (Value::Time(lo, hi), Key::Time(v)) => match self.op {
                Op::Eq => (*lo..=*hi).contains(&v),
                Op::Ne => !(*lo..=*hi).contains(&v),
                Op::Gt => v > *hi,
                Op::Ge => v >= *lo,
                Op::Lt => v < *lo,
                Op::Le => v <= *hi,
                Op::Match | Op::NoMatch => false,
            },
            (Value::Size(s), Key::Size(v)) => {
                if ordered && v == UNDEF {
                    return false;
                }
                ord_ok(self.op, (v as f64).total_cmp(s))
            }
            (Value::List { items, all, subset }, _) => {
                let have: Vec<&str> = if text.is_empty() {
                    Vec::new()
                } else {
                    text.split(',').collect()
                };
                let r = if have.is_empty() {
                    items.iter().any(|i| i.is_empty()) && (!*all || items.len() == 1)
                } else if !*all {
                    items.iter().any(|i| have.contains(&i.as_str()))
                } else if *subset {
                    items.iter().all(|i| have.contains(&i.as_str()))
                } else {
                    let mut sorted = have.clone();
                    sorted.sort_unstable();
                    sorted.len() == items.len() && sorted.iter().zip(items).all(|(a, b)| a == b)
                };
                r == (self.op == Op::Eq)
            }
            _ => false,
        }
    }
}

/// A recursive-descent parser over the selection string.
struct Parser<'s, 'c> {
    s: &'s str,
    pos: usize,
    base: Base,
    cols: &'c mut Vec<Column>,
}

fn syntax(msg: impl Into<String>) -> ReportError {
    ReportError::Selection(msg.into())
}

impl Parser<'_, '_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn skip_space(&mut self) {
        let n = self.rest().len() - self.rest().trim_start().len();
        self.pos += n;
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    fn or_ex(&mut self) -> Result<Selection, ReportError> {
        let mut v = vec![self.and_ex()?];
        while self.eat("||") || self.eat("#") {
            v.push(self.and_ex()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Selection::Or(v)
        })
    }

    fn and_ex(&mut self) -> Result<Selection, ReportError> {
        let mut v = vec![self.ex()?];
        while self.eat("&&") || self.eat(",") {
            v.push(self.ex()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Selection::And(v)
        })
    }

    fn ex(&mut self) -> Result<Selection, ReportError> {
        if self.eat("!") {
            return Ok(Selection::Not(Box::new(self.ex()?)));
        }
        if self.eat("(") {
            let inner = self.or_ex()?;
            if !self.eat(")") {
                return Err(syntax(format!(
                    "Selection syntax error at '{}'.",
                    self.rest()
                )));
            }
            return Ok(inner);
        }
        self.item()
    }

    fn item(&mut self) -> Result<Selection, ReportError> {
        self.skip_space();
        let start = self.pos;
        let len = self
            .rest()
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
            .count();
        if len == 0 {
            return Err(syntax("Expecting field name"));
        }
        self.pos += len;
        let name = &self.s[start..self.pos];
        let field = lookup(self.base, name)
            .ok_or_else(|| ReportError::UnknownSelectField(name.to_owned()))?;
        let vtype = match field {
            FieldRef::Table(i) => FIELDS[i].vtype,
            FieldRef::Special(Special::Selected) => VType::Num,
            FieldRef::Special(Special::Help) => {
                return Err(syntax(format!("Selection field is uncomparable: {name}.")))
            }
        };
        self.skip_space();
        let op = OPS
            .iter()
            .find(|(t, _)| self.rest().starts_with(t))
            .map(|&(t, op)| {
                self.pos += t.len();
                op
            })
            .ok_or_else(|| syntax(format!("Unrecognised comparison operator: {}", self.rest())))?;
        let value = self.value(name, vtype, op)?;
        let col = column_for(self.cols, field);
        Ok(Selection::Cond(Box::new(Cond { col, op, value })))
    }

    /// A string token: quoted, or up to a space, a logical operator or `)`.
    fn string_token(&mut self, stops: &[&str]) -> Result<String, ReportError> {
        self.skip_space();
        let s = self.s;
        let rest = &s[self.pos..];
        if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let body = &rest[1..];
            let end = body.find(q).ok_or_else(|| syntax("Missing end quote."))?;
            self.pos += end + 2;
            return Ok(body[..end].to_owned());
        }
        let mut end = 0;
        while end < rest.len() {
            let r = &rest[end..];
            if r.starts_with(' ') || stops.iter().any(|s| r.starts_with(s)) {
                break;
            }
            end += r.chars().next().map_or(1, char::len_utf8);
        }
        self.pos += end;
        Ok(rest[..end].to_owned())
    }

    fn value(&mut self, field: &str, vtype: VType, op: Op) -> Result<Value, ReportError> {
        const STOPS: &[&str] = &["&&", ",", "||", "#", ")"];
        let ordered = matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
        if matches!(op, Op::Match | Op::NoMatch) {
            if !matches!(vtype, VType::Str | VType::StrList) {
                return Err(syntax(format!(
                    "Operator can be used only with string or string list fields: {field}"
                )));
            }
            let pattern = self.string_token(STOPS)?;
            let re = Regex::new(&pattern).map_err(|_| {
                syntax(format!(
                    "Failed to parse regex value for selection field {field}."
                ))
            })?;
            return Ok(Value::Regex(re));
        }
        if ordered && matches!(vtype, VType::Str | VType::StrList) {
            return Err(syntax(format!(
                "Operator can be used only with number, size, time or percent fields: {field}"
            )));
        }
        match vtype {
            VType::Str => Ok(Value::Str(self.string_token(STOPS)?)),
            VType::StrList => self.list(field),
            VType::Num | VType::Size | VType::Percent => self.number(field, vtype),
            VType::Time => self.time(field),
        }
    }

    fn list(&mut self, field: &str) -> Result<Value, ReportError> {
        self.skip_space();
        let (close, subset) = if self.eat("[") {
            (']', false)
        } else if self.eat("{") {
            ('}', true)
        } else {
            let item = self.string_token(&["&&", ",", "||", "#", ")"])?;
            return Ok(Value::List {
                items: vec![item],
                all: false,
                subset: false,
            });
        };
        let close_s = close.to_string();
        let mut items = Vec::new();
        let mut joiner: Option<bool> = None;
        loop {
            items.push(self.string_token(&["&&", ",", "||", "#", "]", "}"])?);
            self.skip_space();
            if self.eat(&close_s) {
                break;
            }
            let and = if self.eat("&&") || self.eat(",") {
                true
            } else if self.eat("||") || self.eat("#") {
                false
            } else {
                return Err(syntax(format!(
                    "Missing list end for selection field {field}"
                )));
            };
            if joiner.is_some_and(|j| j != and) {
                return Err(syntax(
                    "Only one type of logical operator allowed in selection list at a time.",
                ));
            }
            joiner = Some(and);
        }
        items.sort_unstable();
        Ok(Value::List {
            items,
            all: joiner.unwrap_or(true),
            subset,
        })
    }

    fn number(&mut self, field: &str, vtype: VType) -> Result<Value, ReportError> {
        self.skip_space();
        let bad = || {
            syntax(format!(
                "Failed to parse numeric value for selection field {field}."
            ))
        };
        let rest = self.rest();
        if let Some(r) = rest.strip_prefix("-1") {
            if r.is_empty() || r.starts_with([' ', ')', ',', '&', '|', '#']) {
                self.pos += 2;
                return Ok(Value::Num(UNDEF));
            }
        }
        let mut dot = false;
        let len = rest
            .bytes()
            .take_while(|&b| {
                if b == b'.' && !dot {
                    dot = true;
                    true
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if len == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..len].parse().map_err(|_| bad())?;
        self.pos += len;
        let next = self.rest().chars().next();
        if next == Some('%') {
            self.pos += 1;
            if vtype != VType::Percent {
                return Err(syntax(format!(
                    "Found percent value but {} value expected for selection field {field}.",
                    if vtype == VType::Num {
                        "numeric"
                    } else {
                        "size"
                    }
                )));
            }
            return Ok(Value::Num(percent_fixed(n) as u64));
        }
        let unit = next
            .filter(|c| c.is_ascii_alphabetic())
            .and_then(|c| Units::parse(&c.to_string()).map(|u| (c, u)));
        match (unit, vtype) {
            (Some((c, u)), VType::Size) => {
                self.pos += c.len_utf8();
                Ok(Value::Size(n * unit_bytes(u) as f64))
            }
            (Some(_), _) => Err(syntax(format!(
                "Found size unit specifier but {} value expected for selection field {field}.",
                if vtype == VType::Num {
                    "numeric"
                } else {
                    "percent"
                }
            ))),
            (None, VType::Size) => Ok(Value::Size(n * (1u64 << 20) as f64)),
            (None, VType::Percent) => Ok(Value::Num(percent_fixed(n) as u64)),
            (None, _) => {
                if n.fract() != 0.0 {
                    return Err(bad());
                }
                Ok(Value::Num(n as u64))
            }
        }
    }

    /// Times as `@seconds` since the epoch or a local `YYYY-MM-DD[ HH:MM[:SS]]` (quoted
    /// when it has a time part).
    fn time(&mut self, field: &str) -> Result<Value, ReportError> {
        let tok = self.string_token(&["&&", ",", "||", "#", ")"])?;
        super::time::parse_range(&tok)
            .map(|(lo, hi)| Value::Time(lo, hi))
            .ok_or_else(|| {
                syntax(format!(
                    "Failed to parse time value for selection field {field}."
                ))
            })
    }
}

/// Bytes per unit letter in a selection; LVM2 counts the human letters as single bytes.
fn unit_bytes(u: Units) -> u64 {
    u.factor().max(1)
}

/// Parses `-S`, adding hidden columns for fields the report does not show.
pub(super) fn parse(
    base: Base,
    text: &str,
    cols: &mut Vec<Column>,
) -> Result<Selection, ReportError> {
    let mut p = Parser {
        s: text,
        pos: 0,
        base,
        cols,
    };
    let sel = p.or_ex()?;
    p.skip_space();
    if p.pos != text.len() {
        return Err(syntax(format!(
            "Selection syntax error at '{}'.",
            &text[p.pos..]
        )));
    }
    Ok(sel)
}
