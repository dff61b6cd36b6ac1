//! `unlock`, `lock` and `agent …`: the doors to the agent (crates/zdauth-core/src/agent).

mod fast;
mod run;
mod service;
mod start;
mod status;

use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::AgentCommand;
use super::context::Context;
use super::passphrase;
use crate::exit;
use zdauth_core::agent::{self, AgentClient};
use zdauth_core::error::Error;
use zdauth_core::expiry::humanize;
use zdauth_core::vault::IdentitySource;

pub use fast::fast_token;
pub use start::running_agent;

/// Asks the passphrase (a sealed identity), starts the agent if none runs, hands it over.
pub fn unlock(ctx: &Context) -> anyhow::Result<u8> {
    let config = ctx.config()?;
    let passphrase = match ctx.identity_source(&config) {
        IdentitySource::Sealed(path) if !path.exists() => {
            return Err(Error::NotInitialized {
                dir: ctx.paths.dir().to_path_buf(),
            }
            .into());
        }
        IdentitySource::Sealed(path) => Some(passphrase::existing(&path)?),
        IdentitySource::PlainFile(_) => None,
    };
    let (client, _) = running_agent(&ctx.paths)?;
    match client.unlock(passphrase, &ctx.paths.identity())? {
        Some(until) => outln!(
            "unlocked until {} ({} without a use of the identity; agent_timeout); `zdauth lock` locks it now",
            shown(until),
            humanize(until.duration_since(Timestamp::now()))
        ),
        None => outln!(
            "unlocked: the agent reads the plain identity file, so it stays unlocked until `zdauth lock`"
        ),
    }
    Ok(exit::OK)
}

pub fn lock(ctx: &Context) -> anyhow::Result<u8> {
    if AgentClient::new(&ctx.paths)?.lock()? {
        outln!("locked: the agent forgot the identity; `zdauth unlock` opens it again");
    } else {
        outln!("no agent runs for this config dir: nothing to lock");
    }
    Ok(exit::OK)
}

// By value, as the dispatcher in cli/mod.rs hands every subcommand over.
#[allow(clippy::needless_pass_by_value)]
pub fn command(ctx: &Context, command: AgentCommand) -> anyhow::Result<u8> {
    match command {
        AgentCommand::Status { json } => status::status(ctx, json),
        AgentCommand::Stop => stop(ctx),
        AgentCommand::Run => run::run(ctx),
        AgentCommand::Install { print } => service::install(ctx, print),
        AgentCommand::Uninstall => service::uninstall(ctx),
    }
}

/// How long `agent stop` waits for the agent to be gone (it lets a refresh on the wire end).
const STOP_WAIT: Duration = Duration::from_secs(130);

fn stop(ctx: &Context) -> anyhow::Result<u8> {
    let client = AgentClient::new(&ctx.paths)?;
    let socket = client.reached_socket();
    match client.stop() {
        Ok(false) => {
            outln!("no agent runs for this config dir");
            return Ok(exit::OK);
        }
        Ok(true) => {}
        // Stopped (SIGSTOP), swapped out or deadlocked: it cannot hear a request, but the
        // kernel delivers a signal to it, and only to the pid the record's lock proves.
        Err(e) => {
            let Some(pid) = client.terminate()? else {
                return Err(e.into());
            };
            outln!(
                "the agent (pid {pid}) did not answer ({}): sent it SIGTERM",
                zdauth_core::text::display(&e.to_string())
            );
        }
    }
    let started = Instant::now();
    let gone =
        || socket.symlink_metadata().is_err() && agent::running_agent_pid(&ctx.paths).is_none();
    while !gone() && started.elapsed() < STOP_WAIT {
        std::thread::sleep(Duration::from_millis(20));
    }
    if !gone() {
        return Err(Error::Usage(format!(
            "the agent was asked to stop but still listens on {}: end it with `kill` (its pid is in `zdauth agent status`)",
            socket.display()
        ))
        .into());
    }
    outln!("agent stopped");
    Ok(exit::OK)
}

fn shown(at: Timestamp) -> String {
    at.round(jiff::Unit::Second)
        .map_or_else(|_| at.to_string(), |at| at.to_string())
}
