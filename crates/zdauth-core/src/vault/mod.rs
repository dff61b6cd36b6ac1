//! The encrypted token store: a standard age file (vault.age) encrypted to the user's own
//! recipient, so saving needs no passphrase and the stock `age` tool can always read it.

mod commit;
mod keys;
mod late;
mod payload;
pub(crate) mod preflight;
pub mod rescue;
pub(crate) mod shared;
mod shared_lock;
mod store;
#[cfg(test)]
mod tests;
mod unlock;

pub use keys::Keys;
pub(crate) use late::pair_key as late_pair_key;
pub use payload::{Entry, Tokens, User, VaultData};
pub use store::{ConnectionLock, DirLock, Vault};
pub use unlock::{IdentitySource, check_recipient, identity_source, unlock, write_recipient};

/// What taking a connection's lease in the store came to (the local vault always wins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leasing {
    /// Ours until then: the refresh token may be spent.
    Won,
    /// Another process holds it: wait, re-read, take its pair.
    Held(crate::store::Lease),
    /// The secret moved on since it was read: re-read, never spend.
    Moved,
}

/// The vault every door opens: `keys` over `paths`, the user's rescue places, and the team
/// store when `config` has `[store]` (with `env` as the process has it).
pub fn open(
    paths: &crate::paths::Paths,
    keys: Keys,
    config: &crate::config::Config,
    env: &crate::store::StoreEnv,
) -> Result<Vault, crate::error::Error> {
    let vault = Vault::new(paths.clone(), keys).with_rescue_places(rescue::user_places(paths));
    let Some(settings) = &config.store else {
        return Ok(vault);
    };
    let store = crate::store::Store::open(settings, env)?;
    let descriptors = config
        .connections
        .iter()
        .map(|c| (c.name.clone(), crate::store::Descriptor::of(c)))
        .collect();
    vault.with_store(store, descriptors)
}
