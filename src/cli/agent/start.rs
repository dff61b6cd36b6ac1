//! Getting an unlocked agent for a command: the running one, or one this command starts.

use zdauth_core::agent::{self, AgentClient, Hello};
use zdauth_core::error::{Error, ErrorClass};
use zdauth_core::paths::Paths;

/// The agent for `paths`, started (detached, from this very binary) if none runs.
pub fn running_agent(paths: &Paths) -> Result<(AgentClient, Hello), Error> {
    let program = std::env::current_exe().map_err(|e| Error::Agent {
        class: ErrorClass::Other,
        message: format!("cannot find the zdauth binary to start the agent ({e})"),
    })?;
    agent::running_or_started(paths, &program)
}
