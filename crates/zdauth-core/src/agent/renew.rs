//! Long-running processes (the agent, the TUI) keep their team-store token alive: a token
//! from AppRole or `bao login` has a TTL, and a command started hours later through the
//! agent must not find it expired. The store renews only when a third of the lifetime is
//! left, so looking every few minutes costs one lookup, no write.

use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::refresh::Refresher;
use crate::store::Store;

/// How often a long-running process asks its store whether the token is due for renewal:
/// well inside the shortest TTL worth running with (AppRole's default is 1 h).
pub const STORE_RENEW_EVERY: Duration = Duration::from_secs(5 * 60);

/// Renews `store`'s token when due, every [`STORE_RENEW_EVERY`], until `stop`. A failure is
/// logged, not fatal: the next request says what is wrong, to whoever made it.
pub async fn keep_store_token(store: Store, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(STORE_RENEW_EVERY) => {}
        }
        renew(store.clone()).await;
    }
}

/// [`keep_store_token`] for whichever store the agent's current refresher has (none while
/// locked or without `[store]`).
pub(super) async fn keep_agent_store_token(
    refresher: watch::Receiver<Option<std::sync::Arc<Refresher>>>,
    stop: CancellationToken,
) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(STORE_RENEW_EVERY) => {}
        }
        let store = refresher
            .borrow()
            .as_ref()
            .and_then(|r| r.vault().store().cloned());
        if let Some(store) = store {
            renew(store).await;
        }
    }
}

/// Off the async workers: the store's client blocks.
async fn renew(store: Store) {
    let described = store.describe().to_owned();
    match tokio::task::spawn_blocking(move || store.renew_if_due()).await {
        Ok(Ok(())) => tracing::debug!(store = %described, "store token checked"),
        Ok(Err(e)) => {
            tracing::warn!(store = %described, error = %e, "could not renew the store token");
        }
        Err(e) => {
            tracing::warn!(store = %described, error = %e, "the store token's renewal failed");
        }
    }
}
