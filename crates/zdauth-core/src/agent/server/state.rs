//! What the agent holds: locked, or an opened identity behind one `Refresher` (shared with
//! keep-alive), and when it locks by itself.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use subtle::ConstantTimeEq;

use super::cache::Cache;
use crate::agent::protocol::LockedBy;
use crate::config::Config;
use crate::error::Error;
use crate::paths::Paths;
use crate::refresh::Refresher;
use crate::secret::Secret;
use crate::throttle::Throttle;
use crate::vault::{self, IdentitySource};

pub(super) struct Agent {
    pub(super) paths: Paths,
    state: Mutex<State>,
    refresher: watch::Sender<Option<Arc<Refresher>>>,
    /// Shared with keep-alive: a slot for each refresh a token answer sends.
    pub(super) throttle: Throttle,
    /// Wakes the timeout watch when an unlock sets a new deadline.
    unlocked: Notify,
    /// One unlock at a time: N commands arriving at a locked agent cost one scrypt.
    unlocking: tokio::sync::Mutex<()>,
    waiting: Mutex<Waiting>,
    pub(super) stop: CancellationToken,
}

enum State {
    Locked(LockedBy),
    // Boxed: a lock should leave nothing of the opened state's size behind in the mutex.
    Unlocked(Box<Open>),
}

pub(super) struct Open {
    pub(super) refresher: Arc<Refresher>,
    /// None for a plain identity file: nothing to forget it for.
    timeout: Option<Duration>,
    /// Monotonic: only ever compared with a request's arrival, never with the clock.
    opened_at: Instant,
    /// Wall clock, not monotonic: a laptop suspended overnight must find its agent locked
    /// in the morning, and `CLOCK_MONOTONIC` stops during suspend.
    pub(crate) last_use: Timestamp,
    pub(super) cache: Option<Cache>,
}

impl Open {
    fn deadline(&self) -> Option<Timestamp> {
        // Saturating: a timeout of centuries means "never", not an overflow.
        self.timeout.map(|t| {
            SignedDuration::try_from(t)
                .ok()
                .and_then(|t| self.last_use.checked_add(t).ok())
                .unwrap_or(Timestamp::MAX)
        })
    }

    fn expired(&self, now: Timestamp) -> bool {
        self.deadline().is_some_and(|deadline| deadline <= now)
    }
}

/// The unlocks queued behind the one running scrypt, and the passphrase that opened the
/// identity while they waited: a waiter is answered by that open only if its own
/// passphrase is the same, and the copy is dropped when the last waiter has compared.
#[derive(Default)]
struct Waiting {
    count: usize,
    succeeded: Option<(Option<Secret>, Instant)>,
}

/// One unlock counted in [`Waiting`] for as long as it lives (a client that goes away
/// mid-wait included).
struct Queued<'a>(&'a Mutex<Waiting>);

impl<'a> Queued<'a> {
    fn join(waiting: &'a Mutex<Waiting>) -> Self {
        waiting.lock().unwrap_or_else(PoisonError::into_inner).count += 1;
        Self(waiting)
    }

    /// Whether `passphrase` is the one that opened the identity at `opened_at`, in time
    /// that does not depend on how much of it is right.
    fn matches(&self, passphrase: Option<&Secret>, opened_at: Instant) -> bool {
        let waiting = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match (&waiting.succeeded, passphrase) {
            (Some((Some(kept), at)), Some(given)) if *at == opened_at => {
                bool::from(kept.expose().as_bytes().ct_eq(given.expose().as_bytes()))
            }
            (Some((None, at)), None) => *at == opened_at,
            _ => false,
        }
    }

    /// Keeps `passphrase` for the unlocks still waiting, if any.
    fn succeeded(&self, passphrase: Option<Secret>, opened_at: Instant) {
        let mut waiting = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // This unlock counts itself.
        waiting.succeeded = (waiting.count > 1).then_some((passphrase, opened_at));
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        let mut waiting = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        waiting.count -= 1;
        if waiting.count == 0 {
            waiting.succeeded = None;
        }
    }
}

fn locked_error() -> Error {
    Error::Locked("the agent is locked: run `zdauth unlock`".into())
}

const TIMED_OUT: &str = "agent_timeout passed without a secret being used";
/// However long the timeout, the watch looks again this often: after a resume from suspend
/// (when no tokio timer fires on time) the agent locks within this.
const WATCH_AT_MOST: Duration = Duration::from_secs(60);

