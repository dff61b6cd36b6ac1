//! The steps of the refresh transaction that touch the vault: lock and re-read, store a new
//! pair that must never be lost, record what was learned after it, keep an error note.

use std::time::Duration;

use crate::error::Error;
use crate::vault::preflight::{self, Reserved};
use crate::vault::{ConnectionLock, Entry, Tokens, User, Vault};

/// Takes the connection's cross-process lock and reads its entry as it is on disk now.
pub(crate) async fn lock_and_reload(
    vault: &Vault,
    name: &str,
) -> Result<(ConnectionLock, Option<Entry>), Error> {
    let vault = vault.clone();
    let name = name.to_owned();
    blocking(move || {
        let lock = vault.lock_connection(&name)?;
        // A pair an earlier run rescued replaces the spent one before anyone reads it.
        for taken in lock.take_back_rescues()? {
            tracing::warn!(connection = %name, "{taken}");
        }
        let entry = lock.reload_writable()?;
        Ok((lock, entry))
    })
    .await
}

/// Saves a pair whose predecessor is already spent into the space `room` held for it:
/// retried, and if vault.age still cannot take it, written to a rescue file outside the
/// config dir. Never dropped.
pub(crate) async fn store_new_pair(
    lock: ConnectionLock,
    room: Reserved,
    name: &str,
    entry: Entry,
) -> Result<ConnectionLock, Error> {
    let name = name.to_owned();
    blocking(move || {
        room.release();
        let mut last = None;
        for attempt in 0..3 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200 * attempt));
            }
            match lock.persist(entry.clone()) {
                Ok(()) => return Ok(lock),
                Err(e) => last = Some(e),
            }
        }
        let reason = last.map(|e| e.to_string()).unwrap_or_default();
        // What Zendesk took for this pair: a login stores no last refresh.
        let spent = if entry.last_refresh.is_some() {
            "refresh token"
        } else {
            "login code"
        };
        let rescue = match lock.vault().write_rescue(&name, &entry) {
            Ok(rescue) => rescue,
            Err(e) => {
                tracing::error!(connection = %name, "the new pair could not be saved anywhere");
                return Err(Error::PairLost {
                    name,
                    spent,
                    reason,
                    rescue_error: e.to_string(),
                });
            }
        };
        tracing::error!(connection = %name, rescue = %rescue.display(), "new pair saved to a rescue file");
        Err(Error::Rescued {
            name,
            spent,
            reason,
            rescue,
        })
    })
    .await
}

/// Proves, before a refresh token or code is spent, that the new pair will fit (item 31).
pub(crate) async fn reserve_room(vault: &Vault) -> Result<Reserved, Error> {
    let paths = vault.paths().clone();
    blocking(move || preflight::reserve(&paths)).await
}

/// Stores an error note (tokens unchanged). A failure here is logged, not returned: the
/// caller's own error is the one that explains what happened.
pub(super) async fn keep_note(lock: ConnectionLock, entry: Entry) {
    if let Err(e) = blocking(move || lock.persist(entry)).await {
        tracing::warn!(error = %e, "could not store the refresh error");
    }
}

/// Whether [`record_details`] also records who the tokens belong to.
pub(crate) enum Owner {
    Unchanged,
    /// As users/me answered after a login; `None` when it did not.
    Learned(Option<User>),
}

/// Adds what was learned after storing a pair (its expiries and their source, and maybe its
/// owner), if the stored pair is still `tokens`: a newer one must not get stale details.
pub(crate) async fn record_details(
    vault: &Vault,
    name: &str,
    tokens: &Tokens,
    owner: Owner,
) -> Result<(), Error> {
    let (lock, entry) = lock_and_reload(vault, name).await?;
    let Some(mut entry) = entry else {
        return Ok(());
    };
    let Some(stored) = entry.tokens.as_mut() else {
        return Ok(());
    };
    if stored.access_token != tokens.access_token {
        return Ok(());
    }
    stored.refresh_expires_at = tokens.refresh_expires_at;
    stored.expires_at = tokens.expires_at;
    stored.expiry_source = tokens.expiry_source;
    if let Owner::Learned(user) = owner {
        entry.user = user;
    }
    blocking(move || lock.persist(entry)).await
}

pub(super) async fn reload(lock: ConnectionLock) -> Result<(ConnectionLock, Option<Entry>), Error> {
    blocking(move || {
        let entry = lock.reload()?;
        Ok((lock, entry))
    })
    .await
}

/// File locks and age decryption block; keep them off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}
