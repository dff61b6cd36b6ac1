//! The daily flow: unlock once, then every command without a passphrase or a terminal; lock
//! and the timeout; the TUI straight to the list.

use super::{DEBUG, WITH_PASSPHRASE, log_lines, sealed_world, unlock};
use crate::common::tmux::tmux;

/// Twenty commands of every kind after one unlock, with no `ZDAUTH_PASSPHRASE` and no
/// terminal (stdin null, a session of their own): all succeed, and scrypt ran once in all
/// the processes together (each run writes a debug line to the shared log).
#[test]
fn unlock_once_then_twenty_commands_need_no_passphrase_and_run_scrypt_once() {
    let w = sealed_world("");
    let printed = unlock(&w).stdout;
    assert!(printed.contains("unlocked until"), "{printed}");
    let exec = "test -n \"$ZENDESK_OAUTH_TOKEN\"";
    let commands: [&[&str]; 20] = [
        &["token", "acme"],
        &["token", "globex"],
        &["list"],
        &["list", "--json"],
        &["status", "acme"],
        &["status", "globex"],
        &["export", "acme", "--format", "header"],
        &["export", "acme", "--format", "env"],
        &["export", "globex", "--format", "json"],
        &["exec", "acme", "--", "sh", "-c", exec],
        &["refresh", "acme"],
        &["token", "acme"],
        &["refresh", "--all"],
        &["token", "globex", "--min-valid", "1m"],
        &["whoami", "acme"],
        &["token", "acme", "--min-valid", "5m"],
        &["list"],
        &["agent", "status"],
        &["export", "globex", "--format", "curl"],
        &["token", "acme"],
    ];
    for args in commands {
        let run = w.sb.run_with(args, &[DEBUG], None);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("Passphrase"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(
        w.stored_access(),
        w.sb.run(&["token", "acme"]).success().stdout.trim()
    );
    assert_eq!(
        log_lines(&w, "scrypt: opening"),
        1,
        "scrypt must run once per unlock"
    );
    assert!(
        log_lines(&w, "request=\"unwrap\"") > 0,
        "the slow commands went through it"
    );
    assert_eq!(w.fake.counters().reuse_detections, 0);
}

/// `lock` forgets the identity: commands that need it exit 6 naming `zdauth unlock`, the
/// agent still answers its status, and `unlock` opens it again.
#[test]
fn lock_makes_secret_commands_exit_6_naming_unlock() {
    let w = sealed_world("");
    unlock(&w);
    w.sb.run(&["token", "acme"]).success();
    let locked = w.sb.run(&["lock"]).success();
    assert!(locked.stdout.contains("locked"), "{}", locked.stdout);
    for args in [
        &["token", "acme"][..],
        &["list"],
        &["export", "acme", "--format", "env"],
    ] {
        let run = w.sb.run(args).fails(6, "zdauth unlock");
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    let status = w.sb.agent_status();
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(status["unlocked"], false, "{status}");
    assert!(status["unlocked_until"].is_null(), "{status}");
    unlock(&w);
    w.sb.run(&["token", "acme"]).success();
}

/// `agent_timeout` after the last secret use, the agent locks by itself (waited for on its
/// status, bounded; no sleep is asserted on).
#[test]
fn the_agent_locks_after_agent_timeout() {
    let w = sealed_world("agent_timeout = \"2s\"");
    unlock(&w);
    w.sb.run(&["token", "acme"]).success();
    let status = w.sb.agent_status();
    assert_eq!(status["unlocked"], true, "{status}");
    assert!(status["unlocked_until"].is_string(), "{status}");
    w.sb.wait_status("locked by its timeout", |s| s["unlocked"] == false);
    w.sb.run(&["token", "acme"]).fails(6, "zdauth unlock");
    assert_eq!(log_lines(&w, "agent_timeout passed"), 1);
}

/// A command that needs the sealed identity and finds no agent starts one (auto), handing it
/// the passphrase from the environment; the next command needs none.
#[test]
fn auto_start_asks_once_and_later_commands_go_through_the_agent() {
    let w = sealed_world("");
    assert!(w.sb.agent_pids().is_empty());
    w.sb.run_with(&["list"], &[WITH_PASSPHRASE, DEBUG], None)
        .success();
    let pid = w.sb.agent_pid();
    w.sb.run_with(&["token", "acme"], &[DEBUG], None).success();
    w.sb.run_with(&["status", "acme"], &[DEBUG], None).success();
    assert_eq!(w.sb.agent_pid(), pid);
    assert_eq!(log_lines(&w, "scrypt: opening"), 1);
}

/// `agent = "off"`: no command starts an agent, and each opens the identity itself.
#[test]
fn agent_off_starts_no_agent() {
    let w = sealed_world("agent = \"off\"");
    w.sb.run_with(&["list"], &[WITH_PASSPHRASE], None).success();
    w.sb.run_with(&["token", "acme"], &[WITH_PASSPHRASE], None)
        .success();
    assert!(w.sb.agent_pids().is_empty());
    w.sb.run(&["token", "acme"]).fails(6, "ZDAUTH_PASSPHRASE");
}

/// With an unlocked agent the TUI asks nothing: straight to the list.
#[test]
fn the_tui_opens_straight_to_the_list_with_an_unlocked_agent() {
    let Some(tmux) = tmux("agent-tui") else {
        return;
    };
    let w = sealed_world("");
    unlock(&w);
    tmux.start(&w.sb, "env -u ZDAUTH_PASSPHRASE", "");
    let screen = tmux.wait_for("globex");
    assert!(screen.contains("acme"), "{screen}");
    assert!(!screen.to_lowercase().contains("passphrase"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

/// `agent status` without an agent: exit 0, running false.
#[test]
fn status_without_an_agent_is_not_running() {
    let w = sealed_world("");
    let status = w.sb.agent_status();
    assert_eq!(status["running"], false, "{status}");
    assert!(
        std::path::Path::new(status["socket"].as_str().unwrap())
            .extension()
            .is_some_and(|e| e == "sock"),
        "{status}"
    );
    let text = w.sb.run(&["agent", "status"]).success().stdout;
    assert!(text.contains("not running"), "{text}");
    w.sb.run(&["agent", "stop"]).success();
    w.sb.run(&["lock"]).success();
}
