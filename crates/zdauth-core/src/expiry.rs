//! When a token expires, where zdauth learned it, and when a pair is due for a refresh: the one
//! rule every door (`token`, `export`, `copy`, `exec`, `status`, the TUI) goes by.
//!
//! Zendesk leaves `expires_in` out of a token answer unless the request sent it, and a
//! refresh token unused for 30 days lapses, so a pair that came with a refresh token is never
//! taken as valid forever. Every number a server sends is clamped before it meets the clock:
//! `Timestamp + SignedDuration` panics on overflow, and a panic after the refresh token was
//! spent would lose the grant.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::config::{Connection, Grant, Kind};
use crate::vault::Tokens;

/// Zendesk's default access token lifetime, asked for when the connection names none.
pub(crate) const DEFAULT_ACCESS_LIFETIME: Duration = Duration::from_secs(1800);
/// Zendesk's default refresh token lifetime (30 days).
pub(crate) const DEFAULT_REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 86_400);

/// Zendesk's bounds (facts file): access tokens more than 5 min and less than 48 h, refresh
/// tokens more than 7 and less than 90 days, in seconds.
pub(crate) const ACCESS_BOUNDS: (i64, i64) = (300, 172_800);
pub(crate) const REFRESH_BOUNDS: (i64, i64) = (604_800, 7_776_000);

/// Where a stored access token's expiry came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpirySource {
    /// `expires_in` of the token answer. Also what every expiry stored before this field
    /// existed came from.
    #[default]
    Server,
    /// The `exp` claim of the access token itself (a JWT with `typ: at+jwt`).
    Jwt,
    /// `expires_at` of `GET /api/v2/oauth/tokens/current.json`.
    CurrentJson,
    /// Nothing said: Zendesk's 30-minute default was assumed.
    Assumed,
}

impl ExpirySource {
    /// The word `list --json` carries.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpirySource::Server => "server",
            ExpirySource::Jwt => "jwt",
            ExpirySource::CurrentJson => "current_json",
            ExpirySource::Assumed => "assumed",
        }
    }

    /// For `status` and the TUI's detail pane.
    pub fn describe(self) -> &'static str {
        match self {
            ExpirySource::Server => "given by Zendesk",
            ExpirySource::Jwt => "read from the token's own exp",
            ExpirySource::CurrentJson => "from tokens/current.json",
            ExpirySource::Assumed => "assumed 30-minute default: Zendesk gave no expiry",
        }
    }
}

/// `expires_in` and `refresh_token_expires_in` for a token request. Support always asks:
/// Zendesk leaves `expires_in` out of the answer unless it was asked for, and OAuth clients
/// made before Zendesk had refresh tokens issue one only then. Chat's server documents no
/// such parameters, so it is sent only the lifetimes a connection names itself.
pub(crate) fn lifetimes_to_ask(connection: &Connection) -> (Option<String>, Option<String>) {
    let seconds = |d: Duration| Some(d.as_secs().to_string());
    let (access, refresh) = (
        connection.access_token_lifetime,
        connection.refresh_token_lifetime,
    );
    // A client credentials request takes `expires_in` only: it gives no refresh token.
    let refresh_default = match connection.grant {
        Grant::AuthorizationCode => Some(DEFAULT_REFRESH_LIFETIME),
        Grant::ClientCredentials => None,
    };
    match connection.kind {
        Kind::Support => (
            seconds(access.unwrap_or(DEFAULT_ACCESS_LIFETIME)),
            refresh.or(refresh_default).and_then(seconds),
        ),
        Kind::Chat => (access.and_then(seconds), refresh.and_then(seconds)),
    }
}

/// Which is a bound on a lifetime: the word for the log.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which {
    AccessToken,
    RefreshToken,
}

/// `now + secs`, with `secs` as a server gave it. Above Zendesk's bound it is clamped to the
/// bound (with a warning): believing a shorter life than the real one only refreshes early.
/// Below the lower bound it is kept as given, for the same reason. Never panics.
pub(crate) fn after(now: Timestamp, secs: i64, which: Which) -> Timestamp {
    let (low, high) = match which {
        Which::AccessToken => ACCESS_BOUNDS,
        Which::RefreshToken => REFRESH_BOUNDS,
    };
    let believed = if secs > high {
        tracing::warn!(
            ?which,
            given = secs,
            clamped_to = high,
            "a lifetime beyond Zendesk's bound was clamped"
        );
        high
    } else {
        if secs <= low {
            tracing::warn!(
                ?which,
                given = secs,
                "a lifetime below Zendesk's bound: kept as given"
            );
        }
        secs
    };
    saturating_after(now, SignedDuration::from_secs(believed))
}

