//! A fake Zendesk OAuth server on loopback, strict where Zendesk's docs are, for the tests and
//! `zdauth demo`.
//!
//! It is written from the facts file, not from zdauth's client code (it does not depend on
//! zdauth-core), so that the two can catch each other's mistakes. It serves the Support
//! endpoints at its root and the Chat (Zopim) endpoints under `/oauth2/`, on an ephemeral
//! 127.0.0.1 port, on the caller's tokio runtime.
//!
//! By default it answers as Zendesk does. The `testing` feature (enabled by the tests' dev
//! dependency, not by the shipped binary) adds the fault injector, the counters, hostile
//! answers, the knobs that make it unlike Zendesk, and handles that reach inside it.
//!
//! The modules:
//! - `server`: the running server, its routes, and the handle the demo and the tests hold.
//! - `options`: what the caller configures before start: clients, user, approval, latency.
//! - `gate`: the middleware in front of every route: latency, counting, the fault injector.
//! - `authorize`: the authorization endpoints and the consent page's decision.
//! - `token`: the token endpoints: body, client authentication, dispatch by grant type.
//! - `code_grant`, `refresh_grant`, `client_credentials_grant`: one grant type each.
//! - `lifetimes`: requested token lifetimes against Zendesk's bounds.
//! - `answer`: the success body of a token request, as Zendesk sends it.
//! - `api`: users/me, tokens/current.json, revoking a token, the 404 of an unknown API route.
//! - `lists`, `tickets`: the REST API slice `zdauth api` meets: users, triggers, search and
//!   Chat's chats, paged as Zendesk pages (`paging`) over made-up `records`; tickets echoed.
//! - `oauth_clients`: the OAuth clients API (list, create, show, update), for API tokens.
//! - `access`, `rate_limit`: who may call the REST API; the account's requests a minute.
//! - `state`: the fake's memory: clients, codes, grants and their current token pair.
//! - `params`, `errors`, `pages`: request parameters, JSON error bodies, HTML pages.
//! - `crypto`, `jwt`: random tokens and PKCE; access tokens shaped as Zendesk's JWTs.
//! - `testing` (feature `testing`): faults, counters, hostile answers, knobs, test handles.
//! - `honest` (without `testing`): stand-ins for each of those, with Zendesk's behaviour.
//! - `openbao` (feature `testing`): a real OpenBao server for the team store's tests, not part
//!   of the fake Zendesk.

mod access;
mod answer;
mod api;
mod authorize;
mod client_credentials_grant;
mod code_grant;
mod crypto;
mod errors;
mod gate;
mod jwt;
mod lifetimes;
mod lists;
mod oauth_clients;
mod options;
mod pages;
mod paging;
mod params;
mod rate_limit;
mod records;
mod refresh_grant;
mod server;
mod state;
mod tickets;
mod token;

// A real OpenBao server for the team store's tests.
#[cfg(feature = "testing")]
pub mod openbao;

// The test seams: with the feature, the real ones; without it, stand-ins with the same
// signatures that answer as Zendesk does and compile to nothing.
#[cfg(not(feature = "testing"))]
mod honest;
#[cfg(feature = "testing")]
mod testing;
#[cfg(not(feature = "testing"))]
use honest as seams;
#[cfg(feature = "testing")]
use testing as seams;

pub use options::{Approval, FakeApiToken, FakeClient, FakeKind, FakeOptions, FakeUser};
pub use server::{FakeZendesk, IssuedTokens};
#[cfg(feature = "testing")]
pub use testing::{Counters, Fault, FaultTarget, Hostile};
