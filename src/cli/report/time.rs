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
    fn zero_is_unknown() {
        let mut s = String::new();
        write_time(&mut s, 0);
        assert_eq!(s, "");
        assert!(local_time(1_795_301_274).is_some());
    }
}
