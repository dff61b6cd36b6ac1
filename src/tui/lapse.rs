//! The refresh token's cliff: a grant whose refresh token runs out unused is gone, and only a
//! browser login brings it back. How close each grant is to that, by `settings.keepalive`
//! (the agent refreshes a grant once it has less than that left) and a fixed 3-day rule that
//! holds even with keep-alive off. Pure functions of the instant given, never of the clock.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::row::{ConnState, Row};

/// Under this much left a grant is about to lapse, whatever `keepalive` says: a weekend away
/// from the machine loses it.
pub const IMMINENT: SignedDuration = SignedDuration::from_hours(72);

/// How close a live refresh token is to running out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lapse {
    /// Under [`IMMINENT`] left.
    Imminent,
    /// Under `keepalive` left: what keep-alive is there to catch.
    Soon,
}

/// `None`: far enough away, already expired (the column says so), or not known.
pub fn lapse(left: SignedDuration, keepalive: Duration) -> Option<Lapse> {
    if left <= SignedDuration::ZERO {
        return None;
    }
    if left < IMMINENT {
        return Some(Lapse::Imminent);
    }
    // keepalive = "0s" turns keep-alive off: only the 3-day rule is left.
    let keepalive = SignedDuration::try_from(keepalive).unwrap_or(SignedDuration::MAX);
    (left < keepalive).then_some(Lapse::Soon)
}

/// How far ahead the header counts lapsing grants: `keepalive`, but never less than the
/// 3-day rule, so the count is exactly the rows the list marks.
pub fn window(keepalive: Duration) -> Duration {
    let imminent = Duration::from_secs(IMMINENT.as_secs().unsigned_abs());
    keepalive.max(imminent)
}

/// `7d`, `36h`, `90m`, `45s`: the window as the user wrote it, in its largest whole unit.
pub fn short(window: Duration) -> String {
    let secs = window.as_secs();
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

impl Row {
    /// Time left on a refresh token that can still be used: none stored, its expiry not
    /// told, or Zendesk already refused it (only a login helps then) give `None`.
    pub fn refresh_left(&self, now: Timestamp) -> Option<SignedDuration> {
        if self.data.login_required || self.state == ConnState::LoginRequired {
            return None;
        }
        let tokens = self.data.tokens.as_ref().filter(|t| t.has_refresh_token)?;
        tokens.refresh_expires_at.map(|at| at.duration_since(now))
    }

    pub fn lapse(&self, now: Timestamp, keepalive: Duration) -> Option<Lapse> {
        self.refresh_left(now)
            .and_then(|left| lapse(left, keepalive))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const WEEK: Duration = Duration::from_secs(7 * 86_400);

    fn left(secs: i64) -> SignedDuration {
        SignedDuration::from_secs(secs)
    }

    #[test]
    fn the_boundaries_of_keepalive_and_of_three_days() {
        assert_eq!(lapse(left(7 * DAY + 1), WEEK), None, "just over keepalive");
        assert_eq!(
            lapse(left(7 * DAY), WEEK),
            None,
            "exactly keepalive is not less"
        );
        assert_eq!(lapse(left(7 * DAY - 1), WEEK), Some(Lapse::Soon));
        assert_eq!(lapse(left(3 * DAY), WEEK), Some(Lapse::Soon));
        assert_eq!(lapse(left(3 * DAY - 1), WEEK), Some(Lapse::Imminent));
        assert_eq!(lapse(left(1), WEEK), Some(Lapse::Imminent));
        assert_eq!(lapse(left(0), WEEK), None, "expired: the column says so");
        assert_eq!(lapse(left(-DAY), WEEK), None);
    }

    #[test]
    fn keepalive_off_leaves_only_the_three_day_rule() {
        let off = Duration::ZERO;
        assert_eq!(lapse(left(6 * DAY), off), None);
        assert_eq!(lapse(left(3 * DAY), off), None);
        assert_eq!(lapse(left(3 * DAY - 1), off), Some(Lapse::Imminent));
        assert_eq!(window(off), Duration::from_secs(3 * 86_400));
        assert_eq!(window(WEEK), WEEK);
        // A keepalive shorter than 3 days: the 3-day rule still marks, and is counted.
        assert_eq!(
            lapse(left(2 * DAY), Duration::from_secs(3600)),
            Some(Lapse::Imminent)
        );
        assert_eq!(
            window(Duration::from_secs(3600)),
            Duration::from_secs(3 * 86_400)
        );
    }

    #[test]
    fn windows_read_as_written() {
        assert_eq!(short(WEEK), "7d");
        assert_eq!(short(Duration::from_secs(36 * 3600)), "36h");
        assert_eq!(short(Duration::from_secs(90 * 60)), "90m");
        assert_eq!(short(Duration::from_secs(45)), "45s");
        assert_eq!(short(Duration::from_secs(86_401)), "86401s");
    }
}
