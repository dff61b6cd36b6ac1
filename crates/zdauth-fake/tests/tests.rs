//! The fake Zendesk over real loopback HTTP, one binary for every suite: each test starts its
//! own server on an ephemeral 127.0.0.1 port and talks to it with reqwest.

mod answers;
mod api;
mod authorize;
mod chat;
mod client_credentials;
mod code_grant;
mod faults;
mod flow;
mod support;
mod token_requests;
