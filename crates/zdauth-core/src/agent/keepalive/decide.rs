//! What a pass decides for one connection from its stored pair (`plan_one`) and what it
//! remembers of one refresh (`settle`): the rules, apart from the I/O of a pass, so the unit
//! tests can drive them with no server.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::schedule::{self, Kept, TRIES_BEFORE_WARNING, shown};
use super::track::{Problem, Track};
use crate::config::Connection;
use crate::error::{Error, ErrorClass};
use crate::refresh::Fresh;
use crate::vault::{Entry, Tokens};
use crate::zendesk;

/// What a pass does with one connection.
pub(super) enum Plan {
    /// Nothing to keep alive: never logged in.
    Untracked,
    /// Nothing now; the next deadline, if any.
    Wait(Option<Timestamp>),
    /// Refresh it; the pair as the pass read it.
    Refresh(Box<Tokens>),
}

pub(super) fn plan_one(
    track: &mut Track,
    connection: &Connection,
    entry: Option<&Entry>,
    keepalive: Duration,
    now: Timestamp,
) -> Plan {
    let name = &connection.name;
    let Some((entry, tokens)) = entry.and_then(|e| Some((e, e.tokens.as_ref()?))) else {
        return Plan::Untracked;
    };
    track.refresh_expires_at = tokens.refresh_expires_at;
    let login = |why: &str| format!("{why}: run `zdauth login {name}`");
    if entry.login_required || !entry.issued_by(&zendesk::issuer(connection)) {
        let why = if entry.login_required {
            "Zendesk refused the stored refresh token"
        } else {
            "the stored tokens were issued for another server or client"
        };
        track.fail(name, Problem::LoginRequired, "login required", &login(why));
        return Plan::Wait(None);
    }
    if tokens.refresh_token.is_none() {
        track.lapses_at = tokens.expires_at;
        match tokens.expires_at {
            Some(at) if at.duration_since(now) < signed(keepalive) => {
                let why = format!(
                    "no refresh token stored; the token expires at {}",
                    shown(at)
                );
                track.fail(
                    name,
                    Problem::NoRefreshToken,
                    "no refresh token",
                    &login(&why),
                );
            }
            _ => {
                track.result = "no refresh token: nothing to keep alive".into();
                track.clear();
            }
        }
        return Plan::Wait(None);
    }
    let (lapses_at, _) = schedule::lapses_at(tokens);
    track.lapses_at = Some(lapses_at);
    if lapses_at <= now {
        track.fail(
            name,
            Problem::LoginRequired,
            "login required",
            &login("the refresh token has expired"),
        );
        return Plan::Wait(None);
    }
    // Stuck: a refresh did not move this expiry; another would not either.
    if track.stuck_at.is_some() && track.stuck_at == tokens.refresh_expires_at {
        return Plan::Wait(None);
    }
    track.stuck_at = None;
    // A problem of the stored pair that this pair no longer has (a new login, an unlock, a
    // pair that moves on): only failures to refresh outlive the pass that saw them.
    let stale = track.problem.is_some_and(|p| p != Problem::Failing);
    if stale {
        track.clear();
    }
    if stale || track.result.is_empty() {
        track.result = "not due yet".into();
    }
    let due_at = schedule::due_at(tokens, keepalive);
    if due_at > now {
        if track.failures > 0 {
            // Kept meanwhile by another process: the failures are history.
            track.failures = 0;
            track.retry_at = None;
            track.clear();
            track.result = "not due yet".into();
        }
        return Plan::Wait(Some(due_at));
    }
    match track.retry_at.filter(|at| *at > now) {
        Some(at) => Plan::Wait(Some(at)),
        None => Plan::Refresh(Box::new(tokens.clone())),
    }
}

/// Remembers what one refresh did.
pub(super) fn settle(
    track: &mut Track,
    connection: &Connection,
    before: &Tokens,
    result: Result<Fresh, Error>,
    keepalive: Duration,
) {
    let name = &connection.name;
    let now = Timestamp::now();
    let fresh = match result {
        Ok(fresh) => fresh,
        Err(e) if e.class() == ErrorClass::LoginRequired => {
            track.retry_at = None;
            track.fail(
                name,
                Problem::LoginRequired,
                "login required",
                &e.to_string(),
            );
            return;
        }
        Err(e) => {
            track.failures = track.failures.saturating_add(1);
            let retry_at = schedule::retry_at(now, track.failures);
            track.retry_at = Some(retry_at);
            track.next_at = Some(retry_at);
            let error = format!("error: {e}");
            if track.failures >= TRIES_BEFORE_WARNING {
                let lapses = track.lapses_at.map_or_else(String::new, |at| {
                    format!("; the grant lapses at {}", shown(at))
                });
                let warning = format!(
                    "keep-alive failed {} times in a row (last: {e}); it tries again at {}{lapses}",
                    track.failures,
                    shown(retry_at)
                );
                track.fail(name, Problem::Failing, &error, &warning);
            } else {
                tracing::warn!(connection = %name, "keep-alive: {e}; trying again at {}", shown(retry_at));
                track.result = crate::text::display(&error);
            }
            return;
        }
    };
    let tokens = &fresh.tokens;
    track.failures = 0;
    track.retry_at = None;
    track.last_keepalive = Some(now);
    track.refresh_expires_at = tokens.refresh_expires_at;
    let (lapses_at, _) = schedule::lapses_at(tokens);
    track.lapses_at = Some(lapses_at);
    track.result = "ok".into();
    match schedule::kept(before, tokens, now) {
        Kept::Extended => {
            tracing::info!(connection = %name, refresh_expires_at = %shown(lapses_at), "keep-alive: refreshed");
            track.clear();
            track.next_at = Some(schedule::due_at(tokens, keepalive));
        }
        Kept::NotExtended => {
            track.stuck_at = tokens.refresh_expires_at;
            track.next_at = None;
            let warning = format!(
                "a refresh did not move the refresh expiry forward (it is {}): Zendesk may cap a chain of refreshes; run `zdauth login {name}` before then",
                shown(lapses_at)
            );
            track.fail(name, Problem::NotExtended, "ok", &warning);
        }
        Kept::Unknown => {
            // Not a lapse (yet): told in the report and the log, scheduled as assumed.
            track.clear();
            let warning = format!(
                "Zendesk did not say when the new refresh token lapses; keep-alive assumes {}",
                shown(lapses_at)
            );
            tracing::warn!(connection = %name, "keep-alive: {warning}");
            track.warning = Some(warning);
            track.next_at = Some(schedule::due_at(tokens, keepalive));
        }
    }
}

fn signed(duration: Duration) -> SignedDuration {
    SignedDuration::try_from(duration).unwrap_or(SignedDuration::MAX)
}
