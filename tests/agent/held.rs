//! What a process keeps of what the agent gave (review findings 11, 12): the agent takes
//! back rescued pairs before a `token` answer, and a command keeps the file keys it got.

use std::process::Stdio;

use super::{DEBUG, log_lines, sealed_world, unlock};
use crate::common::{BINARY, rerun_helper};
use zdauth_core::paths::Paths;

/// A newer pair rescued by a command that could not save it (a full disk) is what `token`
/// prints through the agent, even with config and vault unchanged since its last answer.
#[test]
fn the_token_fast_path_takes_back_a_rescued_pair_first() {
    let w = sealed_world("");
    unlock(&w);
    let before = w.sb.run(&["token", "acme"]).success().stdout;
    assert_eq!(before.trim(), w.stored_access());
    let mut rescued = w.stored();
    let tokens = rescued.tokens.as_mut().unwrap();
    tokens.access_token = zdauth_core::secret::Secret::new("access-RESCUED-pair");
    tokens.obtained_at += jiff::SignedDuration::from_secs(60);
    let file =
        w.sb.vault()
            .with_rescue_places(vec![w.sb.dir()])
            .write_rescue("acme", &rescued)
            .unwrap();
    let after = w.sb.run_with(&["token", "acme"], &[DEBUG], None).success();
    assert_eq!(after.stdout.trim(), "access-RESCUED-pair");
    assert!(!file.exists(), "the rescue file stays");
    assert_eq!(w.stored_access(), "access-RESCUED-pair");
    assert!(
        log_lines(&w, "took back a rescued pair") >= 1,
        "not the agent's take-back"
    );
}

/// A process that read vault.age through the agent reads that same file again with the
/// agent gone (its refresh re-reads the vault after the POST); a file it never read needs
/// the agent, and says so.
#[test]
fn remote_keys_reread_a_file_they_read_without_the_agent() {
    let w = sealed_world("");
    unlock(&w);
    let mut child = rerun_helper(module_path!(), "remote_keys_child");
    for (key, value) in w.sb.zdauth(&[]).get_envs() {
        match value {
            Some(value) => child.env(key, value),
            None => child.env_remove(key),
        };
    }
    let out = child
        .env("ZDAUTH_TEST_REMOTE_KEYS", w.sb.dir())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child did not run: {stdout}"
    );
    assert_eq!(w.sb.agent_status()["running"], false);
}

/// The child of [`remote_keys_reread_a_file_they_read_without_the_agent`], in the
/// sandbox's environment (its runtime dir, so the agent's socket is found).
#[test]
#[ignore = "run by remote_keys_reread_a_file_they_read_without_the_agent"]
fn remote_keys_child() {
    let dir = std::env::var_os("ZDAUTH_TEST_REMOTE_KEYS").expect("run by its parent test");
    let paths = Paths::at(dir);
    let keys = zdauth_core::agent::unlocked_keys(&paths)
        .unwrap()
        .expect("an unlocked agent");
    let vault = std::fs::read(paths.vault()).unwrap();
    let other = keys.encrypt(b"a file this process never read").unwrap();
    keys.decrypt(&vault).unwrap();
    let stopped = std::process::Command::new(BINARY)
        .args(["agent", "stop"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(stopped.status.success(), "{stopped:?}");
    keys.decrypt(&vault)
        .expect("the same file again, without the agent");
    let lost = keys.decrypt(&other).unwrap_err().to_string();
    assert!(lost.contains("agent"), "{lost}");
}
