//! The agent through the real binary (issue 13 §6): unlock once and every command goes
//! through it; lock, timeout, other users, other config dirs, a killed agent, the TUI, the
//! socket's directory, what crosses the socket, and keep-alive in the agent's own process.

mod crash;
mod daily;
mod held;
mod isolation;
mod keepalive;
mod lifecycle;
mod process;
mod reach;
mod status;
mod sticky;
mod throttle;
mod wire;

use std::process::{Child, Stdio};

use jiff::Timestamp;
use serde_json::Value;

use crate::common::world::World;
use crate::common::{PASSPHRASE, Run};

/// Writes log lines at debug (scrypt runs, agent requests) for the tests to count.
pub const DEBUG: (&str, &str) = ("RUST_LOG", "zdauth=debug");
pub const WITH_PASSPHRASE: (&str, &str) = ("ZDAUTH_PASSPHRASE", PASSPHRASE);

/// A world on the fake whose identity is sealed in identity.age, with `acme` and `globex`
/// stored; `settings` as for [`World::with_settings`].
pub fn sealed_world(settings: &str) -> World {
    let w = World::with_settings(settings, |_| {});
    w.seed();
    w.add_seeded("globex", "globex");
    w.sb.seal_identity();
    w
}

/// `zdauth unlock` with the passphrase in the environment (no terminal).
pub fn unlock(w: &World) -> Run {
    w.sb.run_with(&["unlock"], &[WITH_PASSPHRASE, DEBUG], None)
        .success()
}

/// Log lines of the config dir's zdauth.log that contain `words`.
pub fn log_lines(w: &World, words: &str) -> usize {
    std::fs::read_to_string(w.sb.paths().log_file())
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(words))
        .count()
}

/// `zdauth agent run` as this test's child, killed and reaped when dropped (the sandbox
/// kills it too, by the pid in its lock file).
pub struct ForegroundAgent(Child);

impl Drop for ForegroundAgent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `zdauth agent run` for the world's config dir with `env` added, once it is unlocked (a
/// plain identity file, which it opens itself at start).
pub fn agent_run(w: &World, env: &[(String, String)]) -> ForegroundAgent {
    let mut command = w.sb.zdauth(&["agent", "run"]);
    command
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let agent = ForegroundAgent(command.spawn().unwrap());
    w.sb.wait_status("the agent unlocked", |s| s["unlocked"] == true);
    agent
}

/// `name`'s line of an `agent status --json`.
pub fn line<'a>(status: &'a Value, name: &str) -> Option<&'a Value> {
    status["connections"]
        .as_array()?
        .iter()
        .find(|c| c["name"] == name)
}

pub fn timestamp(value: &Value) -> Option<Timestamp> {
    value.as_str()?.parse().ok()
}

/// `agent status`'s text lines for `name` (two spaces, the name, a colon).
pub fn text_lines(w: &World, name: &str) -> Vec<String> {
    let text = w.sb.run(&["agent", "status"]).success().stdout;
    text.lines()
        .filter(|l| l.starts_with(&format!("  {name}: ")))
        .map(str::to_owned)
        .collect()
}
