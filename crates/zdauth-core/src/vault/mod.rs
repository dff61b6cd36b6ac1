//! The encrypted token store: a standard age file (vault.age) encrypted to the user's own
//! recipient, so saving needs no passphrase and the stock `age` tool can always read it.

mod commit;
mod keys;
mod payload;
pub(crate) mod preflight;
pub mod rescue;
mod store;
mod unlock;

pub use keys::Keys;
pub use payload::{Entry, Tokens, User, VaultData};
pub use store::{ConnectionLock, DirLock, Vault};
pub use unlock::{IdentitySource, check_recipient, identity_source, unlock, write_recipient};
