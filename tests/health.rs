//! Health for cron and monitors: `status` over many connections (lines, JSON, the worst exit
//! code, `--check` through users/me); `list --format prometheus` in `health/prometheus.rs`.

use crate::common;
use crate::tags::{add, add_tagged, connection, store};

use common::world::World;
use serde_json::Value;
use zdauth_core::config::{Grant, Kind};
use zdauth_fake::{Fault, FaultTarget};

mod prometheus;

/// No request of any kind reached the fake.
fn untouched(w: &World) {
    let c = w.fake.counters();
    assert_eq!(
        (c.api_requests, c.token_posts, c.authorize_requests),
        (0, 0, 0),
        "{c:?}"
    );
}

/// acme valid (the world's), and stored pairs in each other state, none of them known to the
/// fake: `soon` expiring, `dead` expired (refresh alive), `gone` login required (both expired),
/// `never` no token, `cc` client credentials without its secret.
fn every_state() -> World {
    let w = World::new(|_| {});
    w.seed();
    let stored = |name: &str, tags: &[&str], access: i64, refresh: Option<i64>| {
        let c = connection(&w, name, tags);
        add(&w, &c);
        store(&w, &c, common::tokens(access, refresh).tokens.unwrap());
    };
    stored("soon", &["a"], 100, Some(86_400));
    stored("dead", &["a", "b"], -10, Some(86_400));
    stored("gone", &["b"], -10, Some(-5));
    add(&w, &connection(&w, "never", &[]));
    let mut cc = connection(&w, "cc", &[]);
    cc.grant = Grant::ClientCredentials;
    add(&w, &cc);
    w
}

const STATES: [(&str, &str, i32); 6] = [
    ("acme", "valid", 0),
    ("soon", "expiring", 3),
    ("dead", "expired", 4),
    ("gone", "login_required", 5),
    ("never", "no_token", 5),
    ("cc", "no_secret", 5),
];

#[test]
fn status_of_many_is_a_line_each_and_the_worst_exit_code() {
    let w = every_state();
    let run = w.sb.run(&["status", "--all"]);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), STATES.len(), "{}", run.stdout);
    for (line, (name, state, _)) in lines.iter().zip(STATES) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&words[..2], [name, state], "{line}");
        assert!(line.contains("  access: "), "{line}");
        assert!(line.contains("  refresh: "), "{line}");
    }
    assert!(lines[0].contains("access: 29m"), "{}", lines[0]);
    assert!(lines[0].contains("refresh: 29d"), "{}", lines[0]);
    assert!(lines[2].contains("access: expired"), "{}", lines[2]);
    assert!(lines[3].contains("refresh: expired"), "{}", lines[3]);
    assert!(lines[4].contains("access: none"), "{}", lines[4]);
    assert!(lines[5].contains("refresh: not used"), "{}", lines[5]);

    let code = |args: &[&str]| {
        let mut all = vec!["status"];
        all.extend(args);
        w.sb.run(&all).code
    };
    assert_eq!(code(&["--tag", "a"]), 4, "expired beats expiring");
    assert_eq!(code(&["acme", "soon"]), 3);
    assert_eq!(
        code(&["soon", "gone", "--tag", "b"]),
        5,
        "names and tags intersect"
    );
    assert_eq!(code(&["soon", "dead", "--tag", "a"]), 4);
    assert_eq!(code(&["acme", "dead"]), 4);
    assert_eq!(code(&["a*"]), 0);
    assert_eq!(code(&["--tag", "b"]), 5);
    // Only what is stored was read.
    untouched(&w);
}

