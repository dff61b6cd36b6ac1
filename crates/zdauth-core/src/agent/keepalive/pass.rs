//! One keep-alive pass: read config.toml and the vault, refresh what is due (all at once,
//! under the throttle), remember each result, and tell the user of new problems.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::schedule::{self, Kept, TRIES_BEFORE_WARNING, shown};
use super::track::{Problem, Track};
use super::{KeepAlive, Memory, PassSummary};
use crate::config::{Config, Connection, Grant};
use crate::error::{Error, ErrorClass};
use crate::refresh::{Fresh, Refresher, Want, blocking};
use crate::vault::{Entry, Tokens, VaultData};
use crate::zendesk;

/// After config.toml or the vault could not be read: the next try (a fix to either file
/// wakes the loop sooner).
const UNREADABLE_RETRY: SignedDuration = SignedDuration::from_mins(5);

/// What a pass does with one connection.
pub(super) enum Plan {
    /// Nothing to keep alive: never logged in.
    Untracked,
    /// Nothing now; the next deadline, if any.
    Wait(Option<Timestamp>),
    /// Refresh it; the pair as the pass read it.
    Refresh(Box<Tokens>),
}

impl KeepAlive {
    /// One pass with `refresher` (None: the agent is locked). Returns once every refresh it
    /// started is stored and every new problem told.
    pub async fn pass(&self, refresher: Option<&Arc<Refresher>>) -> PassSummary {
        let path = self.paths.config();
        let config = match blocking(move || Config::load(&path).map_err(Error::from)).await {
            Ok(config) => config,
            Err(e) => return self.unreadable(&e),
        };
        let keepalive = config.settings.keepalive;
        let connections: Vec<Connection> = config
            .connections
            .into_iter()
            // Client credentials have no refresh token to keep: a new token is minted.
            .filter(|c| c.grant == Grant::AuthorizationCode)
            .collect();
        if keepalive.is_zero() {
            let mut memory = self.memory();
            *memory = Memory {
                problem: Some("keep-alive is off (settings.keepalive = \"0s\")".into()),
                ..Memory::default()
            };
            return PassSummary {
                refreshed: 0,
                next: None,
            };
        }
        self.memory()
            .tracks
            .retain(|name, _| connections.iter().any(|c| &c.name == name));
        let Some(refresher) = refresher else {
            return self.locked().await;
        };
        // A rotation another process stores after this instant is as good as ours.
        let read_at = Timestamp::now();
        let vault = refresher.vault().clone();
        let data = match blocking(move || vault.load()).await {
            Ok(data) => data,
            Err(e) => return self.unreadable(&e),
        };
        let due = self.plan(&connections, &data, keepalive, read_at);
        let sent = due.len();
        let mut flights = tokio::task::JoinSet::new();
        for (connection, before) in due {
            let (refresher, throttle) = (refresher.clone(), self.throttle.clone());
            flights.spawn(async move {
                let _slot = throttle.slot(&connection.subdomain).await;
                let result = refresher
                    .ensure_since(&connection, Want::Rotate, read_at)
                    .await;
                (connection, before, result)
            });
        }
        // Every flight is awaited, never dropped (an aborted one could lose a spent pair),
        // even after one panicked: that panic goes on once the others are stored.
        let (mut outcomes, mut panicked) = (Vec::with_capacity(sent), None);
        while let Some(joined) = flights.join_next().await {
            match joined {
                Ok(outcome) => outcomes.push(outcome),
                Err(e) if e.is_panic() => panicked = panicked.or(Some(e.into_panic())),
                Err(_) => {}
            }
        }
        if let Some(panic) = panicked {
            std::panic::resume_unwind(panic);
        }
        let next = {
            let mut memory = self.memory();
            for (connection, before, result) in outcomes {
                let track = memory.tracks.entry(connection.name.clone()).or_default();
                settle(track, &connection, &before, result, keepalive);
            }
            finish(&mut memory, None)
        };
        self.notify_new_problems().await;
        PassSummary {
            refreshed: sent,
            next,
        }
    }

    /// Decides for each connection; returns those due now.
    fn plan(
        &self,
        connections: &[Connection],
        data: &VaultData,
        keepalive: Duration,
        now: Timestamp,
    ) -> Vec<(Connection, Box<Tokens>)> {
        let mut memory = self.memory();
        let mut due = Vec::new();
        for connection in connections {
            let name = &connection.name;
            let entry = data.connections.get(name);
            let track = memory.tracks.entry(name.clone()).or_default();
            match plan_one(track, connection, entry, keepalive, now) {
                Plan::Untracked => {
                    memory.tracks.remove(name);
                }
                Plan::Wait(at) => track.next_at = at,
                Plan::Refresh(tokens) => {
                    track.next_at = None;
                    due.push((connection.clone(), tokens));
                }
            }
        }
        due
    }

    /// A pass while the agent is locked: every connection whose deadline came is a problem;
    /// the others keep their deadlines (known from the last pass that could read the vault).
    async fn locked(&self) -> PassSummary {
        let now = Timestamp::now();
        let next = {
            let mut memory = self.memory();
            for (name, track) in &mut memory.tracks {
                if track.next_at.is_some_and(|at| at <= now) {
                    let lapses = track.lapses_at.map_or_else(String::new, |at| {
                        format!(" (the grant lapses at {})", shown(at))
                    });
                    track.fail(
                        name,
                        Problem::Locked,
                        "locked",
                        &format!("keep-alive was due, but the agent is locked{lapses}: run `zdauth unlock`"),
                    );
                }
            }
            finish(&mut memory, Some(now))
        };
        self.notify_new_problems().await;
        PassSummary { refreshed: 0, next }
    }

    fn unreadable(&self, error: &Error) -> PassSummary {
        let problem = crate::text::display(&error.to_string());
        tracing::warn!("keep-alive could not run: {problem}");
        let next = schedule_after(Timestamp::now(), UNREADABLE_RETRY);
        let mut memory = self.memory();
        memory.problem = Some(problem);
        memory.next = Some(next);
        PassSummary {
            refreshed: 0,
            next: Some(next),
        }
    }
}

fn schedule_after(now: Timestamp, pause: SignedDuration) -> Timestamp {
    crate::expiry::saturating_after(now, pause)
}

/// The earliest deadline of all (after `after`, if given: deadlines already missed while
/// locked wait for the unlock); stored for the report.
fn finish(memory: &mut Memory, after: Option<Timestamp>) -> Option<Timestamp> {
    let next = memory
        .tracks
        .values()
        .filter_map(|t| t.next_at)
        .filter(|at| after.is_none_or(|after| *at > after))
        .min();
    memory.next = next;
    memory.problem = None;
    next
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
