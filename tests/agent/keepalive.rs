//! Keep-alive through the real agent process (issue 13 §6): `zdauth agent run` or the agent
//! `zdauth unlock` starts, against the fake with grants that lapse within seconds (its
//! server-policy knobs, strict rotation on), beside real `zdauth token` loops and the real
//! TUI. Everything is seen from outside, as a user sees it: `agent status`, the vault, the
//! fake's counters, a stand-in `notify-send`, the log. Every wait is bounded; nothing asserts
//! on how long anything took.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde_json::Value;
use zdauth_fake::FakeOptions;

use super::{WITH_PASSPHRASE, agent_run, line, log_lines, text_lines, timestamp};
use crate::common::PASSPHRASE;
use crate::common::notifier::{self, notified};
use crate::common::tmux::tmux;
use crate::common::world::World;

/// A guard against a hang, not a timing: far beyond what any of these waits needs.
const DEADLINE: Duration = Duration::from_secs(180);

/// Pairs live 16 s (access 14 s): keep-alive (12 s) is due at half that, 8 s in, before the
/// token loops and the TUI (2 s margin) would refresh, 12 s in; they race it whenever it
/// runs late. A `zdauth refresh` every [`ROTATE_EVERY`], off keep-alive's beat, makes sure
/// other processes rotate the pair too.
const SHORT: &str = "keepalive = \"12s\"\nrefresh_margin = \"2s\"";

const ROTATE_EVERY: Duration = Duration::from_secs(11);

fn short_lived(options: &mut FakeOptions) {
    options.max_refresh_lifetime = Some(Duration::from_secs(16));
    options.max_access_lifetime = Some(Duration::from_secs(14));
    options.strict_rotation = true;
}

/// The stand-in `notify-send` in the sandbox, and the environment that makes the agent find
/// it and believe a desktop is there.
fn desktop(w: &World) -> Vec<(String, String)> {
    let bin = notifier::install(w);
    notifier::desktop_env(&bin, &std::env::var("PATH").unwrap_or_default())
}

fn stored_refresh_expiry(w: &World, name: &str) -> Timestamp {
    let mut data = w.sb.vault().load().unwrap();
    let entry = data.connections.remove(name).unwrap();
    entry.tokens.unwrap().refresh_expires_at.unwrap()
}

