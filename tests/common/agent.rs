//! The agent in tests: a sealed identity to unlock, the agent a sandbox started (its pid
//! verified as `agent stop` verifies it), bounded waits on `agent status`, and no agent left
//! behind.

use std::time::{Duration, Instant};

use zdauth_core::secret::Secret;
use zdauth_core::vault::Keys;

use super::{PASSPHRASE, Sandbox};

/// Generous: an agent answers within milliseconds; this only stops a broken test.
const WAIT: Duration = Duration::from_secs(60);

impl Sandbox {
    /// Seals the sandbox's plain identity (the seeder's key.txt) into identity.age under
    /// [`PASSPHRASE`] and makes config.toml use it: the vault stays readable by
    /// [`Sandbox::vault`], the binary now needs the passphrase (or the agent).
    pub fn seal_identity(&self) {
        let keys = Keys::from_identity_file(&self.identity_file()).unwrap();
        let sealed = keys.seal(&Secret::new(PASSPHRASE), 10).unwrap();
        zdauth_core::atomic_file::replace(&self.paths().identity(), &sealed, None).unwrap();
        let text = self.config_text();
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("identity_file = ") && !l.starts_with("kdf_work_factor = "))
            .collect();
        let mut text = kept.join("\n") + "\n";
        let at = text.find("[settings]\n").unwrap() + "[settings]\n".len();
        text.insert_str(at, "kdf_work_factor = 10\n");
        std::fs::write(self.paths().config(), text).unwrap();
    }

    /// The agent of this sandbox's config dir, if one runs: only a pid that holds the
    /// config dir's agent record locked and runs `zdauth agent run` (a pid read from a file
    /// alone may since be another test's process), so a drop never kills a stranger.
    pub fn agent_pids(&self) -> Vec<i32> {
        zdauth_core::agent::running_agent_pid(&self.paths())
            .and_then(|pid| i32::try_from(pid).ok())
            .filter(|&pid| running(pid))
            .into_iter()
            .collect()
    }

    /// The one agent of this sandbox, which must run.
    #[track_caller]
    pub fn agent_pid(&self) -> i32 {
        let pids = self.agent_pids();
        assert_eq!(pids.len(), 1, "want one agent running: {pids:?}");
        pids[0]
    }

    /// `zdauth agent status --json`, parsed.
    pub fn agent_status(&self) -> serde_json::Value {
        let run = self.run(&["agent", "status", "--json"]).success();
        serde_json::from_str(&run.stdout).unwrap()
    }

    /// Waits (bounded) until the agent's status satisfies `want`; returns it.
    #[track_caller]
    pub fn wait_status(
        &self,
        what: &str,
        want: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let started = Instant::now();
        loop {
            let status = self.agent_status();
            if want(&status) {
                return status;
            }
            assert!(started.elapsed() < WAIT, "never {what}: {status}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ends the agent of this sandbox (SIGKILL) and waits until it is gone.
    pub fn kill_agents(&self) {
        for pid in self.agent_pids() {
            kill(pid);
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.kill_agents();
    }
}

pub fn kill(pid: i32) {
    let target = rustix::process::Pid::from_raw(pid).unwrap();
    let _ = rustix::process::kill_process(target, rustix::process::Signal::KILL);
    let started = Instant::now();
    // The leader shows Z before the agent's other threads are done exiting, and the last of
    // them closes its files (and lets go of its locks): wait for them too.
    while (running(pid) || threads(pid) > 1) && started.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn threads(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, Iterator::count)
}

/// Alive and not a zombie waiting for init to reap it.
pub fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z') && !rest.starts_with('X'))
    })
}
