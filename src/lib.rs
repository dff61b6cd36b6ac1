//! zdauth keeps Zendesk OAuth tokens alive for admins who manage many subdomains.
//!
//! The engine (`config`, `vault`, `paths`, `status`, `subdomain`, `text`) knows nothing of the
//! terminal; the doors (`cli`) call into it, and the face (`tui`) draws it.

pub mod atomic_file;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod demo;
pub mod error;
pub mod exit;
pub mod expiry;
pub mod fake;
pub mod lock;
pub mod logging;
pub mod login;
pub mod manage;
pub mod paths;
pub mod refresh;
pub mod safe_file;
pub mod secret;
pub mod setup;
pub mod shield;
pub mod status;
pub mod subdomain;
pub mod text;
pub mod throttle;
pub mod tui;
pub mod vault;
pub mod zendesk;

pub use error::Error;
