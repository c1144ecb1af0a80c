//! `--units` and the way LVM2 prints sizes and percentages (libdm's `dm_size_to_string` and
//! `dm_percent_to_round_float`), so that every size column reads exactly as LVM2 2.03.16's.

use std::fmt::Write;

/// LVM2's default `global/units`: human-readable, with `<` when rounding hides a remainder.
const DEFAULT_UNITS: &str = "r";

/// Sizes are counted in 512-byte sectors, as LVM2 counts them.
const SECTOR: u64 = 512;

/// A parsed `--units` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Units {
    /// The unit letter as LVM2 keeps it (`U` for a custom multiple such as `3m`).
    letter: u8,
    /// Bytes per unit; 0 for the human-readable letters h/H/r/R.
    factor: u64,
}

impl Default for Units {
    fn default() -> Self {
        Units::parse(DEFAULT_UNITS).unwrap_or(Units {
            letter: b'r',
            factor: 0,
        })
    }
}

impl Units {
    /// Parses a `--units` value: an optional number and exactly one unit letter, as LVM2's
    /// strict `dm_units_to_factor` does. `None` means "Invalid units specification".
    pub fn parse(spec: &str) -> Option<Units> {
        let digits = spec
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let (number, unit) = spec.split_at(digits);
        let unit = unit.as_bytes();
        if unit.len() != 1 {
            return None;
        }
        let letter = unit[0];
        let multiplier: u64 = match letter {
            b'h' | b'H' | b'r' | b'R' => return Some(Units { letter, factor: 0 }),
            b'b' | b'B' => 1,
            b's' | b'S' => SECTOR,
            b'k' => 1 << 10,
            b'm' => 1 << 20,
            b'g' => 1 << 30,
            b't' => 1 << 40,
            b'p' => 1 << 50,
            b'e' => 1 << 60,
            b'K' => 1_000,
            b'M' => 1_000_000,
            b'G' => 1_000_000_000,
            b'T' => 1_000_000_000_000,
            b'P' => 1_000_000_000_000_000,
            b'E' => 1_000_000_000_000_000_000,
            _ => return None,
        };
        if number.is_empty() {
            return Some(Units {
                letter,
                factor: multiplier,
            });
        }
        let value: f64 = number.parse().ok()?;
        if value <= 0.0 {
            return None;
        }
        let factor = if value.fract() == 0.0 {
            (value as u64).checked_mul(multiplier)?
        } else {
            (value * multiplier as f64) as u64
        };
        if factor == 0 {
            return None;
        }
        // LVM2 keeps the letter only when the number is 1; any other multiple is a "Unit".
        let letter = if value == 1.0 { letter } else { b'U' };
        Some(Units { letter, factor })
    }

    /// Bytes per unit; 0 for the human-readable letters.
    pub fn factor(&self) -> u64 {
        self.factor
    }
}

/// Which column of libdm's suffix table to print: reports use the one-letter unit, the
/// display commands the short word (` MiB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Unit,
    Short,
}

/// The unit suffixes LVM2 prints, indexed as libdm's `size_str` table: (unit, short).
const BINARY: [(&str, &str); 7] = [
    ("e", " EiB"),
    ("p", " PiB"),
    ("t", " TiB"),
    ("g", " GiB"),
    ("m", " MiB"),
    ("k", " KiB"),
    ("b", " B"),
];
const DECIMAL: [(&str, &str); 6] = [
    ("E", " EB"),
    ("P", " PB"),
    ("T", " TB"),
    ("G", " GB"),
    ("M", " MB"),
    ("K", " kB"),
];
const SPECIAL: [(u8, &str, &str); 3] = [(b'B', "B", " B "), (b'U', "U", " Un"), (b'S', "S", " Se")];

/// Which row of libdm's suffix table a unit letter selects.
#[derive(Clone, Copy)]
enum Base {
    /// h/H/r/R: the unit is chosen per value.
    Human,
    Binary(usize),
    Decimal(usize),
    Special(usize),
}

fn base_of(letter: u8) -> Base {
    if let Some(s) = DECIMAL.iter().position(|u| u.0.as_bytes()[0] == letter) {
        return Base::Decimal(s);
    }
    if let Some(s) = BINARY[..6].iter().position(|u| u.0.as_bytes()[0] == letter) {
        return Base::Binary(s);
    }
    let up = letter.to_ascii_uppercase();
    if let Some(s) = SPECIAL.iter().position(|(c, _, _)| *c == up) {
        return Base::Special(s);
    }
    Base::Human
}

