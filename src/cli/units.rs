//! LVM2's size arguments (`-L 10G`, `-L +512`, `-l 100%FREE`, `-s 4m`) and its human size
//! display (`<10.00 GiB`) for messages.

use super::CliError;
use crate::meta::ops::Extents;

/// Bytes per unit letter; both cases are binary for sizes, as in LVM2's size arguments.
fn unit_bytes(c: char) -> Option<u64> {
    Some(match c.to_ascii_lowercase() {
        'b' => 1,
        's' => 512,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        't' => 1 << 40,
        'p' => 1 << 50,
        'e' => 1 << 60,
        _ => return None,
    })
}

/// A sign in front of a size: absolute, grow by, or shrink by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Absolute,
    Plus,
    Minus,
}

fn split_sign(s: &str) -> (Sign, &str) {
    if let Some(r) = s.strip_prefix('+') {
        (Sign::Plus, r)
    } else if let Some(r) = s.strip_prefix('-') {
        (Sign::Minus, r)
    } else {
        (Sign::Absolute, s)
    }
}

fn bad_size(s: &str) -> CliError {
    CliError::Usage(format!("Invalid argument for --size: {s}"))
}

/// Parses a size with an optional unit (default `default_unit`, e.g. 'm'); returns bytes.
pub fn parse_size(s: &str, default_unit: char) -> Result<(Sign, u64), CliError> {
    let (sign, rest) = split_sign(s.trim());
    let rest = rest
        .strip_suffix("iB")
        .or_else(|| rest.strip_suffix("ib"))
        .unwrap_or(rest);
    let rest = rest
        .strip_suffix(['B', 'b'])
        .filter(|r| r.ends_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or(rest);
    let (num, unit) = match rest.chars().last() {
        Some(c) if c.is_ascii_alphabetic() => (&rest[..rest.len() - 1], c),
        Some(_) => (rest, default_unit),
        None => return Err(bad_size(s)),
    };
    let mult = unit_bytes(unit).ok_or_else(|| bad_size(s))?;
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad_size(s));
    }
    let bytes = if num.contains('.') {
        let v: f64 = num.parse().map_err(|_| bad_size(s))?;
        let b = v * mult as f64;
        if !b.is_finite() || b >= u64::MAX as f64 {
            return Err(bad_size(s));
        }
        b.ceil() as u64
    } else {
        let v: u64 = num.parse().map_err(|_| bad_size(s))?;
        v.checked_mul(mult).ok_or_else(|| bad_size(s))?
    };
    Ok((sign, bytes))
}

/// Parses `-l`: `N`, `N%VG`, `N%FREE`, `N%PVS`, `N%ORIGIN`, with an optional sign.
pub fn parse_extents(s: &str) -> Result<(Sign, Extents), CliError> {
    let bad = || CliError::Usage(format!("Invalid argument for --extents: {s}"));
    let (sign, rest) = split_sign(s.trim());
    let (num, pct) = match rest.split_once('%') {
        Some((n, p)) => (n, Some(p)),
        None => (rest, None),
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    let e = match pct.map(str::to_ascii_uppercase).as_deref() {
        None => Extents::Count(n),
        Some("VG") => Extents::PercentVg(n),
        Some("FREE") => Extents::PercentFree(n),
        Some("PVS") => Extents::PercentPvs(n),
        Some("ORIGIN") => Extents::PercentOrigin(n),
        Some(_) => return Err(bad()),
    };
    if pct.is_some() && (n == 0 || n > 100) && !matches!(e, Extents::PercentOrigin(_)) {
        return Err(bad());
    }
    Ok((sign, e))
}

/// LVM2's human size: two decimals in the largest binary unit, `<` when rounded up.
pub fn display_size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes == 0 {
        return "0   ".into();
    }
    if bytes < 1024 {
        return format!("{bytes} {}", UNITS[0]);
    }
    let mut unit = 0;
    let mut div = 1u64;
    while unit + 1 < UNITS.len() && bytes >= div * 1024 {
        div *= 1024;
        unit += 1;
    }
    let value = bytes as f64 / div as f64;
    let shown = (value * 100.0).round() / 100.0;
    let prefix = if shown > value + f64::EPSILON {
        "<"
    } else {
        ""
    };
    format!("{prefix}{shown:.2} {}", UNITS[unit])
}

/// Parses `y|n` answers to `-a`, `-k`, `-x`, `-Z` (LVM2 also takes `ey`, `ly`, `sy`).
pub fn parse_yes_no(opt: &str, s: &str) -> Result<bool, CliError> {
    match s.to_ascii_lowercase().as_str() {
        "y" | "yes" | "ey" | "ly" | "sy" | "ay" => Ok(true),
        "n" | "no" | "en" | "ln" | "sn" | "an" => Ok(false),
        _ => Err(CliError::Usage(format!("Invalid argument for {opt}: {s}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10G", 'm').unwrap(), (Sign::Absolute, 10 << 30));
        assert_eq!(parse_size("10g", 'm').unwrap(), (Sign::Absolute, 10 << 30));
        assert_eq!(parse_size("+512", 'm').unwrap(), (Sign::Plus, 512 << 20));
        assert_eq!(parse_size("-1.5k", 'm').unwrap(), (Sign::Minus, 1536));
        assert_eq!(parse_size("4MiB", 'm').unwrap(), (Sign::Absolute, 4 << 20));
        assert_eq!(parse_size("8s", 'm').unwrap(), (Sign::Absolute, 4096));
        for bad in ["", "G", "1x", "abc", "1..2G", "99999999999999999999"] {
            assert!(parse_size(bad, 'm').is_err(), "{bad}");
        }
    }

    #[test]
    fn extents() {
        assert_eq!(
            parse_extents("10").unwrap(),
            (Sign::Absolute, Extents::Count(10))
        );
        assert_eq!(
            parse_extents("+100%FREE").unwrap(),
            (Sign::Plus, Extents::PercentFree(100))
        );
        assert_eq!(
            parse_extents("50%vg").unwrap(),
            (Sign::Absolute, Extents::PercentVg(50))
        );
        assert!(parse_extents("101%VG").is_err());
        assert!(parse_extents("10%XY").is_err());
    }

    #[test]
    fn display() {
        assert_eq!(display_size(1 << 30), "1.00 GiB");
        assert_eq!(display_size((10 << 30) - (4 << 20)), "<10.00 GiB");
        assert_eq!(display_size(4 << 20), "4.00 MiB");
        assert_eq!(display_size(512), "512 B");
    }
}
