//! A process holding tokens and its own end (checklist item 32) and memory: SIGINT, SIGTERM
//! and SIGHUP while a refresh is on the wire wait for the new pair to be stored; every
//! command is non-dumpable.

use crate::common;

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::Sandbox;
use common::world::World;
use rustix::process::{Pid, Signal, kill_process};

/// Until the fake holds a token POST (its latency keeps it there).
fn wait_for_the_post(w: &World) {
    let started = Instant::now();
    while w.fake.counters().token_posts_in_flight == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no token POST arrived"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Marks the stored access token of `name` expired now: its next use refreshes first.
fn expire_stored(w: &World, name: &str) {
    let lock = w.sb.vault().lock_connection(name).unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    entry.tokens.as_mut().unwrap().expires_at = Some(jiff::Timestamp::now());
    lock.persist(entry).unwrap();
}

/// A world whose stored access token has expired, so that every command refreshes whatever
/// margin it asks for, and whose token POSTs take a while.
fn slow_world() -> World {
    let w = World::new(|_| {});
    w.seed();
    expire_stored(&w, "acme");
    w.fake.set_latency(Duration::from_millis(1500));
    w
}

/// The server finishes what it was sent, whether or not anyone still listens.
fn wait_until_the_fake_is_idle(w: &World) {
    while w.fake.counters().token_posts_in_flight > 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn signal_during_the_post(args: &[&str], signal: Signal) {
    let w = slow_world();
    let child =
        w.sb.zdauth(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    wait_for_the_post(&w);
    kill_process(Pid::from_child(&child), signal).unwrap();
    let out = child.wait_with_output().unwrap();
    wait_until_the_fake_is_idle(&w);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(signal.as_raw()),
        "{args:?}: {:?}, stderr: {stderr}",
        out.status
    );
    assert!(out.stdout.is_empty(), "{args:?} handed out a token");
    // The pair the fake rotated to is the stored one: nothing was lost.
    assert!(
        w.fake.access_token_works(&w.stored_access()),
        "{args:?}: the vault lost the rotated pair"
    );
    assert_eq!(w.fake.counters().refreshes, 1);
    assert!(
        stderr.contains("once the new pair of acme was stored"),
        "{stderr}"
    );

    w.fake.set_latency(Duration::ZERO);
    let next = w.sb.run(&["token", "acme", "--min-valid", "24h"]).success();
    assert_eq!(next.stdout.trim(), w.stored_access());
    assert_eq!(
        w.fake.counters().reuse_detections,
        0,
        "a spent token replayed"
    );
    assert_eq!(w.fake.counters().revoked_grants, 0);
}

#[test]
fn item_32_sigint_sigterm_and_sighup_during_a_refresh_store_the_pair_then_end_the_token_command() {
    std::thread::scope(|scope| {
        for signal in [Signal::INT, Signal::TERM, Signal::HUP] {
            scope.spawn(move || {
                signal_during_the_post(&["token", "acme", "--min-valid", "24h"], signal);
            });
        }
    });
}

#[test]
fn item_32_refresh_export_and_exec_also_store_the_pair_before_a_signal_ends_them() {
    std::thread::scope(|scope| {
        scope.spawn(|| signal_during_the_post(&["refresh", "acme"], Signal::TERM));
        scope.spawn(|| signal_during_the_post(&["export", "acme", "--format", "env"], Signal::INT));
        scope.spawn(|| signal_during_the_post(&["exec", "acme", "--", "true"], Signal::HUP));
    });
}

#[test]
fn item_32_only_sigkill_costs_the_grant_and_status_then_says_a_login_is_needed() {
    let w = slow_world();
    let mut child =
        w.sb.zdauth(&["token", "acme"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
    wait_for_the_post(&w);
    child.kill().unwrap();
    let _ = child.wait();
    wait_until_the_fake_is_idle(&w);
    w.fake.set_latency(Duration::ZERO);
    w.sb.run(&["token", "acme"])
        .fails(5, "run `zdauth login acme`");
    let status = w.sb.run(&["status", "acme"]);
    assert_eq!(status.code, 5, "{}", status.stdout);
    assert!(status.stdout.contains("login"), "{}", status.stdout);
}

/// The access token `name` has in the vault.
fn stored_access_of(w: &World, name: &str) -> String {
    let mut data = w.sb.vault().load().unwrap();
    let entry = data.connections.remove(name).unwrap();
    entry.tokens.unwrap().access_token.expose().to_owned()
}

/// `api --all` walks every connection at once, each refreshing its own expired token: a
/// signal while two of those POSTs are on the wire ends the run once both pairs are stored.
fn signal_during_the_refreshes_of_api_all(signal: Signal) {
    let w = slow_world();
    w.add_seeded("globex", "globex");
    expire_stored(&w, "globex");
    let child =
        w.sb.zdauth(&["api", "--all", "users/me.json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let started = Instant::now();
    while w.fake.counters().token_posts_in_flight < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the two refreshes were never on the wire together"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    kill_process(Pid::from_child(&child), signal).unwrap();
    let out = child.wait_with_output().unwrap();
    wait_until_the_fake_is_idle(&w);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(signal.as_raw()),
        "{:?}, stderr: {stderr}",
        out.status
    );
    assert_eq!(w.fake.counters().refreshes, 2);
    // A rotation kills the old access token: only the new pair's works.
    for name in ["acme", "globex"] {
        assert!(
            w.fake.access_token_works(&stored_access_of(&w, name)),
            "{signal:?}: the vault lost the rotated pair of {name}; stderr: {stderr}"
        );
    }
    assert!(stderr.contains("once the new pair of"), "{stderr}");

    // The stored refresh tokens are the live ones: spending them again replays nothing.
    w.fake.set_latency(Duration::ZERO);
    let again = w.sb.run(&["refresh", "--all"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let counters = w.fake.counters();
    assert_eq!((counters.refreshes, counters.reuse_detections), (4, 0));
    assert_eq!(counters.revoked_grants, 0);
}

#[test]
fn item_32_api_all_stores_every_pair_on_the_wire_before_sigint_or_sigterm_ends_it() {
    std::thread::scope(|scope| {
        for signal in [Signal::INT, Signal::TERM] {
            scope.spawn(move || signal_during_the_refreshes_of_api_all(signal));
        }
    });
}

/// A code is single-use: a login stopped while its exchange is on the wire would leave the
/// pair it bought unseen at Zendesk, so the signal waits for it to be stored, as a refresh's does.
fn signal_during_the_code_exchange(signal: Signal) {
    let w = World::new(|_| {});
    w.fake.set_latency(Duration::from_millis(1500));
    let browser = w.browser();
    let child =
        w.sb.zdauth(&["login", "acme", "--timeout", "60s"])
            .env("BROWSER", &browser)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    wait_for_the_post(&w);
    kill_process(Pid::from_child(&child), signal).unwrap();
    let out = child.wait_with_output().unwrap();
    wait_until_the_fake_is_idle(&w);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(w.fake.counters().code_exchanges, 1);
    let stored = w
        .stored()
        .tokens
        .map(|t| t.access_token.expose().to_owned());
    assert!(
        stored.is_some_and(|token| w.fake.access_token_works(&token)),
        "signal {signal:?}: the pair the code bought was lost ({:?}); stderr: {stderr}",
        out.status
    );
    assert_eq!(
        out.status.signal(),
        Some(signal.as_raw()),
        "stderr: {stderr}"
    );
}

/// A code is single-use: a login ended while its exchange is on the wire would leave the
/// pair it bought unseen at Zendesk, so the signal waits for it to be stored, as a refresh's does.
#[test]
fn item_32_a_signal_during_a_logins_code_exchange_stores_the_pair_then_ends_it() {
    std::thread::scope(|scope| {
        for signal in [Signal::TERM, Signal::HUP] {
            scope.spawn(move || signal_during_the_code_exchange(signal));
        }
    });
}

/// The clipboard helper waiting for its text: the earliest point where a zdauth process
/// blocks without a vault or a server.
fn waiting_helper(sb: &Sandbox, as_user: Option<u32>) -> Child {
    let mut command = sb.zdauth(&["clipboard-serve"]);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(uid) = as_user {
        command.uid(uid).gid(uid);
    }
    command.spawn().unwrap()
}

/// Who owns /proc/PID/environ: the process's own user while it is dumpable, root once it is
/// not (the kernel's test for same-user ptrace and /proc/PID/mem is the same flag).
fn proc_owner(pid: u32) -> u32 {
    std::fs::metadata(Path::new("/proc").join(pid.to_string()).join("environ"))
        .unwrap()
        .uid()
}

#[test]
fn every_zdauth_process_is_non_dumpable() {
    if !Path::new("/proc/self/status").exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "needs /proc");
        eprintln!("skipped: needs Linux /proc");
        return;
    }
    let sb = Sandbox::new();
    let root = rustix::process::geteuid().is_root();
    // As root the owner would be root either way: run the helper as nobody, whose /proc
    // entry is then its own unless it made itself non-dumpable.
    let as_user = root.then_some(65534);
    std::fs::create_dir(sb.dir()).unwrap();
    // zdauth logs only into a dir that holds its files.
    let config = sb.dir().join("config.toml");
    std::fs::write(&config, "").unwrap();
    if let Some(uid) = as_user {
        for dir in [sb.temp.path(), sb.dir().as_path(), config.as_path()] {
            std::os::unix::fs::chown(dir, Some(uid), Some(uid)).unwrap();
        }
    }
    let mut helper = waiting_helper(&sb, as_user);
    // It logs before it reads its text, and after it made itself non-dumpable.
    let started = Instant::now();
    while !sb.dir().join("zdauth.log").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no log appeared"
        );
        assert!(
            helper.try_wait().unwrap().is_none(),
            "the helper ended early"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let owner = proc_owner(helper.id());
    drop(helper.stdin.take());
    let _ = helper.wait();
    assert_eq!(
        owner, 0,
        "/proc/PID/environ of zdauth belongs to uid {owner}: it is dumpable"
    );
}
