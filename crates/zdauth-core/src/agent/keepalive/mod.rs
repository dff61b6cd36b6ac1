//! Keep-alive: the agent refreshes every grant whose refresh token is about to lapse unused.
//!
//! Each pass reads config.toml (`settings.keepalive`; zero turns it off) and the vault, and
//! refreshes every authorization-code connection whose refresh token has less than
//! `keepalive` left (never before half its refresh lifetime: see `schedule`) through the
//! refresh transaction (`Refresher`, with its locks, single flight and rescue) under the
//! per-subdomain `Throttle`. Between passes it sleeps on one timer until the earliest
//! deadline, and wakes early when vault.age or config.toml changes (`wake`) or the agent
//! locks or unlocks (the watch channel).
//!
//! Zendesk does not document whether a chain of refreshes is capped, so every refresh is
//! checked: one that does not move the refresh expiry forward is a warning, never assumed
//! away. A grant that will lapse and cannot be kept is told once per problem: a desktop
//! notification where there is one (`agent::notify`), always a log line and a report line.

mod decide;
mod pass;
mod schedule;
mod track;
mod wake;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::notify::Notifier;
use crate::paths::Paths;
use crate::refresh::Refresher;
use crate::throttle::{DEFAULT_JOBS, Throttle};
use track::Track;

/// The longest single sleep. tokio's timer runs on the monotonic clock, which stands still
/// while the machine is suspended: a laptop that slept through a deadline finds out within
/// this long of waking. One cheap pass (one vault decryption) per step, not a polling loop.
const LONGEST_SLEEP: Duration = Duration::from_secs(15 * 60);
/// The same where no change can wake it (off Linux, or no inotify): a vault changed by
/// another process is seen within this long.
const LONGEST_SLEEP_UNWATCHED: Duration = Duration::from_secs(5 * 60);

/// What `zdauth agent status` shows of keep-alive.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KeepAliveReport {
    /// When the next pass is due; None: nothing to keep alive (or keep-alive is off).
    pub next_keepalive: Option<Timestamp>,
    pub connections: Vec<ConnectionReport>,
    /// Why the last pass could not look at the connections (config.toml or vault.age
    /// unreadable, or the agent locked since it started), or that keep-alive is off; None
    /// when it could.
    pub problem: Option<String>,
    /// The agent is locked and has not read the vault since it started: nothing is known to
    /// be due or not until `zdauth unlock` (`problem` says so in words).
    pub waiting_for_unlock: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConnectionReport {
    pub name: String,
    pub last_keepalive: Option<Timestamp>,
    /// One line, no secret: "ok", "login required: …", "locked", "error: …".
    pub result: String,
    pub refresh_expires_at: Option<Timestamp>,
    /// Set when the grant will lapse within `keepalive` and cannot be kept.
    pub warning: Option<String>,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassSummary {
    /// Connections it sent through the refresh transaction.
    pub refreshed: usize,
    /// When the next pass is due; None: nothing scheduled.
    pub next: Option<Timestamp>,
}

pub struct KeepAlive {
    paths: Paths,
    throttle: Throttle,
    notifier: Notifier,
    memory: Mutex<Memory>,
}

#[derive(Default)]
struct Memory {
    tracks: BTreeMap<String, Track>,
    next: Option<Timestamp>,
    problem: Option<String>,
    /// Whether a pass read the vault since the agent started (or keep-alive was turned on).
    seen_vault: bool,
}

impl KeepAlive {
    pub fn new(paths: Paths) -> Arc<Self> {
        Self::with(paths, Throttle::new(DEFAULT_JOBS), Notifier::from_env())
    }

    /// [`Self::new`] sharing `throttle` with the agent's other refreshes, and notifying
    /// through `notifier`.
    pub fn with(paths: Paths, throttle: Throttle, notifier: Notifier) -> Arc<Self> {
        Arc::new(Self {
            paths,
            throttle,
            notifier,
            memory: Mutex::default(),
        })
    }

    /// The agent's keep-alive loop, until `stop`. `refresher` is Some while the agent holds an
    /// opened identity; a pass never keeps its clone between passes (a lock must be able to
    /// drop the identity). Once `stop` is cancelled no refresh starts, but the pass under way
    /// waits for the refreshes already started, and only then does this return: a refresh cut
    /// off between Zendesk's answer and the stored pair would lose the grant.
    pub async fn run(
        self: Arc<Self>,
        mut refresher: watch::Receiver<Option<Arc<Refresher>>>,
        stop: CancellationToken,
    ) {
        let mut waker = wake::Waker::watch(&self.paths);
        let longest = if waker.watching() {
            LONGEST_SLEEP
        } else {
            LONGEST_SLEEP_UNWATCHED
        };
        let mut agent_alive = true;
        while !stop.is_cancelled() {
            // Once the agent dropped its end, nothing can lock this clone away: hold none.
            let held = agent_alive
                .then(|| refresher.borrow_and_update().clone())
                .flatten();
            let pass = self.pass_until(held.as_ref(), &stop).await;
            drop(held);
            let sleep = pass.next.map_or(longest, |at| until(at).min(longest));
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(sleep) => {}
                changed = refresher.changed(), if agent_alive => agent_alive = changed.is_ok(),
                () = waker.changed() => {}
            }
        }
    }

    pub fn report(&self) -> KeepAliveReport {
        let memory = self.memory();
        KeepAliveReport {
            next_keepalive: memory.next,
            connections: memory
                .tracks
                .iter()
                .map(|(name, track)| track.report(name))
                .collect(),
            problem: memory.problem.clone(),
            waiting_for_unlock: memory.problem.as_deref() == Some(pass::WAITING_FOR_UNLOCK),
        }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Shows the notifications for problems not told yet (each bounded in time).
    async fn notify_new_problems(&self) {
        let pending: Vec<(String, String)> = self
            .memory()
            .tracks
            .iter_mut()
            .filter_map(|(name, track)| track.untold(name))
            .collect();
        for (title, body) in pending {
            if let Err(e) = self.notifier.notify(&title, &body).await {
                tracing::warn!(error = %e, "keep-alive: the desktop notification failed");
            }
        }
    }
}

/// From now to `at` (zero if past), with a little slack so the timer never wakes just
/// before the deadline it is for.
fn until(at: Timestamp) -> Duration {
    let left = at.duration_since(Timestamp::now());
    Duration::try_from(left).unwrap_or(Duration::ZERO) + Duration::from_millis(20)
}
