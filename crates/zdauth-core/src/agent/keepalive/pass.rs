//! One keep-alive pass: read config.toml and the vault, refresh what is due (all at once,
//! under the throttle), remember each result, and tell the user of new problems.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio_util::sync::CancellationToken;

use super::decide::{Plan, plan_one, settle};
use super::schedule::{self, shown};
use super::track::{Problem, Track};
use super::{KeepAlive, Memory, PassSummary};
use crate::config::{Config, Connection, Grant};
use crate::error::Error;
use crate::refresh::{Fresh, Refresher, Want, blocking};
use crate::vault::{Tokens, VaultData};

/// The report's problem while the agent is locked and has not read the vault since it
/// started: the status says so rather than "none due".
pub(super) const WAITING_FOR_UNLOCK: &str = "keep-alive waits for `zdauth unlock`: the agent is locked and has not read the vault since it started, so it cannot tell when a grant is due";

/// After config.toml or the vault could not be read: the next try (a fix to either file
/// wakes the loop sooner).
const UNREADABLE_RETRY: SignedDuration = SignedDuration::from_mins(5);

impl KeepAlive {
    /// One pass with `refresher` (None: the agent is locked). Returns once every refresh it
    /// started is stored and every new problem told.
    pub async fn pass(&self, refresher: Option<&Arc<Refresher>>) -> PassSummary {
        self.pass_until(refresher, &CancellationToken::new()).await
    }

    /// [`Self::pass`], starting no refresh once `stop` is cancelled. A refresh already
    /// started is never cut off: it runs to its stored pair (its own timeouts bound it), since
    /// one dropped between Zendesk's answer and the store would lose the grant.
    pub(super) async fn pass_until(
        &self,
        refresher: Option<&Arc<Refresher>>,
        stop: &CancellationToken,
    ) -> PassSummary {
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
        self.memory().seen_vault = true;
        let due = self.plan(&connections, &data, keepalive, read_at);
        let mut flights = tokio::task::JoinSet::new();
        for (connection, before) in due {
            let (refresher, throttle) = (refresher.clone(), self.throttle.clone());
            let stop = stop.clone();
            flights.spawn(async move {
                let result = flight(&refresher, &throttle, &connection, read_at, &stop).await;
                (connection, before, result)
            });
        }
        // Every flight is awaited, never dropped (an aborted one could lose a spent pair),
        // even after one panicked: that panic goes on once the others are stored.
        let (mut outcomes, mut panicked) = (Vec::with_capacity(flights.len()), None);
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
        let mut sent = 0;
        let next = {
            let mut memory = self.memory();
            for (connection, before, result) in outcomes {
                let track = memory.tracks.entry(connection.name.clone()).or_default();
                match result {
                    Some(result) => {
                        sent += 1;
                        settle(track, &connection, &before, result, keepalive);
                    }
                    None => stopped(track, &before, keepalive),
                }
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
            if !memory.seen_vault {
                // A sealed agent the service started and nobody unlocked yet: the deadlines
                // are in the vault, so "nothing due" would be a guess.
                memory.next = None;
                memory.problem = Some(WAITING_FOR_UNLOCK.into());
                return PassSummary {
                    refreshed: 0,
                    next: None,
                };
            }
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

/// One due connection's refresh: None when `stop` came before it started. Stop is looked at
/// while waiting for a throttle slot and once more with the slot, never after: from there
/// the refresh transaction runs to its stored pair.
async fn flight(
    refresher: &Refresher,
    throttle: &crate::throttle::Throttle,
    connection: &Connection,
    read_at: Timestamp,
    stop: &CancellationToken,
) -> Option<Result<Fresh, Error>> {
    let slot = tokio::select! {
        biased;
        () = stop.cancelled() => None,
        slot = throttle.slot(&connection.subdomain) => Some(slot),
    };
    let _slot = slot.filter(|_| !stop.is_cancelled())?;
    Some(
        refresher
            .ensure_since(connection, Want::Rotate, read_at)
            .await,
    )
}

/// A due connection the agent stopped before refreshing: still due, nothing spent.
fn stopped(track: &mut Track, before: &Tokens, keepalive: Duration) {
    track.result = "stopped: the agent stopped before this refresh started".into();
    track.next_at = Some(schedule::due_at(before, keepalive));
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