#[test]
fn status_json_is_an_array_with_each_exit_code() {
    let w = every_state();
    let run = w.sb.run(&["status", "--all", "--json"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let objects = json.as_array().unwrap();
    assert_eq!(objects.len(), STATES.len());
    for (object, (name, state, code)) in objects.iter().zip(STATES) {
        assert_eq!(object["name"], name);
        assert_eq!(object["state"], state, "{object}");
        assert_eq!(object["exit_code"], code, "{object}");
        for key in [
            "subdomain",
            "kind",
            "grant",
            "tags",
            "expires_in",
            "refresh_expires_in",
        ] {
            assert!(object.get(key).is_some(), "{key} missing: {object}");
        }
        assert!(object.get("check").is_none(), "no --check: {object}");
    }
    assert_eq!(objects[1]["tags"], serde_json::json!(["a"]));
    assert_eq!(objects[5]["grant"], "client_credentials");
    assert!(objects[0]["expires_in"].as_i64().unwrap() > 0);
    assert_eq!(objects[2]["expires_in"], 0);
    // One plain name with --json is the many form too.
    let one: Value =
        serde_json::from_str(&w.sb.run(&["status", "acme", "--json"]).success().stdout).unwrap();
    assert_eq!(one.as_array().unwrap().len(), 1);
    untouched(&w);
}

#[test]
fn check_asks_users_me_of_each_and_skips_chat() {
    let w = World::new(|_| {});
    w.seed();
    add_tagged(&w, "eu-a", &["eu"]);
    let mut chat = connection(&w, "talk", &["eu"]);
    chat.kind = Kind::Chat;
    add(&w, &chat);
    store(
        &w,
        &chat,
        common::tokens(3600, Some(86_400)).tokens.unwrap(),
    );

    let run = w.sb.run(&["status", "--all", "--check", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(w.fake.counters().api_requests, 2, "acme and eu-a, not talk");
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    for object in &json.as_array().unwrap()[..2] {
        assert_eq!(
            object["check"],
            serde_json::json!({"ok": true, "status": 200, "error": null}),
            "{object}"
        );
    }
    assert_eq!(json[2]["check"], Value::Null, "{}", json[2]);

    let run = w.sb.run(&["status", "--tag", "eu", "--check"]).success();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[1].starts_with("talk "), "{}", run.stdout);
    assert!(
        lines[1].contains("not checked: Zendesk Chat has no users/me"),
        "{}",
        run.stdout
    );
    assert_eq!(w.fake.counters().api_requests, 3);
}

#[test]
fn check_refreshes_an_expired_token_first() {
    let w = World::new(|_| {});
    w.seed();
    w.age_pair(1801);
    add_tagged(&w, "eu-a", &[]);
    assert_eq!(w.sb.run(&["status", "--all"]).code, 4);
    let run = w.sb.run(&["status", "--all", "--check"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(w.fake.counters().refreshes, 1);
    assert!(
        run.stdout
            .lines()
            .next()
            .unwrap()
            .starts_with("acme  valid")
    );
}

#[test]
fn check_reports_a_refused_token_as_login_required_and_a_5xx_as_network() {
    let w = World::new(|_| {});
    w.seed();
    add_tagged(&w, "eu-a", &[]);
    // A 401 for the stored token and again for the new one: acme's or eu-a's, whichever asks
    // first; the other is fine.
    w.fake.push_fault(FaultTarget::Api, Fault::Unauthorized, 2);
    // A concurrent check could take one 401 each: then both refresh, and both succeed.
    let run =
        w.sb.run(&["status", "--all", "--check", "--json", "--jobs", "1"]);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let refused: Vec<&Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["check"]["ok"] == false)
        .collect();
    assert_eq!(refused.len(), 1, "{json}");
    assert_eq!(refused[0]["state"], "login_required");
    assert_eq!(refused[0]["exit_code"], 5);
    assert_eq!(refused[0]["check"]["status"], 401);
    assert!(
        refused[0]["check"]["error"]
            .as_str()
            .unwrap()
            .contains("401"),
        "{json}"
    );

    w.fake.push_fault(FaultTarget::Api, Fault::Status(503), 10);
    let run = w.sb.run(&["status", "--all", "--check", "--jobs", "1"]);
    assert_eq!(run.code, 7, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("check failed: "), "{}", run.stdout);
    assert!(!run.stdout.contains("SECRET"), "{}", run.stdout);
}

/// One account unreachable (a network error, 7) and one grant dead at Zendesk (a login
/// needed, 5): cron must see 5, the one a person has to act on, not the higher number.
#[test]
fn a_dead_grant_outranks_a_network_error_in_the_exit_code() {
    let w = World::new(|_| {});
    w.seed();
    // Nothing listens on a port just freed: the check cannot connect.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut far = connection(&w, "far", &[]);
    far.base_url = Some(format!("http://127.0.0.1:{port}"));
    add(&w, &far);
    store(&w, &far, common::tokens(3600, Some(86_400)).tokens.unwrap());
    // Expired, with a refresh token the fake never issued: the refresh is refused.
    let dead = connection(&w, "dead", &[]);
    add(&w, &dead);
    store(&w, &dead, common::tokens(-10, Some(86_400)).tokens.unwrap());

    let run = w.sb.run(&["status", "--all", "--check", "--json"]);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<(&str, i64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap(),
                o["exit_code"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(codes, [("acme", 0), ("far", 7), ("dead", 5)], "{json}");
    // The lines say the same.
    let run = w.sb.run(&["status", "far", "dead", "--check"]);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    let run = w.sb.run(&["status", "acme", "far", "--check"]);
    assert_eq!(run.code, 7, "{}\n{}", run.stdout, run.stderr);
    let help = w.sb.run(&["status", "--help"]).success().stdout;
    assert!(help.contains("5 > 7 > 6 > 4 > 3 > 0"), "{help}");
}

/// A SIGTERM while `status --check` (or `whoami`) refreshes first: the new pair is stored
/// before the process ends by it (checklist item 32, for the commands that call users/me).
#[test]
fn a_signal_while_check_refreshes_first_ends_it_after_the_pair_is_stored() {
    std::thread::scope(|scope| {
        scope.spawn(|| signal_during_the_refresh(&["status", "--all", "--check"]));
        scope.spawn(|| signal_during_the_refresh(&["whoami", "acme"]));
    });
}

fn signal_during_the_refresh(args: &[&str]) {
    use rustix::process::{Pid, Signal, kill_process};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let w = World::new(|_| {});
    w.seed();
    w.age_pair(1801);
    w.fake.set_latency(Duration::from_millis(1500));
    let child =
        w.sb.zdauth(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    // Bounded: a command that never refreshes fails here instead of hanging.
    let started = Instant::now();
    while w.fake.counters().token_posts_in_flight == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{args:?}: no POST"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    kill_process(Pid::from_child(&child), Signal::TERM).unwrap();
    let out = child.wait_with_output().unwrap();
    while w.fake.counters().token_posts_in_flight > 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(Signal::TERM.as_raw()),
        "{args:?}: {:?}, stderr: {stderr}",
        out.status
    );
    assert_eq!(w.fake.counters().refreshes, 1);
    assert!(
        w.fake.access_token_works(&w.stored_access()),
        "{args:?}: the vault lost the rotated pair; stderr: {stderr}"
    );
}
