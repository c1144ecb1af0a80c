//! Printing an evaluated report as LVM2 does: aligned columns (numbers right-aligned), a
//! separator, `--nameprefixes`, `--rows`, or JSON; every line indented by two spaces.

use super::rows::Table;
use std::io::Write;

/// LVM2 prints each report line through its logger, which indents by two spaces.
const INDENT: &str = "  ";

/// How to lay out a basic (non-JSON) report.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub headings: bool,
    pub aligned: bool,
    pub separator: String,
    pub prefixes: bool,
    pub quoted: bool,
    pub rows: bool,
}

/// Widths of the visible columns: the table's minimum, widened by every value shown.
fn widths(t: &Table<'_>, visible: &[usize]) -> Vec<usize> {
    visible
        .iter()
        .map(|&c| {
            t.order
                .iter()
                .map(|&r| t.text(r, c).len())
                .fold(t.cols[c].field.width(), usize::max)
        })
        .collect()
}

fn visible(t: &Table<'_>) -> Vec<usize> {
    (0..t.cols.len()).filter(|&c| !t.cols[c].hidden).collect()
}

/// Appends `s` padded to `width` (and cut to it, as `%-*.*s` does).
fn pad(line: &mut String, s: &str, width: usize, right: bool) {
    let s = if s.len() > width {
        s.get(..width).unwrap_or(s)
    } else {
        s
    };
    let fill = width - s.len();
    if right {
        line.extend(std::iter::repeat_n(' ', fill));
        line.push_str(s);
    } else {
        line.push_str(s);
        line.extend(std::iter::repeat_n(' ', fill));
    }
}

fn push_value(line: &mut String, t: &Table<'_>, row: usize, col: usize, l: &Layout) {
    let v = t.text(row, col);
    if l.prefixes {
        line.push_str("LVM2_");
        line.extend(
            t.cols[col]
                .field
                .id()
                .chars()
                .map(|c| c.to_ascii_uppercase()),
        );
        line.push('=');
        if l.quoted {
            line.push('\'');
        }
        line.push_str(v);
        if l.quoted {
            line.push('\'');
        }
    } else {
        line.push_str(v);
    }
}

/// Writes a basic report. Nothing at all is printed when no row is selected.
pub(super) fn basic(out: &mut dyn Write, t: &Table<'_>, l: &Layout) -> std::io::Result<()> {
    if t.order.is_empty() {
        return Ok(());
    }
    let vis = visible(t);
    let mut buf = String::with_capacity(64 * (t.order.len() + 1));
    if l.rows {
        for &c in &vis {
            buf.push_str(INDENT);
            if l.headings {
                buf.push_str(t.cols[c].field.heading());
                buf.push_str(&l.separator);
            }
            for (i, &r) in t.order.iter().enumerate() {
                if i > 0 {
                    buf.push_str(&l.separator);
                }
                push_value(&mut buf, t, r, c, l);
            }
            buf.push('\n');
        }
        return out.write_all(buf.as_bytes());
    }
    let aligned = l.aligned && !l.prefixes;
    let w = if aligned { widths(t, &vis) } else { Vec::new() };
    if l.headings {
        buf.push_str(INDENT);
        for (i, &c) in vis.iter().enumerate() {
            if i > 0 {
                buf.push_str(&l.separator);
            }
            let h = t.cols[c].field.heading();
            if aligned {
                pad(&mut buf, h, w[i], false);
            } else {
                buf.push_str(h);
            }
        }
        buf.push('\n');
    }
    for &r in &t.order {
        buf.push_str(INDENT);
        for (i, &c) in vis.iter().enumerate() {
            if i > 0 {
                buf.push_str(&l.separator);
            }
            if aligned {
                pad(
                    &mut buf,
                    t.text(r, c),
                    w[i],
                    t.cols[c].field.right_aligned(),
                );
            } else {
                push_value(&mut buf, t, r, c, l);
            }
        }
        buf.push('\n');
        if buf.len() > 1 << 16 {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())
}

/// Appends a JSON string body; LVM2 escapes only the double quote.
fn push_json_str(line: &mut String, s: &str) {
    for ch in s.chars() {
        if ch == '"' {
            line.push('\\');
        }
        line.push(ch);
    }
}

/// Writes LVM2's JSON: `{"report": [{"<name>": [{...}, ...]}]}`, one object per line,
/// indented four spaces a level under the logger's two.
pub(super) fn json(out: &mut dyn Write, t: &Table<'_>, name: &str) -> std::io::Result<()> {
    let vis = visible(t);
    let mut buf = String::with_capacity(128 * (t.order.len() + 8));
    buf.push_str("  {\n      \"report\": [\n          {\n              \"");
    buf.push_str(name);
    buf.push_str("\": [\n");
    let last = t.order.len().saturating_sub(1);
    for (i, &r) in t.order.iter().enumerate() {
        buf.push_str("                  {");
        for (j, &c) in vis.iter().enumerate() {
            if j > 0 {
                buf.push_str(", ");
            }
            buf.push('"');
            buf.push_str(t.cols[c].field.id());
            buf.push_str("\":\"");
            push_json_str(&mut buf, t.text(r, c));
            buf.push('"');
        }
        buf.push('}');
        if i != last {
            buf.push(',');
        }
        buf.push('\n');
        if buf.len() > 1 << 16 {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    buf.push_str("              ]\n          }\n      ]\n  }\n");
    out.write_all(buf.as_bytes())
}
