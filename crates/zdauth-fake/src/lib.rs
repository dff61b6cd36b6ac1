//! A fake Zendesk OAuth server on loopback, strict where Zendesk's docs are, for the tests and
//! `zdauth demo`.
//!
//! It is written from the facts file, not from zdauth's client code, so that the two can catch
//! each other's mistakes. It serves the Support endpoints at its root and the Chat (Zopim)
//! endpoints under `/oauth2/`, on an ephemeral 127.0.0.1 port, on the caller's tokio runtime.

mod answer;
mod api;
mod authorize;
mod client_credentials_grant;
mod code_grant;
mod counters;
mod crypto;
mod echo;
mod errors;
mod faults;
mod hostile;
mod jwt;
mod lifetimes;
mod options;
mod pages;
mod params;
mod refresh_grant;
mod server;
mod state;
mod token;

pub use counters::Counters;
pub use faults::{Fault, FaultTarget};
pub use hostile::Hostile;
pub use options::{Approval, FakeClient, FakeKind, FakeOptions, FakeUser};
pub use server::{FakeZendesk, IssuedTokens};
