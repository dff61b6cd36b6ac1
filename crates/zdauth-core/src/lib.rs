//! zdauth keeps Zendesk OAuth tokens alive for admins who manage many subdomains.
//!
//! The engine (`config`, `vault`, `paths`, `status`, `subdomain`, `text`) knows nothing of the
//! terminal; the doors (`cli`) call into it, and the face (`tui`) draws it.

pub mod atomic_file;
pub mod clipboard;
pub mod config;
pub mod error;
pub mod expiry;
pub mod lock;
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
pub mod subdomain;
pub mod sys;
pub mod text;
pub mod throttle;
pub mod vault;
pub mod zendesk;

pub use error::Error;
