//! `zdauth agent status [--json]`.

use serde::Serialize;

use super::super::context::Context;
use super::shown;
use crate::exit;
use zdauth_core::agent::{AgentClient, KeptConnection, LockedBy};

/// `--json`: at least these fields, whether an agent runs or not.
#[derive(Serialize)]
struct Json<'a> {
    running: bool,
    unlocked: bool,
    socket: String,
    pid: Option<u32>,
    identity: Option<&'a str>,
    unlocked_until: Option<jiff::Timestamp>,
    next_keepalive: Option<jiff::Timestamp>,
    keepalive_problem: Option<&'a str>,
    connections: &'a [KeptConnection],
    locked_by: Option<LockedBy>,
    keepalive_waiting: Option<&'a str>,
}

pub fn status(ctx: &Context, json: bool) -> anyhow::Result<u8> {
    let client = AgentClient::new(&ctx.paths)?;
    let socket = client.reached_socket().display().to_string();
    let status = client.status()?;
    if json {
        let out = match &status {
            None => Json {
                running: false,
                unlocked: false,
                socket,
                pid: None,
                identity: None,
                unlocked_until: None,
                next_keepalive: None,
                keepalive_problem: None,
                connections: &[],
                locked_by: None,
                keepalive_waiting: None,
            },
            Some(s) => Json {
                running: true,
                unlocked: s.unlocked,
                socket,
                pid: Some(s.pid),
                identity: Some(&s.identity),
                unlocked_until: s.unlocked_until,
                next_keepalive: s.next_keepalive,
                keepalive_problem: s.keepalive_problem.as_deref(),
                connections: &s.connections,
                locked_by: s.locked_by,
                keepalive_waiting: s.keepalive_waiting.as_deref(),
            },
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(exit::OK);
    }
    let Some(s) = status else {
        outln!("agent: not running (socket {socket}); `zdauth unlock` starts one");
        return Ok(exit::OK);
    };
    let state = match (s.unlocked, s.unlocked_until) {
        (false, _) => match s.locked_by {
            Some(LockedBy::Command) => {
                "locked by `zdauth lock` (`zdauth unlock` opens the identity)"
            }
            Some(LockedBy::Timeout) => {
                "locked by agent_timeout (`zdauth unlock` opens the identity)"
            }
            _ => "locked (`zdauth unlock` opens the identity)",
        }
        .to_owned(),
        (true, Some(until)) => format!("unlocked until {}", shown(until)),
        (true, None) => "unlocked (plain identity file: no timeout)".to_owned(),
    };
    outln!("agent: running, pid {}, {state}", s.pid);
    outln!("socket: {socket}");
    outln!("identity: {}", zdauth_core::text::display(&s.identity));
    // Off, or nothing readable: "none due" would say every grant is fine.
    let problem = s
        .keepalive_problem
        .as_deref()
        .map(zdauth_core::text::display);
    match (&s.keepalive_waiting, s.next_keepalive, problem) {
        (Some(why), _, _) => outln!("next keep-alive: {}", zdauth_core::text::display(why)),
        (None, Some(at), None) => outln!("next keep-alive: {}", shown(at)),
        (None, Some(at), Some(problem)) => {
            outln!("next keep-alive: {} (a retry: {problem})", shown(at));
        }
        (None, None, None) => outln!("next keep-alive: none due"),
        (None, None, Some(problem)) => outln!("next keep-alive: none: {problem}"),
    }
    for c in &s.connections {
        let last = c.last_keepalive.map_or_else(|| "never".to_owned(), shown);
        outln!(
            "  {}: last keep-alive {last}: {}{}",
            c.name,
            zdauth_core::text::display(&c.result),
            c.warning
                .as_deref()
                .map(|w| format!(" (warning: {})", zdauth_core::text::display(w)))
                .unwrap_or_default()
        );
    }
    Ok(exit::OK)
}
