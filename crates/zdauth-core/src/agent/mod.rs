//! The agent: one process per user and config dir that holds the opened identity (so that
//! commands stop asking the passphrase) and keeps every grant alive (keep-alive).

pub mod keepalive;
