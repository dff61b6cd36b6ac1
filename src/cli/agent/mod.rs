//! `unlock`, `lock` and `agent …`: the doors to the agent (crates/zdauth-core/src/agent).

use super::AgentCommand;
use super::context::Context;

pub fn unlock(_ctx: &Context) -> anyhow::Result<u8> {
    anyhow::bail!("zdauth unlock is not built yet")
}

pub fn lock(_ctx: &Context) -> anyhow::Result<u8> {
    anyhow::bail!("zdauth lock is not built yet")
}

pub fn command(_ctx: &Context, command: AgentCommand) -> anyhow::Result<u8> {
    match command {
        AgentCommand::Status { .. }
        | AgentCommand::Stop
        | AgentCommand::Run
        | AgentCommand::Install { .. }
        | AgentCommand::Uninstall => anyhow::bail!("zdauth agent is not built yet"),
    }
}
