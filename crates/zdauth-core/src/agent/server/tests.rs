use std::sync::{Arc, Weak};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::state::Agent;
use crate::paths::Paths;
use crate::refresh::Refresher;
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
