//! The team store's lease, taken just before a refresh token is spent (issue 16): the file
//! lock keeps other processes of this machine out, the lease other machines. A live lease of
//! another holder is waited for, never spent past: its holder is spending the same token, and
//! the pair it stores is the answer.

use std::time::Duration;

use jiff::Timestamp;

use super::blocking;
use crate::error::Error;
use crate::vault::{ConnectionLock, Entry, Leasing, Vault};

/// Beyond a refresh's own longest time: clocks of two machines differ a little, and the
/// holder still has to write its pair after its last retry.
const MARGIN: Duration = Duration::from_secs(10);
/// Past the longest lease this machine would take, a lease is waited for no longer: one that
/// claims more is not a refresh of a zdauth configured like this one.
const PATIENCE: Duration = Duration::from_secs(30);

pub(super) enum Leased {
    /// Ours: the refresh token may be spent.
    Won(ConnectionLock),
    /// The secret moved on (another machine's pair, or its lease ended): decide again on
    /// this entry, as read now.
    Reread(ConnectionLock, Box<Option<Entry>>),
}

/// Takes `lock`'s lease in the store (always won without a store), or waits for another
/// holder's and reads again.
pub(super) async fn take(vault: &Vault, lock: ConnectionLock) -> Result<Leased, Error> {
    let Some(store) = vault.store() else {
        return Ok(Leased::Won(lock));
    };
    let longest = vault.connection_lock_timeout() + MARGIN;
    let described = store.describe().to_owned();
    blocking(move || {
        let until = Timestamp::now() + longest;
        let held = match lock.lease(until)? {
            Leasing::Won => return Ok(Leased::Won(lock)),
            Leasing::Moved => {
                let entry = lock.reload_writable()?;
                return Ok(Leased::Reread(lock, Box::new(entry)));
            }
            Leasing::Held(held) => held,
        };
        tracing::info!(holder = %held.holder, until = %held.until, "another machine is refreshing this connection: waiting for its pair");
        if !lock.wait_for_lease(&held, longest + PATIENCE)? {
            return Err(Error::Store {
                store: described,
                problem: format!(
                    "{} holds the refresh lease until {}, longer than any refresh takes; nothing was spent",
                    held.holder, held.until
                ),
                hint: "run the command again after that time, or check that machine's zdauth"
                    .into(),
            });
        }
        let entry = lock.reload_writable()?;
        Ok(Leased::Reread(lock, Box::new(entry)))
    })
    .await
}

/// How many times one transaction decides again after the store moved on: each time is
/// another machine's write, so more than this is a store that never holds still.
pub(super) const REDECIDE: usize = 8;

/// The error when the secret kept changing under every decision.
pub(super) fn kept_moving(vault: &Vault, name: &str) -> Error {
    Error::Store {
        store: vault
            .store()
            .map_or_else(String::new, |s| s.describe().to_owned()),
        problem: format!(
            "{name} changed on another machine each time it was read; nothing was spent"
        ),
        hint: "run the command again".into(),
    }
}