/// Waits (bounded) until `done` holds, polling `agent status --json`; returns that status.
#[track_caller]
fn wait_for(w: &World, what: &str, mut done: impl FnMut(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let status = w.sb.agent_status();
        if done(&status) {
            return status;
        }
        assert!(started.elapsed() < DEADLINE, "never {what}: {status:#}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Ends the token loops however the test's waiting ends.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What a user reads after keep-alive rounds: the next keep-alive and acme's last result,
/// in `--json` and in one text line.
fn status_reads_kept(w: &World) {
    let status = w.sb.agent_status();
    for key in ["running", "unlocked", "socket", "pid", "next_keepalive"] {
        assert!(!status[key].is_null(), "{key}: {status:#}");
    }
    assert!(
        status["unlocked_until"].is_null(),
        "a plain file: {status:#}"
    );
    let acme = line(&status, "acme").unwrap();
    assert!(timestamp(&acme["last_keepalive"]).is_some(), "{status:#}");
    assert_eq!(acme["result"], "ok");
    let text = w.sb.run(&["agent", "status"]).success().stdout;
    assert!(text.contains("next keep-alive: 20"), "{text}");
    let lines = text_lines(w, "acme");
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].contains("last keep-alive 20") && lines[0].ends_with(": ok"));
}

/// The processes beside keep-alive: `zdauth token` loops (answered by the agent) and a
/// `zdauth refresh` every [`ROTATE_EVERY`] (its own process, through the vault's locks).
#[derive(Default)]
struct Load {
    stopped: AtomicBool,
    failures: Mutex<Vec<String>>,
    rotations: AtomicU32,
}

impl Load {
    fn running(&self) -> bool {
        !self.stopped.load(Ordering::Relaxed)
    }

    fn failed(&self, what: String) {
        self.failures.lock().unwrap().push(what);
    }

    /// Tokens handed out, each a live one, until the first failure.
    fn tokens(&self, w: &World) -> u32 {
        let mut runs = 0;
        while self.running() {
            let run = w.sb.run(&["token", "acme"]);
            let token = run.stdout.trim();
            if run.code != 0 || token.is_empty() || w.fake.access_token_expired(token) {
                self.failed(format!("token: exit {}: {}", run.code, run.stderr.trim()));
                break;
            }
            runs += 1;
        }
        runs
    }

    fn rotate(&self, w: &World) {
        while self.running() {
            let started = Instant::now();
            while self.running() && started.elapsed() < ROTATE_EVERY {
                std::thread::sleep(Duration::from_millis(100));
            }
            let run = w.sb.run(&["refresh", "acme"]);
            if run.code != 0 {
                self.failed(format!("refresh: {}", run.stderr.trim()));
                break;
            }
            self.rotations.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A round: keep-alive's time for `acme`, the refresh expiry `agent status` reported, and
/// the one the vault held right after.
type Round = (Timestamp, Timestamp, Timestamp);

#[test]
fn three_keepalive_rounds_through_the_agent_beside_token_loops_and_the_tui() {
    let Some(tmux) = tmux("agent-keepalive") else {
        return;
    };
    let w = World::with_settings(&format!("{SHORT}\nauto_refresh = true"), short_lived);
    let issued = w.seed();
    let seeded = stored_refresh_expiry(&w, "acme");
    // A plain identity file: the agent opens it itself at start, unattended.
    let _agent = agent_run(&w, &[]);
    tmux.start(&w.sb, "", "");
    tmux.wait_for("acme");

    let load = Load::default();
    let mut rounds: Vec<Round> = Vec::new();
    let handed_out = std::thread::scope(|scope| {
        let loops: Vec<_> = (0..8).map(|_| scope.spawn(|| load.tokens(&w))).collect();
        scope.spawn(|| load.rotate(&w));
        let loops_end = StopOnDrop(&load.stopped);
        wait_for(&w, "three keep-alive rounds and a rotation", |status| {
            if let Some(acme) = line(status, "acme")
                && let Some(at) = timestamp(&acme["last_keepalive"])
                && rounds.last().is_none_or(|(last, _, _)| *last != at)
            {
                assert_eq!(acme["result"], "ok", "{status:#}");
                assert!(acme["warning"].is_null(), "{status:#}");
                let reported = timestamp(&acme["refresh_expires_at"]).unwrap();
                let stored = stored_refresh_expiry(&w, "acme");
                let before = rounds.last().map_or(seeded, |(_, _, stored)| *stored);
                assert!(
                    stored > before,
                    "round {}: the stored refresh expiry did not move: {stored} after {before}",
                    rounds.len() + 1
                );
                rounds.push((at, reported, stored));
            }
            let rotated = load.rotations.load(Ordering::Relaxed) > 0;
            (rounds.len() >= 3 && rotated) || !load.failures.lock().unwrap().is_empty()
        });
        drop(loops_end);
        loops.into_iter().map(|l| l.join().unwrap()).sum::<u32>()
    });
    let failures = load.failures.into_inner().unwrap();
    assert!(failures.is_empty(), "a token loop failed: {failures:?}");
    assert!(rounds.len() >= 3 && handed_out > 0, "{rounds:?}");
    let counters = w.fake.counters();
    eprintln!(
        "{handed_out} tokens handed out, {} rotations by `zdauth refresh`, {} refreshes, rounds: {rounds:?}",
        load.rotations.into_inner(),
        counters.refreshes
    );
    for pair in rounds.windows(2) {
        assert!(
            pair[1].1 > pair[0].1,
            "the reported expiry stood: {rounds:?}"
        );
    }

    // The grant lives on, never replayed, and a last token works.
    let token = w.sb.run(&["token", "acme"]).success().stdout;
    assert!(w.fake.access_token_works(token.trim()));
    let counters = w.fake.counters();
    assert_eq!(counters.reuse_detections, 0, "{counters:?}");
    assert_eq!(counters.revoked_grants, 0, "{counters:?}");
    assert!(w.fake.grant_alive(&issued.grant_id));

    status_reads_kept(&w);

    let screen = tmux.screen();
    for words in ["login required", "failed", "error"] {
        assert!(
            !screen.contains(words),
            "the TUI shows {words:?}:\n{screen}"
        );
    }
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

/// Two connections, one of them revoked at the fake: its keep-alive deadline comes, the
/// refresh is refused, and the user is told once, without a secret, while the other goes on.
#[test]
fn a_refused_refresh_through_the_agent_warns_notifies_once_and_logs() {
    let w = World::with_settings(SHORT, short_lived);
    let issued = w.seed();
    w.add_seeded("globex", "globex");
    w.sb.seal_identity();
    let (access, refresh) = (w.stored_access(), w.stored_refresh());
    w.fake.revoke_grant(&issued.grant_id);
    // The agent `unlock` starts inherits the stand-in notifier and the display.
    let env = desktop(&w);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(WITH_PASSPHRASE);
    w.sb.run_with(&["unlock"], &env, None).success();

    let status = wait_for(&w, "acme's warning", |s| {
        line(s, "acme").is_some_and(|c| !c["warning"].is_null())
    });
    let acme = line(&status, "acme").unwrap();
    assert_eq!(acme["result"], "login required", "{status:#}");
    let warning = acme["warning"].as_str().unwrap();
    assert!(warning.contains("zdauth login acme"), "{warning}");
    let lines = text_lines(&w, "acme");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("login required (warning: ") && lines[0].contains("zdauth login acme"),
        "{lines:?}"
    );

    // A later pass (globex's next round) tells nothing new.
    let globex_then = line(&status, "globex").map(|c| c["last_keepalive"].clone());
    wait_for(&w, "a later keep-alive of globex", |s| {
        line(s, "globex").is_some_and(|c| {
            !c["last_keepalive"].is_null() && Some(&c["last_keepalive"]) != globex_then.as_ref()
        })
    });
    let globex = line(&w.sb.agent_status(), "globex").cloned().unwrap();
    assert_eq!(globex["result"], "ok", "{globex:#}");
    assert!(globex["warning"].is_null(), "{globex:#}");
    assert_eq!(text_lines(&w, "globex").len(), 1);

    let calls = notified(&w);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(
        calls[0].contains("acme") && calls[0].contains("zdauth login acme"),
        "{calls:?}"
    );
    assert!(!calls[0].contains("globex"), "{calls:?}");
    for secret in [access.as_str(), refresh.as_str(), PASSPHRASE] {
        assert!(!calls[0].contains(secret), "a secret in {calls:?}");
        assert!(!warning.contains(secret), "a secret in {warning}");
    }
    let log = std::fs::read_to_string(w.sb.paths().log_file()).unwrap();
    assert!(
        log.lines().any(|l| l.contains("WARN")
            && l.contains("connection=acme")
            && l.contains("keep-alive: ")
            && l.contains("zdauth login acme")),
        "{log}"
    );
    assert!(!log.contains(&access) && !log.contains(&refresh));
    assert_eq!(w.fake.counters().reuse_detections, 0);
}

/// Locked when the deadline comes: `agent status` says so for the connection (and the user
/// is told once); `zdauth unlock` in time and the grant is kept.
#[test]
fn a_deadline_while_locked_is_shown_and_the_grant_kept_after_unlock() {
    // 30 s pairs, keep-alive due at 15 s: the other half is the time an unlock has.
    let w = World::with_settings("keepalive = \"20s\"", |o| {
        o.max_refresh_lifetime = Some(Duration::from_secs(30));
        o.max_access_lifetime = Some(Duration::from_secs(28));
        o.strict_rotation = true;
    });
    let issued = w.seed();
    w.sb.seal_identity();
    let before = stored_refresh_expiry(&w, "acme");
    let env = desktop(&w);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(WITH_PASSPHRASE);
    w.sb.run_with(&["unlock"], &env, None).success();
    wait_for(&w, "the first pass", |s| {
        !s["next_keepalive"].is_null()
            && line(s, "acme").is_some_and(|c| c["result"] == "not due yet")
    });
    w.sb.run(&["lock"]).success();

    let status = wait_for(&w, "acme locked at its deadline", |s| {
        line(s, "acme").is_some_and(|c| c["result"] == "locked")
    });
    assert_eq!(status["unlocked"], false, "{status:#}");
    let acme = line(&status, "acme").unwrap();
    assert!(acme["last_keepalive"].is_null(), "{status:#}");
    assert!(
        acme["warning"].as_str().unwrap().contains("zdauth unlock"),
        "{status:#}"
    );
    let lines = text_lines(&w, "acme");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains(": locked (warning: "), "{lines:?}");
    let calls = notified(&w);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0].contains("zdauth unlock"), "{calls:?}");
    assert_eq!(w.fake.counters().refreshes, 0);

    w.sb.run_with(&["unlock"], &[WITH_PASSPHRASE], None)
        .success();
    let status = wait_for(&w, "acme kept after the unlock", |s| {
        line(s, "acme").is_some_and(|c| !c["last_keepalive"].is_null())
    });
    let acme = line(&status, "acme").unwrap();
    assert_eq!(acme["result"], "ok", "{status:#}");
    assert!(acme["warning"].is_null(), "{status:#}");
    assert!(stored_refresh_expiry(&w, "acme") > before);
    let counters = w.fake.counters();
    assert_eq!(counters.refreshes, 1, "{counters:?}");
    assert_eq!(counters.reuse_detections, 0, "{counters:?}");
    assert!(w.fake.grant_alive(&issued.grant_id));
    let token = w.sb.run(&["token", "acme"]).success().stdout;
    assert!(w.fake.access_token_works(token.trim()));
    assert_eq!(
        log_lines(&w, "keep-alive was due, but the agent is locked"),
        1
    );
}
