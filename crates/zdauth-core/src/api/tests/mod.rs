//! `zdauth api`'s engine against real loopback HTTP: small axum servers that answer as each
//! test scripts them and count what they see, a real vault in a temp dir, the real refresh
//! transaction.

mod bodies;
mod cancel;
mod harness;
mod origin;
mod pages;
mod rate_limit;
mod rules;
mod transport;
