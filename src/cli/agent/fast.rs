//! `zdauth token`'s fast path: a running, unlocked agent answers before config.toml is read.

use std::time::Duration;

use zdauth_core::agent::{AgentClient, TokenAnswer};
use zdauth_core::error::Error;
use zdauth_core::secret::Secret;

use super::super::context::Context;
use super::super::passphrase::IDENTITY_FILE_VAR;

/// The agent's token; None: ask the slow path (no agent, locked, unreachable), which then
/// reports or recovers as without an agent.
pub fn fast_token(
    ctx: &Context,
    name: &str,
    min_valid: Option<Duration>,
) -> Result<Option<Secret>, Error> {
    // An identity file named for this process is this process's choice, not the agent's.
    if std::env::var_os(IDENTITY_FILE_VAR).is_some_and(|v| !v.is_empty()) {
        return Ok(None);
    }
    let Ok(client) = AgentClient::new(&ctx.paths) else {
        return Ok(None);
    };
    match client.token(name, min_valid) {
        TokenAnswer::Token(token) => Ok(Some(token)),
        TokenAnswer::Refused(e) => Err(e),
        TokenAnswer::Unavailable(why) => {
            tracing::debug!(%why, "token: no answer from the agent; opening the vault here");
            Ok(None)
        }
    }
}
