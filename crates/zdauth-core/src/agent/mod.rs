//! The agent: one process per user and config dir that holds the opened identity (so that
//! commands stop asking the passphrase) and keeps every grant alive (keep-alive).
//!
//! It is an age *unwrap oracle*: a command that reads vault.age sends the header's stanzas
//! and gets the file key back ([`remote`]); the identity never crosses the socket. `token`
//! asks it for the access token itself (answered from config and vault it holds parsed).

mod client;
pub mod keepalive;
pub mod notify;
mod place;
mod protocol;
mod remote;
mod renew;
mod server;
mod spawn;

use std::time::Duration;

use jiff::Timestamp;

use crate::paths::Paths;

pub use client::{AgentClient, Hello, TokenAnswer};
pub use place::{Place, dir_id, running_agent_pid};
pub use protocol::{AgentStatus, KeptConnection, LockedBy};
pub(crate) use remote::AgentLost;
pub use remote::{keys_from, unlocked_keys};
pub use renew::{STORE_RENEW_EVERY, keep_store_token};
pub use server::serve;
pub use spawn::{running_or_started, spawn_detached, unlock_keys, wait_until_listening};

/// What the TUI's header shows of the agent for this config dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSummary {
    pub unlocked: bool,
    /// When it locks by itself; None while locked, or for a plain identity file.
    pub unlocked_until: Option<Timestamp>,
    pub next_keepalive: Option<Timestamp>,
}

/// The running agent's state, asked with a short timeout; None: no agent answers.
pub fn summary(paths: &Paths) -> Option<AgentSummary> {
    let client = AgentClient::new(paths).ok()?.answering_within(SUMMARY_WAIT);
    let status = client.status().ok()??;
    Some(AgentSummary {
        unlocked: status.unlocked,
        unlocked_until: status.unlocked_until,
        next_keepalive: status.next_keepalive,
    })
}

/// A status is answered at once; a screen must not wait longer for a stuck agent.
const SUMMARY_WAIT: Duration = Duration::from_secs(1);

/// How long a command waits for an agent it started to listen.
pub const START_WAIT: Duration = Duration::from_secs(10);