fn pick(pair: (&'static str, &'static str), style: Style) -> &'static str {
    match style {
        Style::Unit => pair.0,
        Style::Short => pair.1,
    }
}

fn suffix_of(base: Base, s: usize, style: Style) -> &'static str {
    match base {
        Base::Human => pick((" ", "   "), style),
        Base::Binary(_) => pick(BINARY[s], style),
        Base::Decimal(_) => pick(DECIMAL[s], style),
        Base::Special(_) => pick((SPECIAL[s].1, SPECIAL[s].2), style),
    }
}

/// Appends `bytes` formatted as LVM2 prints a size column: `20.00m`, `<2.00g`, `512B`, `0 `.
pub fn write_size(out: &mut String, bytes: u64, units: Units, suffix: bool) {
    write_size_styled(out, bytes, units, suffix, Style::Unit);
}

/// Appends `bytes` as libdm's `dm_size_to_string` does, in the given suffix style.
pub fn write_size_styled(out: &mut String, bytes: u64, units: Units, suffix: bool, style: Style) {
    let sectors = bytes / SECTOR;
    let base = base_of(units.letter);
    let index = match base {
        Base::Human => 0,
        Base::Binary(s) | Base::Decimal(s) | Base::Special(s) => s,
    };
    if sectors == 0 {
        out.push('0');
        if suffix {
            out.push_str(suffix_of(base, index, style));
        }
        return;
    }
    let size = sectors * SECTOR;
    let (divisor, unit, prefix, suffix) = match base {
        Base::Human => {
            let decimal = matches!(units.letter, b'H' | b'R');
            let step: u64 = if decimal { 1000 } else { 1024 };
            let mut divisor = step.pow(6);
            let mut s = 0;
            while s < 6 && size < divisor {
                divisor /= step;
                s += 1;
            }
            let unit = match (decimal, s) {
                (true, 6) => (SPECIAL[0].1, SPECIAL[0].2),
                (true, s) => DECIMAL[s],
                (false, s) => BINARY[s],
            };
            let rounded = matches!(units.letter, b'r' | b'R');
            // `<` says the two decimals shown round a larger remainder up.
            let d = 100.0 * size as f64 / divisor as f64;
            let hidden = (d.floor() - d.round_ties_even()).abs() >= f64::EPSILON;
            let prefix = if s < 6 && rounded && hidden { "<" } else { "" };
            (divisor, unit, prefix, true)
        }
        Base::Binary(s) => (units.factor, BINARY[s], "", suffix),
        Base::Decimal(s) => (units.factor, DECIMAL[s], "", suffix),
        Base::Special(s) => (units.factor, (SPECIAL[s].1, SPECIAL[s].2), "", suffix),
    };
    let precision = if matches!(unit.0, "B" | "b" | "S") {
        0
    } else {
        2
    };
    let value = size as f64 / divisor as f64;
    let _ = write!(out, "{prefix}{value:.precision$}");
    if suffix {
        out.push_str(pick(unit, style));
    }
}

/// LVM2's fixed-point percentage: millionths of a percent (`dm_percent_t`).
const PERCENT_1: i64 = 1_000_000;
const PERCENT_100: i64 = 100 * PERCENT_1;

/// Appends a percentage as LVM2 prints Data%/Snap%: two decimals, never showing 0.00 for a
/// store that holds anything nor 100.00 for one that is not quite full.
pub fn write_percent(out: &mut String, percent: f64) {
    let fixed = percent_fixed(percent);
    // libdm computes in single precision; doing the same keeps the last digit identical.
    let mut f = fixed as f32 / PERCENT_1 as f32 + 0.0;
    let r = PERCENT_1 as f32 * 0.01f32;
    if (fixed as f32) < r && fixed > 0 {
        f = 0.01;
    } else if (fixed as f32) > (PERCENT_100 as f32 - r) && fixed < PERCENT_100 {
        f = (PERCENT_100 as f32 - r) / PERCENT_1 as f32;
    }
    let _ = write!(out, "{:.2}", f as f64);
}

