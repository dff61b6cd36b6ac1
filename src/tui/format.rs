//! How times are written on screen. Pure functions of the instant given, never of the clock.

use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// The access token's time left: `29:41`, `1h 02m`, `2d 03h`, `expired`, `—` (none).
pub fn countdown(expires_at: Option<Timestamp>, now: Timestamp) -> String {
    let Some(at) = expires_at else {
        return "—".into();
    };
    let secs = at.duration_since(now).as_secs();
    if secs <= 0 {
        return "expired".into();
    }
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h) {
        (0, 0) => format!("{m:02}:{s:02}"),
        (0, _) => format!("{h}h {m:02}m"),
        _ => format!("{d}d {h:02}h"),
    }
}

/// The refresh token's days left: `30d`, `<1d`, `expired`, `?` (not told), `—` (none).
pub fn refresh_left(has_refresh: bool, expires_at: Option<Timestamp>, now: Timestamp) -> String {
    match (has_refresh, expires_at) {
        (false, _) => "—".into(),
        (true, None) => "?".into(),
        (true, Some(at)) => {
            let secs = at.duration_since(now).as_secs();
            match secs {
                ..=0 => "expired".into(),
                1..86_400 => "<1d".into(),
                _ => format!("{}d", secs / 86_400),
            }
        }
    }
}

/// The fraction of the access token's life still left, 0.0 to 1.0.
pub fn fraction_left(obtained_at: Timestamp, expires_at: Timestamp, now: Timestamp) -> f64 {
    let life = expires_at.duration_since(obtained_at).as_secs_f64();
    if life <= 0.0 {
        return 0.0;
    }
    (expires_at.duration_since(now).as_secs_f64() / life).clamp(0.0, 1.0)
}

/// A bar of `width` cells; any time left shows at least one filled cell.
pub fn bar(fraction: f64, width: usize) -> String {
    // A fraction in 0..=1 of a cell count that fits a terminal row: no cast can wrap.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "fraction is clamped to 0..=1 and width is a screen's columns"
    )]
    let mut filled = (fraction * width as f64).round() as usize;
    if fraction > 0.0 {
        filled = filled.max(1);
    }
    let filled = filled.min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// `4:59`: a short wait, minutes and seconds.
pub fn wait(left: SignedDuration) -> String {
    let secs = left.as_secs().max(0);
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// `2026-11-28 12:00:00 UTC`.
pub fn utc(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `2026-11-28 13:00:00 CET (12:00:00 UTC)`: local time first, since that is what the user
/// reads by, UTC beside it for logs and Zendesk. The UTC part carries the date only when it
/// differs; in a zone at UTC it is said once.
pub fn local_and_utc(at: Timestamp, tz: &TimeZone) -> String {
    let local = at.to_zoned_datetime(tz.clone());
    if local.offset() == Offset::UTC {
        return utc(at);
    }
    let utc_time = at.to_zoned_datetime(TimeZone::UTC);
    let utc_part = if utc_time.date() == local.date() {
        utc_time.strftime("%H:%M:%S UTC")
    } else {
        utc_time.strftime("%m-%d %H:%M:%S UTC")
    };
    format!("{} ({utc_part})", local.strftime("%Y-%m-%d %H:%M:%S %Z"))
}

/// `12:00:00`, the header clock.
pub fn clock(now: Timestamp) -> String {
    now.strftime("%H:%M:%S").to_string()
}

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// The spinner frame for this second: it turns with the tick, and is stable in snapshots.
pub fn spinner(now: Timestamp) -> char {
    let frames = i64::try_from(SPINNER.len()).unwrap_or(1);
    SPINNER[usize::try_from(now.as_second().rem_euclid(frames)).unwrap_or(0)]
}

/// Seconds left, negative once past.
pub fn left(expires_at: Timestamp, now: Timestamp) -> SignedDuration {
    expires_at.duration_since(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn countdowns() {
        let now = t("2026-11-28T12:00:00Z");
        let at = |secs: i64| Some(now + SignedDuration::from_secs(secs));
        assert_eq!(countdown(at(29 * 60 + 41), now), "29:41");
        assert_eq!(countdown(at(41), now), "00:41");
        assert_eq!(countdown(at(3600 + 120), now), "1h 02m");
        assert_eq!(countdown(at(2 * 86_400 + 3 * 3600), now), "2d 03h");
        assert_eq!(countdown(at(0), now), "expired");
        assert_eq!(countdown(None, now), "—");
        assert_eq!(refresh_left(true, at(30 * 86_400 + 5), now), "30d");
        assert_eq!(refresh_left(true, at(5), now), "<1d");
        assert_eq!(refresh_left(true, at(-5), now), "expired");
        assert_eq!(refresh_left(true, None, now), "?");
        assert_eq!(refresh_left(false, at(5), now), "—");
        assert_eq!(wait(SignedDuration::from_secs(299)), "4:59");
        assert_eq!(wait(SignedDuration::from_secs(5)), "0:05");
        assert_eq!(wait(SignedDuration::from_secs(-3)), "0:00");
    }

    #[test]
    fn local_times_say_utc_too() {
        let at = t("2026-11-28T09:15:03Z");
        let berlin = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(
            local_and_utc(at, &berlin),
            "2026-11-28 10:15:03 CET (09:15:03 UTC)"
        );
        let late = t("2026-11-28T23:30:00Z");
        assert_eq!(
            local_and_utc(late, &berlin),
            "2026-11-29 00:30:00 CET (11-28 23:30:00 UTC)"
        );
        assert_eq!(local_and_utc(at, &TimeZone::UTC), "2026-11-28 09:15:03 UTC");
    }

    #[test]
    fn bars() {
        assert_eq!(bar(1.0, 5), "█████");
        assert_eq!(bar(0.5, 4), "██░░");
        assert_eq!(bar(0.01, 5), "█░░░░");
        assert_eq!(bar(0.0, 3), "░░░");
    }
}
