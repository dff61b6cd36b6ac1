//! The engine of `zdauth store list | rekey | migrate`: what the store holds, re-encrypting it
//! to the members now listed, and moving entries between the local vault and the store.

use jiff::Timestamp;

use super::{Descriptor, Lease};
use crate::error::Error;
use crate::vault::Vault;

/// One secret under the prefix, as this machine can read it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub version: u64,
    /// `None` when the payload is not encrypted to this machine's identity.
    pub descriptor: Option<Descriptor>,
    pub readable: bool,
    pub has_tokens: bool,
    pub login_required: bool,
    pub last_refresh: Option<Timestamp>,
    pub lease: Option<Lease>,
}

/// Every secret under the prefix. `vault` must have a store.
pub fn list(vault: &Vault) -> Result<Vec<Listed>, Error> {
    let _ = vault;
    Err(Error::Usage("store list is not built yet".into()))
}

/// What `rekey` did to one secret.
#[derive(Debug)]
pub enum Rekeyed {
    /// Re-encrypted to this machine and every `[store].recipients` entry.
    Done,
    /// This machine cannot read it: a member who can must run rekey.
    Unreadable,
    /// Changed by another machine while rekeying; run rekey again.
    Moved,
}

/// Re-encrypts every readable secret to the recipients configured now, each under CAS.
pub fn rekey(vault: &Vault) -> Result<Vec<(String, Rekeyed)>, Error> {
    let _ = vault;
    Err(Error::Usage("store rekey is not built yet".into()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The local vault's entries into the store.
    ToStore,
    /// The store's entries into the local vault (`--to-local`).
    ToLocal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migrated {
    Copied,
    /// The destination holds the same pair already.
    AlreadyThere,
    /// The destination holds a newer pair (or one changed meanwhile): left as it is.
    RefusedNewer,
    /// Nothing to copy for this name.
    Missing,
}

/// Copies `names` between `local` (a vault without a store) and `shared` (the same paths and
/// keys, with the store), each under CAS, never overwriting a newer pair; the source's pair is
/// then cleared, so that no refresh token is ever held in two places.
pub fn migrate(
    local: &Vault,
    shared: &Vault,
    direction: Direction,
    names: &[String],
) -> Result<Vec<(String, Migrated)>, Error> {
    let _ = (local, shared, direction, names);
    Err(Error::Usage("store migrate is not built yet".into()))
}
