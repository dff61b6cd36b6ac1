//! The zdauth engine: everything that keeps Zendesk OAuth tokens alive, and nothing of the
//! terminal (no ratatui, crossterm or clap in its tree). The doors (`zdauth`'s CLI, its demo)
//! and the face (its TUI) call in; nothing here calls out to them or prints, except the one
//! stderr line of a process that a deferred signal ends (`shield`).
//!
//! The refresh transaction ([`refresh::Refresher`]) is the one way to a fresh token: it holds
//! the connection's cross-process lock from re-reading the vault, through the POST, to the
//! stored new pair, because Zendesk spends a refresh token the moment it answers.
//!
//! `pub` here is the engine's API; what only the engine uses is `pub(crate)` or private.
//!
//! The map:
//!
//! - Connections and their tokens
//!   - [`config`]: config.toml, the connections and settings (no secret); read, checked, edited
//!     in place.
//!   - [`vault`]: the age-encrypted token store (vault.age), its identity, its rescue files.
//!   - [`manage`]: adding, changing and removing connections: config and vault together, under
//!     the same locks.
//!   - [`store`]: the team store (OpenBao / HashiCorp Vault KV v2) that holds the tokens
//!     instead of vault.age when `[store]` is configured: check-and-set writes and leases.
//!   - [`setup`]: first-time setup (config file, sealed identity, empty vault) for `init` and
//!     the TUI's welcome screen.
//! - Talking to Zendesk
//!   - [`zendesk`]: the OAuth and API endpoints over reqwest, and the reading of their answers.
//!   - [`login`]: browser login, authorization code + PKCE, the redirect caught on 127.0.0.1.
//!   - [`refresh`]: the refresh transaction, the minting of client-credentials tokens, and
//!     "a fresh token, then copy it" for the clipboard.
//!   - [`throttle`]: how many refreshes run at once, overall and per Zendesk account.
//!   - [`expiry`]: when a token expires, where that was learned, when a pair is due.
//!   - [`status`]: the state a connection's tokens are in at an instant, for every door.
//! - The agent
//!   - [`agent`]: one process per user and config dir that holds the opened identity and
//!     keeps every grant alive.
//! - Handing a token out
//!   - [`clipboard`]: copying a token where the user pastes it, and clearing it afterwards.
//!   - [`session`]: how a door's HTTP client, lock timeouts and refresher follow from
//!     `Settings`, so the CLI, the TUI and the demo build them one way.
//! - Files and the process
//!   - [`paths`]: where zdauth keeps its files and the permissions they must have.
//!   - [`safe_file`]: the one place files are opened: regular files only, size caps, no links.
//!   - [`atomic_file`]: crash-safe replacement of a file (temp, fsync, rename, fsync the dir).
//!   - `lock`: advisory file locks between zdauth processes (internal).
//!   - [`shield`]: what a process holding tokens does about signals, core dumps and ptrace.
//!   - [`sys`]: the calls into the C library; the one module allowed `unsafe`.
//! - Values every module shares
//!   - [`error`]: the engine's errors, one line each that ends with what to do, and their
//!     [`error::ErrorClass`] for the app's exit codes.
//!   - [`secret`]: a string zeroized on drop and never printed by `Debug`.
//!   - [`subdomain`]: a pasted subdomain made bare, or refused if it could name another host.
//!   - [`text`]: server text made safe for a terminal (no escapes, controls or bidi marks).

// Here rather than in `[workspace.lints]`: the app, its tests and benches still have `pub`
// items in private modules, which are not the engine's to fix.
#![warn(unreachable_pub)]

pub mod agent;
pub mod api;
pub mod atomic_file;
pub mod clipboard;
pub mod config;
pub mod doctor;
pub mod error;
pub mod expiry;
mod lock;
pub mod login;
pub mod manage;
pub mod paths;
pub mod refresh;
pub mod safe_file;
pub mod secret;
pub mod session;
pub mod setup;
pub mod shield;
pub mod status;
pub mod store;
pub mod subdomain;
pub mod sys;
pub mod text;
pub mod throttle;
pub mod vault;
pub mod zendesk;

pub use error::Error;
