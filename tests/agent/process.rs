//! What the agent's process inherits (review findings 6, 13): no passphrase in the
//! environment the kernel shows, and not the spawner's working directory.

use super::sticky::start_agent;
use super::{sealed_world, unlock};

/// `ZDAUTH_PASSPHRASE=… zdauth agent run`: `remove_var` alone leaves the kernel's copy in
/// /proc/PID/environ, so the agent execs itself again without it (same pid). Read as root,
/// which the agent's non-dumpable /proc files allow.
#[test]
fn agent_run_with_a_passphrase_variable_keeps_none_in_proc_environ() {
    let w = sealed_world("");
    let agent = start_agent(
        &w.sb,
        &[
            ("ZDAUTH_PASSPHRASE", "x-passphrase-in-env"),
            ("ZDAUTH_NEW_PASSPHRASE", "y-passphrase-in-env"),
        ],
    );
    let pid = agent.0.id();
    assert_eq!(i32::try_from(pid).unwrap(), w.sb.agent_pid());
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    let environ = String::from_utf8_lossy(&environ);
    assert!(environ.contains("ZDAUTH_CONFIG_DIR="), "{environ}");
    assert!(!environ.contains("PASSPHRASE"), "{environ}");
    assert!(!environ.contains("passphrase-in-env"), "{environ}");
    // The exec'd agent is the same agent: it still answers and unlocks.
    unlock(&w);
}

/// An agent started by a command runs in `/`, not where that command ran (a checkout to
/// delete, a disk to unmount).
#[test]
fn an_auto_started_agent_runs_in_the_root_directory() {
    let w = sealed_world("");
    let here = std::env::current_dir().unwrap();
    assert_ne!(here, std::path::Path::new("/"));
    unlock(&w);
    let cwd = std::fs::read_link(format!("/proc/{}/cwd", w.sb.agent_pid())).unwrap();
    assert_eq!(cwd, std::path::Path::new("/"));
}
