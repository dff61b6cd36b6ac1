use std::sync::{Arc, Weak};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use tokio::time::Instant;

use super::state::Agent;
use crate::agent::protocol::LockedBy;
use crate::error::Error;
use crate::paths::Paths;
use crate::refresh::Refresher;
use crate::secret::Secret;
use crate::throttle::{DEFAULT_JOBS, Throttle};

/// A plain identity file, a config naming it, an empty vault.
fn plain_setup(dir: &std::path::Path) -> Paths {
    use age::secrecy::ExposeSecret;
    let paths = Paths::at(dir.join("cfg"));
    paths.create_dir().unwrap();
    let key = dir.join("key.txt");
    let identity = age::x25519::Identity::generate();
    std::fs::write(&key, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    std::fs::write(
        paths.config(),
        format!("[settings]\nidentity_file = \"{}\"\n", key.display()),
    )
    .unwrap();
    paths
}

/// Lock (and so timeout and exit, which lock) leaves no reference to the opened identity:
/// the refresher, its vault and its keys are dropped, and age's X25519 identity and every
/// `Secret` zeroize on drop. Keep-alive's copy goes with the watch channel's value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_drops_every_reference_to_the_keys() {
    let temp = tempfile::tempdir().unwrap();
    let paths = plain_setup(temp.path());
    let (tx, mut rx) = watch::channel::<Option<Arc<Refresher>>>(None);
    let agent = Arc::new(Agent::new(
        paths,
        tx,
        Throttle::new(DEFAULT_JOBS),
        CancellationToken::new(),
    ));
    agent
        .unlock(None, tokio::time::Instant::now())
        .await
        .unwrap();
    let held: Weak<Refresher> = Arc::downgrade(rx.borrow_and_update().as_ref().unwrap());
    // A token answer fills the cache, which holds the vault's plaintext tokens.
    let _ = agent.token("none", None).await;
    assert!(held.upgrade().is_some());
    agent.lock("test");
    assert!(rx.borrow().is_none(), "keep-alive still has the identity");
    assert!(held.upgrade().is_none(), "the keys outlived the lock");
    assert!(agent.recipient().is_none());
}

/// An unlock after the lock opens the identity again (a plain file needs no passphrase).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_identity_opens_without_a_passphrase_and_has_no_timeout() {
    let temp = tempfile::tempdir().unwrap();
    let paths = plain_setup(temp.path());
    let (tx, _rx) = watch::channel(None);
    let agent = Agent::new(
        paths,
        tx,
        Throttle::new(DEFAULT_JOBS),
        CancellationToken::new(),
    );
    let until = agent
        .unlock(None, tokio::time::Instant::now())
        .await
        .unwrap();
    assert!(until.is_none());
    assert_eq!(agent.unlocked_until(), (true, None));
}

const RIGHT: &str = "the right passphrase";

/// identity.age sealed under [`RIGHT`], config.toml with `settings`, no vault yet.
fn sealed_setup(dir: &std::path::Path, settings: &str) -> Paths {
    let paths = Paths::at(dir.join("cfg"));
    paths.create_dir().unwrap();
    let sealed = crate::vault::Keys::generate()
        .seal(&Secret::new(RIGHT), 10)
        .unwrap();
    std::fs::write(paths.identity(), sealed).unwrap();
    std::fs::write(paths.config(), format!("[settings]\n{settings}\n")).unwrap();
    paths
}

fn sealed_agent(dir: &std::path::Path, settings: &str) -> Arc<Agent> {
    let (tx, _) = watch::channel(None);
    Arc::new(Agent::new(
        sealed_setup(dir, settings),
        tx,
        Throttle::new(DEFAULT_JOBS),
        CancellationToken::new(),
    ))
}

