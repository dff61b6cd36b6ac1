//! An agent killed with SIGKILL in the middle of a request: the waiting command ends with a
//! clear error (never a hang), the next command cleans the dead socket up and starts a new
//! agent, and no token is lost.

use std::process::Stdio;

use super::{WITH_PASSPHRASE, sealed_world, unlock};
use crate::common::Run;
use crate::common::agent::kill;
use crate::common::clipboard::wait_until;
use zdauth_fake::{Fault, FaultTarget};

#[test]
fn a_killed_agent_mid_refresh_costs_no_token_and_the_next_command_recovers() {
    let w = sealed_world("");
    unlock(&w);
    let first = w.sb.agent_pid();
    // Due for a refresh, which the fake holds on the wire: the agent is mid-answer.
    w.age_pair(1790);
    w.fake.push_fault(FaultTarget::Token, Fault::Hold, 1);
    let waiting =
        w.sb.zdauth(&["token", "acme"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    wait_until("the agent's refresh reaching the fake", || {
        w.fake.counters().token_posts >= 1
    });
    kill(first);
    // No passphrase to start another agent with: a clear exit 6, nothing printed.
    let waited = Run::of(waiting.wait_with_output().unwrap());
    assert_eq!(waited.code, 6, "{}", waited.stderr);
    assert!(waited.stdout.is_empty(), "{}", waited.stdout);
    assert!(
        waited.stderr.contains("ZDAUTH_PASSPHRASE"),
        "{}",
        waited.stderr
    );
    assert!(!waited.stderr.contains("panicked"), "{}", waited.stderr);

    // The dead agent's socket is gone, a new agent answers, and the pair it held is still
    // the grant's (the held refresh never spent it).
    let run =
        w.sb.run_with(&["token", "acme"], &[WITH_PASSPHRASE], None)
            .success();
    let second = w.sb.agent_pid();
    assert_ne!(first, second);
    assert_eq!(run.stdout.trim(), w.stored_access());
    assert!(w.fake.access_token_works(run.stdout.trim()));
    let counters = w.fake.counters();
    assert_eq!(counters.reuse_detections, 0, "{counters:?}");
    assert_eq!(counters.revoked_grants, 0, "{counters:?}");
    w.sb.run(&["token", "acme"]).success();
}

/// A dead agent's socket, left behind with nothing listening: the next command says nothing
/// about it, removes it and starts a new agent; without a passphrase it exits 6.
#[test]
fn a_dead_socket_is_cleaned_up_by_the_next_command() {
    let w = sealed_world("");
    unlock(&w);
    let socket =
        std::path::PathBuf::from(w.sb.agent_status()["socket"].as_str().unwrap().to_owned());
    kill(w.sb.agent_pid());
    assert!(socket.exists(), "SIGKILL leaves the socket behind");
    w.sb.run(&["token", "acme"]).fails(6, "ZDAUTH_PASSPHRASE");
    assert!(!socket.exists(), "the dead socket was not removed");
    let status = w.sb.agent_status();
    assert_eq!(status["running"], false, "{status}");
    w.sb.run_with(&["token", "acme"], &[WITH_PASSPHRASE], None)
        .success();
    assert!(socket.exists());
    w.sb.run(&["token", "acme"]).success();
}

/// An agent that stopped answering (SIGSTOP: its socket still accepts): a command does not
/// hang on it; after its timeouts it warns once and opens the identity itself.
#[test]
fn a_stuck_agent_costs_a_timeout_not_a_hang() {
    let w = sealed_world("");
    unlock(&w);
    let pid = rustix::process::Pid::from_raw(w.sb.agent_pid()).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::STOP).unwrap();
    let run = w.sb.run_bounded(
        &["token", "acme"],
        &[WITH_PASSPHRASE],
        crate::common::bounded::Limits::default(),
    );
    rustix::process::kill_process(pid, rustix::process::Signal::CONT).unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), w.stored_access());
    assert!(run.stderr.contains("did not answer"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "one warning: {}", run.stderr);
}
