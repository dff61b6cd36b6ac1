//! When keep-alive refreshes a pair, and whether the refresh kept the grant: pure rules, the
//! time passed in, so each is tested at a fixed clock.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::expiry::saturating_after;
use crate::vault::Tokens;

/// Zendesk's shortest refresh lifetime (its bound is "more than 7 days"): a pair stored
/// without a refresh expiry lapses no sooner than this after it was obtained, so keep-alive
/// schedules it as if it lapsed then. Too early costs one refresh; too late, the grant.
pub(crate) const SHORTEST_REFRESH_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);

/// After this many failed tries in a row, the user is told; keep-alive goes on trying.
pub(crate) const TRIES_BEFORE_WARNING: u32 = 3;
/// The pause after the first failure, doubled after each further one up to the longest.
const FIRST_RETRY: SignedDuration = SignedDuration::from_secs(30);
const LONGEST_RETRY: SignedDuration = SignedDuration::from_mins(30);

/// When the pair's refresh token lapses, and whether that was stored (else assumed).
pub(crate) fn lapses_at(tokens: &Tokens) -> (Timestamp, bool) {
    match tokens.refresh_expires_at {
        Some(at) => (at, true),
        None => (
            saturating_after(tokens.obtained_at, SHORTEST_REFRESH_LIFETIME),
            false,
        ),
    }
}

/// When keep-alive refreshes the pair: once it has less than `keepalive` left, but never
/// before half its refresh lifetime is gone. Without that floor a `keepalive` as long as the
/// lifetime (the default 7 days against a 7-day client) would rotate the pair again the
/// moment each refresh stored it; `expiry::schedule` has the same rule for access tokens.
pub(crate) fn due_at(tokens: &Tokens, keepalive: Duration) -> Timestamp {
    let (lapse, _) = lapses_at(tokens);
    let lifetime = lapse
        .duration_since(tokens.obtained_at)
        .max(SignedDuration::ZERO);
    let keepalive = SignedDuration::try_from(keepalive).unwrap_or(SignedDuration::MAX);
    saturating_after(lapse, -keepalive.min(lifetime / 2))
}

/// What a refresh did to the grant's lapse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kept {
    /// The refresh expiry moved forward: the refresh lifetime started again.
    Extended,
    /// It did not (or barely): Zendesk may cap a chain of refreshes, which its docs neither
    /// say nor deny, so this is checked on every refresh, never assumed either way.
    NotExtended,
    /// The new pair came without a refresh expiry (and tokens/current.json did not tell).
    Unknown,
}

/// A refresh that restarts the lifetime moves the expiry forward by as long as the spent
/// token had lived; one that moves it by less than half of that did not restart it (a capped
/// chain moves it by nothing, give or take the server's rounding to whole seconds).
pub(crate) fn kept(before: &Tokens, after: &Tokens, now: Timestamp) -> Kept {
    let Some(new) = after.refresh_expires_at else {
        return Kept::Unknown;
    };
    let (old, _) = lapses_at(before);
    let lived = now
        .duration_since(before.obtained_at)
        .max(SignedDuration::ZERO);
    if new.duration_since(old) > lived / 2 {
        Kept::Extended
    } else {
        Kept::NotExtended
    }
}

/// When to try again after `failures` failed tries in a row (at least one).
pub(crate) fn retry_at(now: Timestamp, failures: u32) -> Timestamp {
    let doublings = failures.saturating_sub(1).min(16);
    let pause = FIRST_RETRY
        .saturating_mul(1 << doublings)
        .min(LONGEST_RETRY);
    saturating_after(now, pause)
}

/// A time as people read it: to the second, UTC.
pub(crate) fn shown(at: Timestamp) -> String {
    Timestamp::from_second(at.as_second()).map_or_else(|_| at.to_string(), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expiry::ExpirySource;
    use crate::secret::Secret;

    const DAY: i64 = 86_400;

    fn now() -> Timestamp {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn at(secs: i64) -> Timestamp {
        now() + SignedDuration::from_secs(secs)
    }

    /// A pair obtained `age` seconds ago whose refresh token lapses `left` from now.
    fn pair(age: i64, left: Option<i64>) -> Tokens {
        Tokens {
            access_token: Secret::new("a"),
            refresh_token: Some(Secret::new("r")),
            token_type: "bearer".into(),
            scopes: vec![],
            obtained_at: at(-age),
            expires_at: Some(at(-age + 1800)),
            expiry_source: ExpirySource::Server,
            refresh_expires_at: left.map(at),
        }
    }

    #[test]
    fn due_once_less_than_keepalive_is_left() {
        let week = Duration::from_secs(7 * 86_400);
        // 30 days of life, obtained 20 days ago: due 7 days before the end.
        assert_eq!(due_at(&pair(20 * DAY, Some(10 * DAY)), week), at(3 * DAY));
        assert_eq!(due_at(&pair(25 * DAY, Some(5 * DAY)), week), at(-2 * DAY));
    }

    #[test]
    fn never_due_before_half_the_refresh_lifetime() {
        // A 10-day lifetime with a 7-day keepalive: due at 5 days, not at 3.
        let week = Duration::from_secs(7 * 86_400);
        assert_eq!(due_at(&pair(0, Some(10 * DAY)), week), at(5 * DAY));
        // A keepalive longer than the lifetime does not make a fresh pair due.
        let fresh = pair(0, Some(16));
        assert_eq!(due_at(&fresh, Duration::from_secs(3600)), at(8));
        assert_eq!(due_at(&fresh, Duration::MAX), at(8));
    }

    #[test]
    fn a_pair_without_refresh_expiry_is_taken_to_lapse_after_seven_days() {
        let unknown = pair(2 * DAY, None);
        assert_eq!(lapses_at(&unknown), (at(5 * DAY), false));
        // Half of the assumed 7 days, as keepalive (7 days) is no shorter.
        let week = Duration::from_secs(7 * 86_400);
        assert_eq!(due_at(&unknown, week), at(DAY + DAY / 2));
        assert_eq!(
            due_at(&unknown, Duration::from_secs(DAY as u64)),
            at(4 * DAY)
        );
    }

    #[test]
    fn a_refresh_that_does_not_move_the_expiry_is_told_apart() {
        let before = pair(8, Some(8));
        // Restarted: 16 s from now, 8 s later than before.
        assert_eq!(kept(&before, &pair(0, Some(16)), now()), Kept::Extended);
        // Capped: the same expiry, or one second off from rounding.
        assert_eq!(kept(&before, &pair(0, Some(8)), now()), Kept::NotExtended);
        assert_eq!(kept(&before, &pair(0, Some(9)), now()), Kept::NotExtended);
        assert_eq!(kept(&before, &pair(0, Some(2)), now()), Kept::NotExtended);
        assert_eq!(kept(&before, &pair(0, None), now()), Kept::Unknown);
        // Real lifetimes: 23 days lived, 30 days new.
        let old = pair(23 * DAY, Some(7 * DAY));
        assert_eq!(kept(&old, &pair(0, Some(30 * DAY)), now()), Kept::Extended);
    }

    #[test]
    fn retries_back_off_and_stay_bounded() {
        assert_eq!(retry_at(now(), 1), at(30));
        assert_eq!(retry_at(now(), 2), at(60));
        assert_eq!(retry_at(now(), 3), at(120));
        assert_eq!(retry_at(now(), 40), at(1800));
        assert_eq!(retry_at(now(), u32::MAX), at(1800));
    }
}