/// Converts a percentage to `dm_percent_t`, keeping 0 and 100 only for the exact values.
pub fn percent_fixed(percent: f64) -> i64 {
    if percent.is_nan() || percent <= 0.0 {
        return 0;
    }
    if percent >= 100.0 {
        return PERCENT_100;
    }
    let fixed = (percent * PERCENT_1 as f64) as i64;
    fixed.clamp(1, PERCENT_100 - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(bytes: u64, units: &str, suffix: bool) -> String {
        let mut s = String::new();
        write_size(&mut s, bytes, Units::parse(units).unwrap(), suffix);
        s
    }

    const MIB: u64 = 1 << 20;

    // Expected strings come from LVM2 2.03.16 `lvs --units U -o lv_name,lv_size` and
    // `pvs --units U` on loop devices (LVs of 20 MiB, 5 MiB, 2043 MiB; a 99999744-byte PV;
    // a full PV with PFree 0).
    #[test]
    fn matches_lvm2_size_strings() {
        assert_eq!(size(20 * MIB, "r", true), "20.00m");
        assert_eq!(size(2043 * MIB, "r", true), "<2.00g");
        assert_eq!(size(2043 * MIB, "h", true), "2.00g");
        assert_eq!(size(99_999_744, "r", true), "<95.37m");
        assert_eq!(size(99_999_744, "h", true), "95.37m");
        assert_eq!(size(96468992, "R", true), "<96.47M");
        assert_eq!(size(3071 * MIB, "r", true), "<3.00g");
        assert_eq!(size(2043 * MIB, "b", true), "2142240768B");
        assert_eq!(size(2043 * MIB, "B", true), "2142240768B");
        assert_eq!(size(2043 * MIB, "s", true), "4184064S");
        assert_eq!(size(2043 * MIB, "k", true), "2092032.00k");
        assert_eq!(size(2043 * MIB, "K", true), "2142240.77K");
        assert_eq!(size(5 * MIB, "g", true), "0.00g");
        assert_eq!(size(5 * MIB, "G", true), "0.01G");
        assert_eq!(size(2043 * MIB, "3m", true), "681.00U");
        assert_eq!(size(20 * MIB, "3m", true), "6.67U");
        assert_eq!(size(2043 * MIB, "b", false), "2142240768");
        assert_eq!(size(20 * MIB, "m", false), "20.00");
        // Human units keep their suffix even with --nosuffix, as LVM2 does.
        assert_eq!(size(20 * MIB, "r", false), "20.00m");
    }

    #[test]
    fn zero_sizes_match_lvm2() {
        assert_eq!(size(0, "r", true), "0 ");
        assert_eq!(size(0, "h", true), "0 ");
        assert_eq!(size(0, "H", true), "0 ");
        assert_eq!(size(0, "b", true), "0B");
        assert_eq!(size(0, "k", true), "0k");
        assert_eq!(size(0, "m", true), "0m");
        assert_eq!(size(0, "g", true), "0g");
        assert_eq!(size(0, "r", false), "0");
    }

    #[test]
    fn short_style_matches_lvm2_display() {
        let short = |bytes: u64, units: &str| {
            let mut s = String::new();
            write_size_styled(
                &mut s,
                bytes,
                Units::parse(units).unwrap(),
                true,
                Style::Short,
            );
            s
        };
        // From `pvdisplay`, `vgdisplay` and `pvdisplay --units b` of LVM2 2.03.16.
        assert_eq!(short(100 * MIB, "r"), "100.00 MiB");
        assert_eq!(short(3071 * MIB, "r"), "<3.00 GiB");
        assert_eq!(short(4 << 10, "r"), "4.00 KiB");
        assert_eq!(short(0, "r"), "0   ");
        assert_eq!(short(100 * MIB, "b"), "104857600 B ");
        assert_eq!(short(3071 * MIB, "m"), "3071.00 MiB");
    }

    #[test]
    fn rejects_bad_units() {
        for bad in ["", "x", "mm", "1.5", "0m", "-1m"] {
            assert!(Units::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(Units::parse("b").unwrap().factor(), 1);
        assert_eq!(Units::parse("3m").unwrap().factor(), 3 << 20);
    }

    #[test]
    fn percentages_round_like_libdm() {
        let p = |v: f64| {
            let mut s = String::new();
            write_percent(&mut s, v);
            s
        };
        assert_eq!(p(0.0), "0.00");
        assert_eq!(p(0.0001), "0.01");
        assert_eq!(p(12.5), "12.50");
        assert_eq!(p(99.999), "99.99");
        assert_eq!(p(100.0), "100.00");
    }
}
