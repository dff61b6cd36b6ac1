//! The agent: one process per user and config dir that holds the opened identity (so that
//! commands stop asking the passphrase) and keeps every grant alive (keep-alive).

pub mod keepalive;
pub mod notify;

use jiff::Timestamp;

use crate::paths::Paths;

/// What the TUI's header shows of the agent for this config dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSummary {
    pub unlocked: bool,
    /// When it locks by itself; None while locked, or for a plain identity file.
    pub unlocked_until: Option<Timestamp>,
    pub next_keepalive: Option<Timestamp>,
}

/// The running agent's state, asked with a short timeout; None: no agent answers.
/// Placeholder until the agent lands.
pub fn summary(_paths: &Paths) -> Option<AgentSummary> {
    None
}
