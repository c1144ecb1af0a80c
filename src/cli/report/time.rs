//! Creation times in local time, formatted as LVM2's default `report/time_format`
//! (`%Y-%m-%d %T %z`), e.g. `2026-11-21 22:47:54 +0000`.

use std::fmt::Write;

/// A broken-down local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LocalTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Offset from UTC in seconds, east positive.
    pub offset: i64,
}

/// Converts seconds since the epoch to local time with the C library's time zone rules,
/// as LVM2 does; `None` for 0 (LVM2 prints nothing for an unknown time) or unrepresentable.
pub(super) fn local_time(ts: u64) -> Option<LocalTime> {
    if ts == 0 {
        return None;
    }
    let t: libc::time_t = ts.try_into().ok()?;
    // SAFETY: `tm` is plain data that localtime_r fully initialises on success, and both
    // pointers are valid for the duration of the call; localtime_r is the re-entrant form.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return None;
        }
        tm
    };
    Some(LocalTime {
        year: tm.tm_year as i64 + 1900,
        month: (tm.tm_mon + 1) as u32,
        day: tm.tm_mday as u32,
        hour: tm.tm_hour as u32,
        minute: tm.tm_min as u32,
        second: tm.tm_sec as u32,
        offset: tm.tm_gmtoff as i64,
    })
}

/// Appends `ts` as `%Y-%m-%d %T %z`; appends nothing for an unknown time.
pub(super) fn write_time(out: &mut String, ts: u64) {
    if let Some(t) = local_time(ts) {
        write_local(out, &t);
    }
}

pub(super) fn write_local(out: &mut String, t: &LocalTime) {
    let sign = if t.offset < 0 { '-' } else { '+' };
    let off = t.offset.unsigned_abs();
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}{:02}{:02}",
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        sign,
        off / 3600,
        (off % 3600) / 60
    );
}

/// Seconds since the epoch of a local date and time, as the C library's `mktime` reads it
/// (daylight saving decided by the zone rules); `None` if the fields are out of range.
pub(super) fn from_local(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
) -> Option<u64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    // SAFETY: `tm` is plain data, fully initialised here (zeroed, then the fields mktime
    // reads); mktime only reads and normalises it through the valid pointer.
    let t = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        tm.tm_year = i32::try_from(year - 1900).ok()?;
        tm.tm_mon = month as i32 - 1;
        tm.tm_mday = day as i32;
        tm.tm_hour = hour as i32;
        tm.tm_min = minute as i32;
        tm.tm_sec = second as i32;
        tm.tm_isdst = -1;
        libc::mktime(&mut tm)
    };
    u64::try_from(t).ok()
}

/// Parses a selection time: `@SECONDS`, or a local `YYYY-MM-DD[ HH:MM[:SS]]`, into the
/// range of seconds it names (a whole day, minute or second), as LVM2 treats partial times.
pub(super) fn parse_range(s: &str) -> Option<(u64, u64)> {
    let s = s.trim();
    if let Some(secs) = s.strip_prefix('@') {
        let t = secs.parse().ok()?;
        return Some((t, t));
    }
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let mut d = date.split('-');
    let year: i64 = d.next()?.parse().ok()?;
    let month: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    if d.next().is_some() {
        return None;
    }
    let Some(time) = time else {
        let start = from_local(year, month, day, 0, 0, 0)?;
        let end = from_local(year, month, day, 23, 59, 59)?;
        return Some((start, end));
    };
    let parts: Vec<u32> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    match parts[..] {
        [h, m] => {
            let start = from_local(year, month, day, h, m, 0)?;
            Some((start, start + 59))
        }
        [h, m, sec] => {
            let t = from_local(year, month, day, h, m, sec)?;
            Some((t, t))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_strftime() {
        let t = LocalTime {
            year: 2026,
            month: 11,
            day: 21,
            hour: 22,
            minute: 47,
            second: 54,
            offset: 0,
        };
        let mut s = String::new();
        write_local(&mut s, &t);
        assert_eq!(s, "2026-11-21 22:47:54 +0000");
        let mut s = String::new();
        write_local(
            &mut s,
            &LocalTime {
                offset: -(5 * 3600 + 30 * 60),
                ..t
            },
        );
        assert_eq!(s, "2026-11-21 22:47:54 -0530");
    }

    #[test]
    fn parses_selection_times() {
        assert_eq!(
            parse_range("@1795301274"),
            Some((1_795_301_274, 1_795_301_274))
        );
        let (s, e) = parse_range("2026-11-21").unwrap();
        assert_eq!(e - s, 86_399);
        let t = local_time(s).unwrap();
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute),
            (2026, 11, 21, 0, 0)
        );
        let (s, e) = parse_range("2026-11-21 22:47").unwrap();
        assert_eq!(e - s, 59);
        let (s, e) = parse_range("2026-11-21 22:47:54").unwrap();
        assert_eq!(s, e);
        let mut text = String::new();
        write_time(&mut text, s);
        assert!(text.starts_with("2026-11-21 22:47:54 "));
        for bad in [
            "",
            "2026",
            "2026-13-01",
            "2026-11-21 25:00",
            "yesterday",
            "@x",
        ] {
            assert!(parse_range(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn zero_is_unknown() {
        let mut s = String::new();
        write_time(&mut s, 0);
        assert_eq!(s, "");
        assert!(local_time(1_795_301_274).is_some());
    }
}