/// Review finding 5: an unlock that waited behind another's scrypt is answered by that open
/// only if its passphrase is the same. Polled in this order, the right one takes the unlock
/// first and the wrong one waits behind it, with an arrival time before the open: no race
/// to win, whatever the machine's speed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_passphrase_never_rides_on_a_right_one_beside_it() {
    let temp = tempfile::tempdir().unwrap();
    let agent = sealed_agent(temp.path(), "");
    let asked_at = Instant::now();
    let (right, wrong) = tokio::join!(
        agent.unlock(Some(Secret::new(RIGHT)), asked_at),
        agent.unlock(Some(Secret::new("a wrong passphrase")), asked_at),
    );
    right.unwrap();
    assert!(
        matches!(wrong, Err(Error::WrongPassphrase { .. })),
        "{wrong:?}"
    );
    assert!(agent.unlocked_until().0, "the right unlock stands");
    assert!(!agent.keeps_a_passphrase(), "kept after the last waiter");
}

/// The same passphrase waiting behind a right one is answered by that open (one scrypt),
/// and the copy kept for it is gone once it has compared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_passphrase_waiting_behind_an_unlock_shares_it() {
    let temp = tempfile::tempdir().unwrap();
    let agent = sealed_agent(temp.path(), "");
    let asked_at = Instant::now();
    let (first, second) = tokio::join!(
        agent.unlock(Some(Secret::new(RIGHT)), asked_at),
        agent.unlock(Some(Secret::new(RIGHT)), asked_at),
    );
    // A second open would have started its timeout later (nanoseconds apart).
    assert_eq!(
        first.unwrap(),
        second.unwrap(),
        "the second unlock opened again"
    );
    assert!(!agent.keeps_a_passphrase());
}

/// An agent with `agent_timeout = "1h"`, unlocked, whose last secret use is two hours back
/// in wall-clock time (as after a night of suspend, when no monotonic timer moved).
async fn unlocked_and_last_used_two_hours_ago(dir: &std::path::Path) -> Arc<Agent> {
    let agent = sealed_agent(dir, "agent_timeout = \"1h\"");
    agent
        .unlock(Some(Secret::new(RIGHT)), Instant::now())
        .await
        .unwrap();
    let two_hours_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
    agent
        .with_open(|open| open.last_use = two_hours_ago)
        .unwrap();
    agent
}

/// Review finding 7: the timeout is wall-clock time. A last use two hours ago (as after a
/// night of suspend, when no monotonic timer moved) locks at the next secret use, before
/// anything is answered, and says it was the timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_passed_in_wall_clock_time_locks_at_the_next_secret_use() {
    let temp = tempfile::tempdir().unwrap();
    let agent = unlocked_and_last_used_two_hours_ago(temp.path()).await;
    let used = agent.with_open(|_| ());
    assert!(matches!(used, Err(Error::Locked(_))), "{used:?}");
    assert_eq!(agent.locked_by(), Some(LockedBy::Timeout));
    assert!(agent.recipient().is_none());
}

/// The watch reads the same wall clock: a deadline already past locks at once (bounded
/// wait, nothing timed is asserted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeout_watch_locks_on_a_wall_clock_deadline() {
    let temp = tempfile::tempdir().unwrap();
    let agent = unlocked_and_last_used_two_hours_ago(temp.path()).await;
    let watch = tokio::spawn(agent.clone().watch_timeout());
    let started = std::time::Instant::now();
    while agent.locked_by() != Some(LockedBy::Timeout) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the watch never locked"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    agent.stop.cancel();
    watch.await.unwrap();
}

/// A fresh agent says it has not been unlocked since it started; `lock` says it was asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_says_why_it_is_locked() {
    let temp = tempfile::tempdir().unwrap();
    let agent = sealed_agent(temp.path(), "");
    assert_eq!(agent.locked_by(), Some(LockedBy::Start));
    agent
        .unlock(Some(Secret::new(RIGHT)), Instant::now())
        .await
        .unwrap();
    assert_eq!(agent.locked_by(), None);
    agent.lock("test");
    assert_eq!(agent.locked_by(), Some(LockedBy::Command));
}
