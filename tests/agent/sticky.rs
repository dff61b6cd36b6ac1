//! Why a locked agent is locked, and what a command does about it (review findings 2, 5,
//! 16): `zdauth lock` sticks, `off` never unlocks the agent, a wrong passphrase never rides
//! on a right one, and an agent never unlocked says keep-alive waits for `zdauth unlock`.

use std::process::{Child, Stdio};

use super::{WITH_PASSPHRASE, log_lines, sealed_world, unlock};
use crate::common::Sandbox;

/// `zdauth agent run` started by the test (locked, as the service starts it), killed and
/// reaped on drop whatever the test's end.
pub struct Started(pub Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `agent run` with `env` and waits (bounded) until it answers its status.
pub fn start_agent(sb: &Sandbox, env: &[(&str, &str)]) -> Started {
    let mut command = sb.zdauth(&["agent", "run"]);
    command
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Started(command.spawn().unwrap());
    sb.wait_status("running", |s| s["running"] == true);
    started
}

/// After `zdauth lock`, a command given the passphrase opens the identity itself: it works,
/// and the agent stays locked, saying it was the lock command.
#[test]
fn after_lock_a_command_with_the_passphrase_opens_locally_and_the_agent_stays_locked() {
    let w = sealed_world("");
    unlock(&w);
    w.sb.run(&["lock"]).success();
    w.sb.run_with(&["list"], &[WITH_PASSPHRASE], None).success();
    w.sb.run_with(&["token", "acme"], &[WITH_PASSPHRASE], None)
        .success();
    let status = w.sb.agent_status();
    assert_eq!(status["unlocked"], false, "{status}");
    assert_eq!(status["locked_by"], "command", "{status}");
    let text = w.sb.run(&["agent", "status"]).success().stdout;
    assert!(text.contains("locked by `zdauth lock`"), "{text}");
    assert_eq!(log_lines(&w, "agent unlocked"), 1);
}

/// `agent = "off"` uses an agent `zdauth unlock` started, but never unlocks one: after its
/// timeout (not a lock command) the command still opens the identity itself.
#[test]
fn agent_off_never_unlocks_a_locked_agent() {
    let w = sealed_world("agent = \"off\"\nagent_timeout = \"1s\"");
    unlock(&w);
    w.sb.wait_status("locked by its timeout", |s| s["locked_by"] == "timeout");
    w.sb.run_with(&["list"], &[WITH_PASSPHRASE], None).success();
    let status = w.sb.agent_status();
    assert_eq!(status["unlocked"], false, "{status}");
    assert_eq!(log_lines(&w, "agent unlocked"), 1);
}

/// `auto` still re-unlocks an agent that locked by its own timeout (the user never asked it
/// to forget).
#[test]
fn auto_unlocks_again_an_agent_that_timed_out() {
    let w = sealed_world("agent_timeout = \"1s\"");
    unlock(&w);
    w.sb.wait_status("locked by its timeout", |s| s["locked_by"] == "timeout");
    w.sb.run_with(&["list"], &[WITH_PASSPHRASE], None).success();
    assert_eq!(log_lines(&w, "agent unlocked"), 2);
}

/// A sealed agent never unlocked cannot know when keep-alive is due: it says it waits for
/// `zdauth unlock`, in the text and in --json (`next_keepalive` null).
#[test]
fn an_agent_never_unlocked_says_keepalive_waits_for_unlock() {
    let w = sealed_world("");
    let _agent = start_agent(&w.sb, &[]);
    let status = w.sb.agent_status();
    assert_eq!(status["locked_by"], "start", "{status}");
    assert!(status["next_keepalive"].is_null(), "{status}");
    assert!(
        status["keepalive_waiting"]
            .as_str()
            .is_some_and(|w| w.contains("zdauth unlock")),
        "{status}"
    );
    let text = w.sb.run(&["agent", "status"]).success().stdout;
    assert!(
        text.contains("next keep-alive: waiting for `zdauth unlock`"),
        "{text}"
    );
    assert!(!text.contains("none due"), "{text}");
    unlock(&w);
    let status = w.sb.agent_status();
    assert!(status["keepalive_waiting"].is_null(), "{status}");
}

/// A right and a wrong `zdauth unlock` at once (scrypt slowed by a higher work factor, so
/// that the wrong one arrives while the right one runs): the wrong one exits 6 whatever the
/// order, the right one unlocks.
#[test]
fn a_wrong_unlock_beside_a_right_one_exits_6() {
    let w = sealed_world("");
    reseal(&w.sb, 16);
    let _agent = start_agent(&w.sb, &[]);
    let spawn = |passphrase: &str| {
        let mut command = w.sb.zdauth(&["unlock"]);
        command
            .env("ZDAUTH_PASSPHRASE", passphrase)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.spawn().unwrap()
    };
    let right = spawn(crate::common::PASSPHRASE);
    let wrong = spawn("not the passphrase at all");
    let wrong = wrong.wait_with_output().unwrap();
    let right = right.wait_with_output().unwrap();
    assert_eq!(right.status.code(), Some(0), "{right:?}");
    assert_eq!(wrong.status.code(), Some(6), "{wrong:?}");
    assert_eq!(w.sb.agent_status()["unlocked"], true);
}

/// identity.age sealed again at `work_factor` (2^N scrypt rounds).
fn reseal(sb: &Sandbox, work_factor: u8) {
    use zdauth_core::secret::Secret;
    let keys = zdauth_core::vault::Keys::from_identity_file(&sb.identity_file()).unwrap();
    let sealed = keys
        .seal(&Secret::new(crate::common::PASSPHRASE), work_factor)
        .unwrap();
    zdauth_core::atomic_file::replace(&sb.paths().identity(), &sealed, None).unwrap();
}
