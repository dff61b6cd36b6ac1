//! `zdauth agent run`: the agent's process. One per user and config dir (its lock file held
//! for its whole life), answering only its own user on a socket only that user can reach.

mod cache;
mod conn;
mod state;

use std::fs::{self, File, TryLockError};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::UnixListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::keepalive::KeepAlive;
use super::notify::Notifier;
use super::place::Place;
use crate::error::{Error, ErrorClass};
use crate::paths::Paths;
use crate::throttle::{DEFAULT_JOBS, Throttle};
use crate::vault::IdentitySource;
use crate::{secret, shield, sys};

use state::Agent;

/// An agent starting while the last one's lock is still being let go (or a client is
/// removing a dead socket under it) waits this long for it.
const LOCK_WAIT: Duration = Duration::from_secs(3);
/// How often the agent looks whether its socket is still there (a stat; "at least once a
/// minute" so that an orphaned agent soon lets the identity go).
const SOCKET_CHECK: Duration = Duration::from_secs(30);

/// Runs the agent for `paths` until `zdauth agent stop`, SIGTERM, SIGINT or SIGHUP. Call it
/// before the process starts any thread (it edits the environment).
pub fn serve(paths: &Paths) -> Result<(), Error> {
    // The passphrase is handed over a socket, never inherited: whatever a spawner left in
    // the environment goes before anything can read it (or /proc/PID/environ shows it).
    for var in secret::PASSPHRASE_VARS {
        sys::remove_env_before_threads(var);
    }
    if !shield::non_dumpable() {
        tracing::warn!("could not make the agent non-dumpable");
    }
    // Before any thread: one malloc arena, so that what scrypt's and the parsers' peaks freed
    // goes back to the system instead of idling in per-thread arenas (the agent lives for
    // hours; docs/performance.md has the figures).
    sys::one_malloc_arena();
    match sys::lock_memory() {
        Ok(()) => tracing::debug!("agent memory locked (mlockall)"),
        Err(why) => tracing::debug!(%why, "agent memory not locked"),
    }
    let place = Place::of(paths)?;
    // The record first: a second agent for this config dir is refused before it touches
    // anything of its runtime dir.
    let _held = hold_lock(&place)?;
    place.ensure_dir()?;
    // Ours now (we hold the record): whatever is there is a dead agent's.
    let _ = fs::remove_file(place.socket());
    let listener = std::os::unix::net::UnixListener::bind(place.socket()).map_err(|e| {
        agent_error(format!(
            "cannot listen on {} ({e}): check that directory",
            place.socket().display()
        ))
    })?;
    let socket = place.socket().to_path_buf();
    // The directory is 0700 already; the socket is 0600 as well, should the dir ever widen.
    let bound = fs::set_permissions(&socket, fs::Permissions::from_mode(0o600))
        .and_then(|()| listener.set_nonblocking(true))
        .and_then(|()| Bound::of(&socket));
    let bound = match bound {
        Ok(bound) => bound,
        Err(e) => {
            let _ = fs::remove_file(&socket);
            return Err(agent_error(format!(
                "cannot secure {} ({e}): check that directory",
                socket.display()
            )));
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| agent_error(format!("cannot start the agent's runtime ({e})")))?;
    let result = runtime.block_on(run(paths.clone(), listener, &bound));
    // Only our own socket: a file someone put in its place is not ours to remove.
    if bound.still_there() {
        let _ = fs::remove_file(&socket);
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
    tracing::info!("agent stopped");
    result
}

/// The socket as bound: the same path with another inode (or none) is not ours any more.
struct Bound {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl Bound {
    fn of(path: &Path) -> std::io::Result<Self> {
        let meta = fs::symlink_metadata(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    fn still_there(&self) -> bool {
        fs::symlink_metadata(&self.path).is_ok_and(|m| m.dev() == self.dev && m.ino() == self.ino)
    }
}

/// The record in the config dir, held for the agent's life: one agent per config dir
/// whatever runtime dir each process sees; it names the pid and socket for whoever must
/// find it from another environment, or end a stuck one.
fn hold_lock(place: &Place) -> Result<File, Error> {
    let mut file = crate::safe_file::open_own(place.record(), false)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => {
                use std::io::Write;
                let text = super::place::record_text(std::process::id(), place.socket());
                file.set_len(0)
                    .and_then(|()| file.write_all(&text))
                    .map_err(|e| {
                        agent_error(format!(
                            "cannot write {} ({e}): check the config dir",
                            place.record().display()
                        ))
                    })?;
                return Ok(file);
            }
            Err(TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => {
                let running = place.live().map_or_else(String::new, |r| {
                    format!(" (pid {}, socket {})", r.pid, r.socket.display())
                });
                return Err(Error::Agent {
                    class: ErrorClass::Usage,
                    message: format!(
                        "an agent already runs for this config dir{running}: `zdauth agent stop` ends it"
                    ),
                });
            }
            Err(TryLockError::Error(e)) => {
                return Err(agent_error(format!(
                    "cannot lock {} ({e}): check the config dir",
                    place.record().display()
                )));
            }
        }
    }
}

async fn run(
    paths: Paths,
    listener: std::os::unix::net::UnixListener,
    bound: &Bound,
) -> Result<(), Error> {
    let listener = UnixListener::from_std(listener)
        .map_err(|e| agent_error(format!("cannot listen ({e})")))?;
    let stop = CancellationToken::new();
    let (refresher_tx, refresher_rx) = watch::channel(None);
    // One throttle for every refresh this process sends (token answers and keep-alive), as
    // `refresh --all` and the TUI have one each: one account never gets more than a few
    // token requests at once from the agent, however many commands ask at the same time.
    let throttle = Throttle::new(DEFAULT_JOBS);
    let agent = Arc::new(Agent::new(
        paths.clone(),
        refresher_tx,
        throttle.clone(),
        stop.clone(),
    ));
    let keepalive = KeepAlive::with(paths.clone(), throttle, Notifier::from_env());
    let tasks = TaskTracker::new();
    tasks.spawn(super::renew::keep_agent_store_token(
        refresher_rx.clone(),
        stop.clone(),
    ));
    tasks.spawn(keepalive.clone().run(refresher_rx, stop.clone()));
    tasks.spawn(agent.clone().watch_timeout());
    open_plain_identity(&agent).await;

    let mut terminate = signal(SignalKind::terminate()).map_err(|e| signal_error(&e))?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| signal_error(&e))?;
    let mut hangup = signal(SignalKind::hangup()).map_err(|e| signal_error(&e))?;
    let mut socket_check = tokio::time::interval(SOCKET_CHECK);
    socket_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tracing::info!(pid = std::process::id(), "agent listening");
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let agent = agent.clone();
                    let keepalive = keepalive.clone();
                    tasks.spawn(conn::serve_connection(agent, keepalive, stream));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // logind removes /run/user/UID at the last logout, tmpfiles ages /tmp: no
            // client can reach an agent whose socket went, so it must not hold the identity.
            _ = socket_check.tick() => if !bound.still_there() {
                tracing::warn!(socket = %bound.path.display(), "the agent's socket is gone or replaced: stopping");
                break;
            },
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            _ = hangup.recv() => break,
            () = stop.cancelled() => break,
        }
    }
    stop.cancel();
    drop(listener);
    tasks.close();
    // A refresh on the wire may take as long as the settings let one take; cut short, its
    // answered pair would be lost. The service's TimeoutStopSec waits longer still.
    let drain = crate::session::connection_lock_timeout(
        &crate::config::Config::load(&paths.config())
            .map(|config| config.settings)
            .unwrap_or_default(),
    );
    if tokio::time::timeout(drain, tasks.wait()).await.is_err() {
        tracing::warn!("stopping with requests still running");
    }
    agent.lock("the agent stopped");
    Ok(())
}

/// A plain identity file needs no passphrase: the agent opens it at start (unattended hosts).
async fn open_plain_identity(agent: &Agent) {
    let plain = crate::config::Config::load(&agent.paths.config())
        .map(|config| state::identity_source(&agent.paths, &config))
        .is_ok_and(|source| matches!(source, IdentitySource::PlainFile(_)));
    if plain && let Err(e) = agent.unlock(None, tokio::time::Instant::now()).await {
        tracing::warn!(error = %e, "could not open the identity file; the agent stays locked");
    }
}

fn signal_error(e: &std::io::Error) -> Error {
    agent_error(format!("cannot handle signals ({e})"))
}

fn agent_error(message: String) -> Error {
    Error::Agent {
        class: ErrorClass::Other,
        message,
    }
}

#[cfg(test)]
mod tests;
