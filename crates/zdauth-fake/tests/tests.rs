//! The fake Zendesk over real loopback HTTP, one binary for every suite: each test starts its
//! own server on an ephemeral 127.0.0.1 port and talks to it with reqwest.

mod answers;
mod api;
mod api_counters;
mod authorize;
mod chat;
mod client_credentials;
mod code_grant;
mod faults;
mod flow;
mod oauth_clients;
mod pagination;
mod rate_limit;
mod rest_access;
mod support;
mod tickets;
mod token_requests;
