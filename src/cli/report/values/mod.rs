//! The getters behind the field table: each writes one field's text for a row and returns
//! how it sorts. Shared helpers here reproduce LVM2's value conventions (binary words,
//! reserved "undefined" values, sorted tag lists).

pub(super) mod lv;
pub(super) mod pv;
pub(super) mod seg;
pub(super) mod vg;

use super::ctx::{Ctx, Key, UNDEF};
use super::units::write_size;
use std::fmt::Write;

/// The "Unknown" word LVM2 prints for binary and permission fields it cannot determine.
pub(super) const UNKNOWN: &str = "unknown";

/// Text with no special sort value.
pub(super) fn text<'a>(out: &mut String, s: &str) -> Key<'a> {
    out.push_str(s);
    Key::Text
}

/// A string borrowed from the model; sorts and selects on itself.
pub(super) fn string<'a>(out: &mut String, s: &'a str) -> Key<'a> {
    out.push_str(s);
    Key::Str(s)
}

/// An empty string field (LVM2's answer for features rvm does not have: RAID, thin, cache).
pub(super) fn empty<'a>(_: &Ctx<'a>, _: &mut String) -> Key<'a> {
    Key::Text
}

/// An empty string-list field.
pub(super) fn empty_list<'a>(_: &Ctx<'a>, _: &mut String) -> Key<'a> {
    Key::List
}

/// A numeric field whose value is undefined: blank, sorting last.
pub(super) fn undef_num<'a>(_: &Ctx<'a>, _: &mut String) -> Key<'a> {
    Key::Num(UNDEF)
}

/// A signed numeric field whose value is undefined: LVM2 prints `-1`.
pub(super) fn minus_one<'a>(_: &Ctx<'a>, out: &mut String) -> Key<'a> {
    out.push_str("-1");
    Key::Num(UNDEF)
}

/// A percentage that does not apply: blank.
pub(super) fn undef_pct<'a>(_: &Ctx<'a>, _: &mut String) -> Key<'a> {
    Key::Pct(UNDEF)
}

/// A binary field LVM2 cannot determine: `unknown`, or `-1` with `--binary`.
pub(super) fn bin_undef<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    out.push_str(if c.set.binary { "-1" } else { UNKNOWN });
    Key::Num(UNDEF)
}

pub(super) fn num<'a>(out: &mut String, v: u64) -> Key<'a> {
    let _ = write!(out, "{v}");
    Key::Num(v)
}

/// A size in the `--units` chosen.
pub(super) fn size<'a>(c: &Ctx<'a>, out: &mut String, bytes: u64) -> Key<'a> {
    write_size(out, bytes, c.set.units, c.set.suffix);
    Key::Size(bytes)
}

/// A binary field: the word when set and blank otherwise, or 1/0 with `--binary`.
pub(super) fn bin<'a>(c: &Ctx<'a>, out: &mut String, set: bool, word: &str) -> Key<'a> {
    if c.set.binary {
        out.push(if set { '1' } else { '0' });
    } else if set {
        out.push_str(word);
    }
    Key::Num(set as u64)
}

/// A binary field that is never set in rvm (mirror sync, fixed minor, clustering...).
pub(super) fn bin_false<'a>(c: &Ctx<'a>, out: &mut String) -> Key<'a> {
    bin(c, out, false, "")
}

/// Tags, sorted and comma-separated as LVM2 lists them.
pub(super) fn tags<'a>(out: &mut String, tags: &[String]) -> Key<'a> {
    if tags.len() == 1 {
        out.push_str(&tags[0]);
    } else if !tags.is_empty() {
        let mut sorted: Vec<&str> = tags.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        for (i, t) in sorted.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(t);
        }
    }
    Key::List
}
