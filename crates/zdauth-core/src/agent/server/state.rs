//! What the agent holds: locked, or an opened identity behind one `Refresher` (shared with
//! keep-alive), and when it locks by itself.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::cache::Cache;
use crate::config::Config;
use crate::error::Error;
use crate::paths::Paths;
use crate::refresh::Refresher;
use crate::secret::Secret;
use crate::throttle::Throttle;
use crate::vault::{self, IdentitySource, Vault};

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
    pub(super) stop: CancellationToken,
}

enum State {
    Locked,
    // Boxed: a lock should leave nothing of the opened state's size behind in the mutex.
    Unlocked(Box<Open>),
}

pub(super) struct Open {
    pub(super) refresher: Arc<Refresher>,
    /// None for a plain identity file: nothing to forget it for.
    timeout: Option<Duration>,
    opened_at: Instant,
    last_use: Instant,
    pub(super) cache: Option<Cache>,
}

impl Agent {
    pub(super) fn new(
        paths: Paths,
        refresher: watch::Sender<Option<Arc<Refresher>>>,
        throttle: Throttle,
        stop: CancellationToken,
    ) -> Self {
        Self {
            paths,
            state: Mutex::new(State::Locked),
            refresher,
            throttle,
            unlocked: Notify::new(),
            unlocking: tokio::sync::Mutex::new(()),
            stop,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The opened identity as a secret use sees it: it resets the timeout.
    pub(super) fn with_open<R>(&self, f: impl FnOnce(&mut Open) -> R) -> Result<R, Error> {
        match &mut *self.state() {
            State::Unlocked(open) => {
                open.last_use = Instant::now();
                Ok(f(open))
            }
            State::Locked => Err(Error::Locked(
                "the agent is locked: run `zdauth unlock`".into(),
            )),
        }
    }

    pub(super) fn recipient(&self) -> Option<String> {
        match &*self.state() {
            State::Unlocked(open) => Some(open.refresher.vault().keys().recipient().to_owned()),
            State::Locked => None,
        }
    }

    /// When it locks by itself; None while locked or for a plain identity file.
    pub(super) fn unlocked_until(&self) -> (bool, Option<Timestamp>) {
        match &*self.state() {
            State::Locked => (false, None),
            State::Unlocked(open) => (true, open.timeout.map(|t| until(open.last_use + t))),
        }
    }

    /// Opens the identity (scrypt for identity.age, in a blocking thread) with the settings
    /// config.toml has now.
    pub(super) async fn unlock(
        &self,
        passphrase: Option<Secret>,
        asked_at: Instant,
    ) -> Result<Option<Timestamp>, Error> {
        let _one = self.unlocking.lock().await;
        // Another unlock finished while this one waited: the same user's process, the same
        // identity; a second scrypt would only cost time and memory.
        if let State::Unlocked(open) = &*self.state()
            && open.opened_at >= asked_at
        {
            return Ok(open.timeout.map(|t| until(open.last_use + t)));
        }
        let paths = self.paths.clone();
        let opened = tokio::task::spawn_blocking(move || open_identity(&paths, passphrase))
            .await
            .map_err(|e| Error::Locked(format!("the unlock failed ({e}): try again")))??;
        let (refresher, timeout) = opened;
        let refresher = Arc::new(refresher);
        *self.state() = State::Unlocked(Box::new(Open {
            refresher: refresher.clone(),
            timeout,
            opened_at: Instant::now(),
            last_use: Instant::now(),
            cache: None,
        }));
        self.refresher.send_replace(Some(refresher));
        self.unlocked.notify_one();
        tracing::info!("agent unlocked");
        Ok(timeout.map(|t| Timestamp::now() + SignedDuration::try_from(t).unwrap_or_default()))
    }

    /// Forgets the identity: this state's refresher (and so its keys, which zeroize on drop)
    /// goes now, keep-alive's at the end of its pass.
    pub(super) fn lock(&self, why: &str) {
        let was = std::mem::replace(&mut *self.state(), State::Locked);
        self.refresher.send_replace(None);
        if matches!(was, State::Unlocked(_)) {
            tracing::info!(why, "agent locked");
        }
        drop(was);
    }

    /// Locks once `agent_timeout` has passed since the last secret use, until `stop`.
    pub(super) async fn watch_timeout(self: Arc<Self>) {
        loop {
            let deadline = match &*self.state() {
                State::Unlocked(open) => open.timeout.map(|t| open.last_use + t),
                State::Locked => None,
            };
            let expired = async {
                match deadline {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = expired => {
                    let due = match &*self.state() {
                        State::Unlocked(open) => open
                            .timeout
                            .is_some_and(|t| open.last_use + t <= Instant::now()),
                        State::Locked => false,
                    };
                    if due {
                        self.lock("agent_timeout passed without a secret being used");
                    }
                }
                () = self.unlocked.notified() => {}
                () = self.stop.cancelled() => return,
            }
        }
    }
}

fn until(at: Instant) -> Timestamp {
    let left = at.saturating_duration_since(Instant::now());
    Timestamp::now() + SignedDuration::try_from(left).unwrap_or_default()
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
    let vault =
        Vault::new(paths.clone(), keys).with_rescue_places(vault::rescue::user_places(paths));
    for taken in vault.take_back_rescues()? {
        tracing::warn!(%taken, "took back a rescued pair");
    }
    Ok((crate::session::refresher(vault, &config.settings), timeout))
}

pub(super) fn identity_source(paths: &Paths, config: &Config) -> IdentitySource {
    let env = std::env::var("ZDAUTH_IDENTITY_FILE").ok();
    vault::identity_source(paths, &config.settings, env.as_deref())
}
