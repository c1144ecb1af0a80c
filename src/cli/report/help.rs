//! `-o help`: the field list LVM2 prints, section by section, straight from the table.

use super::fields::FIELDS;
use std::fmt::Write;

/// The special fields listed last.
const SPECIAL: [(&str, &str); 3] = [
    ("selected", "Set if item passes selection criteria."),
    ("help", "Show help."),
    ("?", "Show help."),
];

fn header(out: &mut String, desc: &str) {
    let title = format!("{desc} Fields");
    let _ = writeln!(out, "  {title}");
    let _ = writeln!(out, "  {}", "-".repeat(title.len()));
}

/// The text of `-o help`, byte for byte as LVM2 2.03.16 writes it to stderr.
pub(super) fn text() -> String {
    let id_len = FIELDS
        .iter()
        .map(|f| f.id.len())
        .chain(SPECIAL.iter().map(|(id, _)| id.len()))
        .max()
        .unwrap_or(0);
    let mut out = String::with_capacity(24 * 1024);
    let mut last = None;
    for f in FIELDS {
        if last != Some(f.section) {
            if last.is_some() {
                out.push_str("   \n");
            }
            header(&mut out, f.section.desc());
            let all = format!("{}all", f.section.prefix());
            let _ = writeln!(out, "    {all:<id_len$} - All fields in this section.");
            last = Some(f.section);
        }
        let _ = writeln!(out, "    {:<id_len$} - {}", f.id, f.desc);
    }
    out.push_str("   \n");
    header(&mut out, "Special");
    for (id, desc) in SPECIAL {
        let _ = writeln!(out, "    {id:<id_len$} - {desc}");
    }
    out.push_str("   \n");
    out
}