/// `at + by`, at the ends of time instead of a panic.
pub fn saturating_after(at: Timestamp, by: SignedDuration) -> Timestamp {
    at.checked_add(by).unwrap_or(if by.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// Why a pair is refreshed when it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Once less than the refresh margin is left.
    Margin,
    /// The whole lifetime is shorter than twice the margin: once half of it is gone, so a
    /// fresh pair is never due as it is stored.
    HalfLife,
    /// A refresh token and no known expiry (stored by an older zdauth): due at once.
    UnknownExpiry,
    /// No expiry and no refresh token: nothing can or needs to be refreshed.
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// From when on the pair is due; `None`: never.
    pub due_at: Option<Timestamp>,
    pub rule: Rule,
}

impl Schedule {
    pub(crate) fn is_due(&self, now: Timestamp) -> bool {
        self.due_at.is_some_and(|at| now >= at)
    }
}

/// When `tokens` are due for a refresh with `margin`.
///
/// The margin covers clock skew and a slow network. A token whose whole lifetime is shorter
/// than twice the margin would be due (or nearly) the moment it is stored, and an
/// auto-refresh would rotate it again and again; such a pair is refreshed at half its
/// lifetime instead (as MSAL's `refresh_in` does for long tokens). At a lifetime of exactly
/// twice the margin both rules agree, so nothing jumps between them.
pub fn schedule(tokens: &Tokens, margin: Duration) -> Schedule {
    let Some(expires_at) = tokens.expires_at else {
        return if tokens.refresh_token.is_some() {
            Schedule {
                due_at: Some(Timestamp::MIN),
                rule: Rule::UnknownExpiry,
            }
        } else {
            Schedule {
                due_at: None,
                rule: Rule::Never,
            }
        };
    };
    let margin = SignedDuration::try_from(margin).unwrap_or(SignedDuration::MAX);
    let lifetime = expires_at
        .duration_since(tokens.obtained_at)
        .max(SignedDuration::ZERO);
    let (lead, rule) = if lifetime < margin.saturating_mul(2) {
        (lifetime / 2, Rule::HalfLife)
    } else {
        (margin, Rule::Margin)
    };
    Schedule {
        due_at: Some(saturating_after(expires_at, -lead)),
        rule,
    }
}

pub(crate) fn is_due(tokens: &Tokens, now: Timestamp, margin: Duration) -> bool {
    schedule(tokens, margin).is_due(now)
}

/// Whether the access token has more than `needed` left, taken literally (`--min-valid`). A
/// pair with a refresh token and no known expiry has nothing left that can be counted on.
pub(crate) fn valid_for(tokens: &Tokens, now: Timestamp, needed: Duration) -> bool {
    let needed = SignedDuration::try_from(needed).unwrap_or(SignedDuration::MAX);
    match tokens.expires_at {
        Some(at) => at.duration_since(now) > needed,
        None => tokens.refresh_token.is_none(),
    }
}

/// For a pair without a refresh token: nothing keeps it alive.
pub const NO_REFRESH_TOKEN: &str = "no refresh token: log in again when it expires";
/// For a pair stored by an older zdauth from an answer without `expires_in`.
pub const UNKNOWN_EXPIRY: &str =
    "expiry unknown (stored by an older zdauth): refreshed on its next use";

/// What a person should know about a pair's expiry besides the time itself, one short
/// phrase each: the same words in `status`, `list` and the TUI.
pub fn notes(tokens: &Tokens, margin: Duration) -> Vec<String> {
    let mut notes = Vec::new();
    let schedule = schedule(tokens, margin);
    if schedule.rule == Rule::UnknownExpiry {
        notes.push(UNKNOWN_EXPIRY.to_owned());
    } else if tokens.expires_at.is_some() && tokens.expiry_source == ExpirySource::Assumed {
        notes.push(ExpirySource::Assumed.describe().to_owned());
    }
    if tokens.refresh_token.is_none() {
        notes.push(NO_REFRESH_TOKEN.to_owned());
    } else if schedule.rule == Rule::HalfLife
        && let Some(at) = tokens.expires_at
    {
        notes.push(format!(
            "refreshed at half its {} lifetime, which is under twice refresh_margin",
            humanize(at.duration_since(tokens.obtained_at))
        ));
    }
    notes
}

/// `45s`, `29m 41s`, `1h 02m`, `2d 03h`.
pub fn humanize(left: SignedDuration) -> String {
    let secs = left.as_secs().max(0);
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s:02}s"),
        (0, _, _) => format!("{h}h {m:02}m"),
        _ => format!("{d}d {h:02}h"),
    }
}

#[cfg(test)]
mod tests;