impl Agent {
    pub(super) fn new(
        paths: Paths,
        refresher: watch::Sender<Option<Arc<Refresher>>>,
        throttle: Throttle,
        stop: CancellationToken,
    ) -> Self {
        Self {
            paths,
            state: Mutex::new(State::Locked(LockedBy::Start)),
            refresher,
            throttle,
            unlocked: Notify::new(),
            unlocking: tokio::sync::Mutex::new(()),
            waiting: Mutex::new(Waiting::default()),
            stop,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The opened identity as a secret use sees it: it resets the timeout, unless the
    /// timeout has passed (the watch may not have woken yet after a suspend): then it locks.
    pub(super) fn with_open<R>(&self, f: impl FnOnce(&mut Open) -> R) -> Result<R, Error> {
        let now = Timestamp::now();
        let mut state = self.state();
        match &mut *state {
            State::Unlocked(open) if open.expired(now) => {
                drop(state);
                self.lock_as(LockedBy::Timeout, TIMED_OUT);
                Err(locked_error())
            }
            State::Unlocked(open) => {
                open.last_use = now;
                Ok(f(open))
            }
            State::Locked(_) => Err(locked_error()),
        }
    }

    pub(super) fn recipient(&self) -> Option<String> {
        match &*self.state() {
            State::Unlocked(open) => Some(open.refresher.vault().keys().recipient().to_owned()),
            State::Locked(_) => None,
        }
    }

    /// Whether a passphrase is held for unlocks still waiting (tests: never after they went).
    #[cfg(test)]
    pub(super) fn keeps_a_passphrase(&self) -> bool {
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .succeeded
            .is_some()
    }

    /// Why it is locked; None while unlocked.
    pub(super) fn locked_by(&self) -> Option<LockedBy> {
        match &*self.state() {
            State::Locked(by) => Some(*by),
            State::Unlocked(_) => None,
        }
    }

    /// When it locks by itself; None while locked or for a plain identity file.
    pub(super) fn unlocked_until(&self) -> (bool, Option<Timestamp>) {
        match &*self.state() {
            State::Locked(_) => (false, None),
            State::Unlocked(open) => (true, open.deadline()),
        }
    }

    /// Opens the identity (scrypt for identity.age, in a blocking thread) with the settings
    /// config.toml has now.
    pub(super) async fn unlock(
        &self,
        passphrase: Option<Secret>,
        asked_at: Instant,
    ) -> Result<Option<Timestamp>, Error> {
        let queued = Queued::join(&self.waiting);
        let _one = self.unlocking.lock().await;
        // Another unlock finished while this one waited: the same user's process, the same
        // identity; a second scrypt would only cost time and memory. Only for the same
        // passphrase: a wrong one must never ride on a right one.
        if let State::Unlocked(open) = &*self.state()
            && open.opened_at >= asked_at
            && queued.matches(passphrase.as_ref(), open.opened_at)
        {
            return Ok(open.deadline());
        }
        let paths = self.paths.clone();
        let kept = passphrase.clone();
        let opened = tokio::task::spawn_blocking(move || open_identity(&paths, passphrase))
            .await
            .map_err(|e| Error::Locked(format!("the unlock failed ({e}): try again")))??;
        let (refresher, timeout) = opened;
        let refresher = Arc::new(refresher);
        let opened_at = Instant::now();
        let open = Open {
            refresher: refresher.clone(),
            timeout,
            opened_at,
            last_use: Timestamp::now(),
            cache: None,
        };
        let until = open.deadline();
        *self.state() = State::Unlocked(Box::new(open));
        queued.succeeded(kept, opened_at);
        self.refresher.send_replace(Some(refresher));
        self.unlocked.notify_one();
        tracing::info!("agent unlocked");
        Ok(until)
    }

    /// Forgets the identity, as `zdauth lock` asks: a command then never unlocks the agent
    /// by itself again. This state's refresher (and so its keys, which zeroize on drop)
    /// goes now, keep-alive's at the end of its pass.
    pub(super) fn lock(&self, why: &str) {
        self.lock_as(LockedBy::Command, why);
    }

    fn lock_as(&self, by: LockedBy, why: &str) {
        let was = std::mem::replace(&mut *self.state(), State::Locked(by));
        self.refresher.send_replace(None);
        if matches!(was, State::Unlocked(_)) {
            tracing::info!(why, "agent locked");
        }
        drop(was);
    }

    /// Locks once `agent_timeout` has passed since the last secret use, until `stop`.
    pub(super) async fn watch_timeout(self: Arc<Self>) {
        loop {
            let wait = match &*self.state() {
                State::Unlocked(open) => open.deadline().map(|deadline| {
                    let left = Timestamp::now().duration_until(deadline);
                    Duration::try_from(left)
                        .unwrap_or(Duration::ZERO)
                        .min(WATCH_AT_MOST)
                }),
                State::Locked(_) => None,
            };
            let expired = async {
                match wait {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = expired => {
                    let due = match &*self.state() {
                        State::Unlocked(open) => open.expired(Timestamp::now()),
                        State::Locked(_) => false,
                    };
                    if due {
                        self.lock_as(LockedBy::Timeout, TIMED_OUT);
                    }
                }
                () = self.unlocked.notified() => {}
                () = self.stop.cancelled() => return,
            }
        }
    }
}

/// The identity the settings name, opened, behind a refresher built as every door builds one.
pub(super) fn open_identity(
    paths: &Paths,
    passphrase: Option<Secret>,
) -> Result<(Refresher, Option<Duration>), Error> {
    let config = Config::load(&paths.config())?;
    let source = identity_source(paths, &config);
    let timeout = match source {
        IdentitySource::Sealed(_) => Some(config.settings.agent_timeout),
        IdentitySource::PlainFile(_) => None,
    };
    let keys = vault::unlock(paths, &source, |_| {
        passphrase.ok_or_else(|| {
            Error::Locked(
                "no passphrase was given to the agent: run `zdauth unlock` (or set ZDAUTH_PASSPHRASE)"
                    .into(),
            )
        })
    })?;
    // The store's token and address from the agent's own environment (or the CLI's token
    // file): a secret id from stdin goes to the command that read it, never to the agent.
    let env = config
        .store
        .as_ref()
        .map(crate::store::StoreEnv::from_process)
        .unwrap_or_default();
    let vault = vault::open(paths, keys, &config, &env)?;
    for taken in vault.take_back_rescues()? {
        tracing::warn!(%taken, "took back a rescued pair");
    }
    Ok((crate::session::refresher(vault, &config.settings), timeout))
}

pub(super) fn identity_source(paths: &Paths, config: &Config) -> IdentitySource {
    let env = std::env::var("ZDAUTH_IDENTITY_FILE").ok();
    vault::identity_source(paths, &config.settings, env.as_deref())
}
