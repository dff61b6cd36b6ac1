//! `unlock`, `lock` and `agent …`: the doors to the agent (crates/zdauth-core/src/agent).

mod service;

use super::AgentCommand;
use super::context::Context;

pub fn unlock(_ctx: &Context) -> anyhow::Result<u8> {
    anyhow::bail!("zdauth unlock is not built yet")
}

pub fn lock(_ctx: &Context) -> anyhow::Result<u8> {
    anyhow::bail!("zdauth lock is not built yet")
}

// By value as the dispatcher hands it over; no arm needs more than a copy of its fields.
#[allow(clippy::needless_pass_by_value)]
pub fn command(ctx: &Context, command: AgentCommand) -> anyhow::Result<u8> {
    match command {
        AgentCommand::Install { print } => service::install(ctx, print),
        AgentCommand::Uninstall => service::uninstall(ctx),
        AgentCommand::Status { .. } | AgentCommand::Stop | AgentCommand::Run => {
            anyhow::bail!("zdauth agent is not built yet")
        }
    }
}
