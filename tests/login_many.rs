//! `zdauth login NAME…` and `login --all-needed` against the fake: one browser tab per login,
//! one after another, a summary at the end and the highest exit code; the first Ctrl-C stops
//! after the login under way, a second cancels it too; bad names start no login.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process};

use crate::common;
use crate::tags;

use common::Run;
use common::world::World;

/// A browser that notes each address it is sent to, waits until `go` exists (when `wait`),
/// then follows the redirects as a user clicking Allow would.
fn browser(w: &World, wait: bool) -> String {
    let dir = w.sb.temp.path();
    let script = dir.join("tabs.sh");
    let gate = if wait {
        format!(
            "for i in $(seq 1 600); do [ -f {} ] && break; sleep 0.1; done\n",
            dir.join("go").display()
        )
    } else {
        String::new()
    };
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$1\" >> {}\n{gate}exec curl -sS -L --max-time 20 -o /dev/null \"$1\"\n",
            dir.join("tabs").display()
        ),
    )
    .unwrap();
    format!("sh {}", script.display())
}

fn tabs(w: &World) -> Vec<String> {
    std::fs::read_to_string(w.sb.temp.path().join("tabs"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn add_plain(w: &World, names: &[&str]) {
    for name in names {
        tags::add(w, &tags::connection(w, name, &[]));
    }
}

fn has_tokens(w: &World, name: &str) -> bool {
    w.sb.vault()
        .load()
        .unwrap()
        .connections
        .get(name)
        .is_some_and(|entry| entry.tokens.is_some())
}

#[test]
fn all_needed_logs_in_forty_one_tab_each_and_leaves_the_logged_in_alone() {
    let w = World::new(|_| {});
    let names: Vec<String> = (1..40).map(|n| format!("c{n:02}")).collect();
    add_plain(&w, &names.iter().map(String::as_str).collect::<Vec<_>>());
    w.add_seeded("done1", "done1");
    // A grant that is gone needs a login as much as none does.
    add_plain(&w, &["gone"]);
    let mut entry = common::tokens(-10, None);
    entry.login_required = true;
    w.sb.vault()
        .update(|data| data.connections.insert("gone".into(), entry))
        .unwrap();
    let kept = w.sb.vault().load().unwrap().connections["done1"].clone();

    let browser = browser(&w, false);
    let run =
        w.sb.run_with(
            &["login", "--all-needed", "--timeout", "60s"],
            &[("BROWSER", &browser)],
            None,
        )
        .success();
    // acme (the world's own), c01..c39 and gone: 41.
    assert!(run.stderr.contains("[41/41] gone"), "{}", run.stderr);
    assert!(
        run.stderr.trim_end().ends_with("logged in 41"),
        "{}",
        run.stderr
    );
    let opened = tabs(&w);
    assert_eq!(opened.len(), 41, "one tab per login: {opened:?}");
    for name in names.iter().map(String::as_str).chain(["acme", "gone"]) {
        assert!(has_tokens(&w, name), "{name} has no tokens");
    }
    let after = w.sb.vault().load().unwrap().connections["done1"].clone();
    assert_eq!(
        after.tokens.unwrap().refresh_token,
        kept.tokens.unwrap().refresh_token,
        "a connection that needed no login was not touched"
    );

    // Nothing left to do is no error.
    let again =
        w.sb.run_with(&["login", "--all-needed"], &[("BROWSER", &browser)], None)
            .success();
    assert!(again.stderr.contains("no connection needs a login"));
}

#[test]
fn a_failed_login_is_in_the_summary_and_its_code_is_the_runs() {
    let w = World::new(|_| {});
    add_plain(&w, &["one", "two"]);
    // A client the fake does not know: its page never sends the browser back.
    let mut stranger = tags::connection(&w, "stranger", &[]);
    stranger.client_id = "no-such-client".into();
    tags::add(&w, &stranger);
    let browser = browser(&w, false);
    let env = [("BROWSER", browser.as_str())];

    let alone =
        w.sb.run_with(&["login", "stranger", "--timeout", "2s"], &env, None);
    assert_ne!(alone.code, 0, "{}", alone.stderr);
    let run = w.sb.run_with(
        &["login", "one", "stranger", "two", "--timeout", "2s"],
        &env,
        None,
    );
    assert_eq!(run.code, alone.code, "{}", run.stderr);
    let last = run.stderr.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("logged in 2, 1 failed (stranger: "),
        "{}",
        run.stderr
    );
    assert!(has_tokens(&w, "one") && has_tokens(&w, "two"));
}

#[test]
fn unknown_names_and_client_credentials_start_no_login() {
    let w = World::new(|_| {});
    let browser = browser(&w, false);
    let env = [("BROWSER", browser.as_str())];
    w.sb.run_with(&["login", "acme", "nosuch"], &env, None)
        .fails(1, "nosuch");
    w.sb.run_with(&["login", "zz-*", "acme"], &env, None)
        .fails(2, "no connection matches");
    let mut minted = tags::connection(&w, "ci", &[]);
    minted.grant = zdauth_core::config::Grant::ClientCredentials;
    tags::add(&w, &minted);
    w.sb.run_with(&["login", "acme", "ci"], &env, None)
        .fails(2, "ci uses client credentials");
    w.sb.run(&["login", "acme", "--all-needed"])
        .code
        .eq(&2)
        .then_some(())
        .unwrap();
    assert!(tabs(&w).is_empty(), "no browser was opened");
}

/// The run as a child whose stderr lines arrive on a channel.
fn spawn_login(w: &World, browser: &str, names: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut args = vec!["login"];
    args.extend_from_slice(names);
    args.extend_from_slice(&["--timeout", "60s"]);
    let mut child =
        w.sb.zdauth(&args)
            .env("BROWSER", browser)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let (sender, lines) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    (child, lines)
}

/// The lines up to and with the first containing `text` (a guard of 60 s against a hang).
#[track_caller]
fn until(lines: &mpsc::Receiver<String>, text: &str, seen: &mut Vec<String>) {
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no {text:?} in {seen:#?}"));
        seen.push(line.clone());
        if line.contains(text) {
            return;
        }
    }
}

fn finish(mut child: Child, lines: &mpsc::Receiver<String>, seen: &mut Vec<String>) -> Run {
    let status = child.wait().unwrap();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(10)) {
        seen.push(line);
    }
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: seen.join("\n"),
    }
}

#[test]
fn the_first_ctrl_c_stops_after_the_current_login() {
    let w = World::new(|_| {});
    add_plain(&w, &["two", "three"]);
    let browser = browser(&w, true);
    let (child, lines) = spawn_login(&w, &browser, &["acme", "two", "three"]);
    let mut seen = Vec::new();
    until(&lines, "Waiting for Zendesk", &mut seen);
    kill_process(Pid::from_child(&child), Signal::INT).unwrap();
    until(
        &lines,
        "stopping after this login (Ctrl-C again cancels it)",
        &mut seen,
    );
    // The browser goes on: the login under way ends well, and no other starts.
    std::fs::write(w.sb.temp.path().join("go"), "").unwrap();
    let run = finish(child, &lines, &mut seen);
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("logged in 1, 2 not tried (stopped by Ctrl-C"),
        "{}",
        run.stderr
    );
    assert!(has_tokens(&w, "acme"));
    assert!(!has_tokens(&w, "two") && !has_tokens(&w, "three"));
    assert_eq!(tabs(&w).len(), 1);
}

#[test]
fn a_second_ctrl_c_cancels_the_current_login_too() {
    let w = World::new(|_| {});
    add_plain(&w, &["two"]);
    let browser = browser(&w, true);
    let (child, lines) = spawn_login(&w, &browser, &["acme", "two"]);
    let mut seen = Vec::new();
    until(&lines, "Waiting for Zendesk", &mut seen);
    kill_process(Pid::from_child(&child), Signal::INT).unwrap();
    until(&lines, "stopping after this login", &mut seen);
    kill_process(Pid::from_child(&child), Signal::INT).unwrap();
    let run = finish(child, &lines, &mut seen);
    // Let the waiting browser go, so it does not outlive the test.
    std::fs::write(w.sb.temp.path().join("go"), "").unwrap();
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(
        run.stderr.contains("logged in 0, 1 failed (acme: ") && run.stderr.contains("1 not tried"),
        "{}",
        run.stderr
    );
    assert!(!has_tokens(&w, "acme") && !has_tokens(&w, "two"));
}

/// The address the fake's authorization page sends the browser to, without going there.
fn final_address(url: &str) -> String {
    let out = std::process::Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{redirect_url}", url])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn with_no_browser_each_login_takes_the_address_pasted_while_it_waits() {
    use std::io::Write;
    let w = World::new(|_| {});
    add_plain(&w, &["two"]);
    let mut child =
        w.sb.zdauth(&["login", "acme", "two", "--no-browser", "--timeout", "60s"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (sender, lines) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    for _ in 0..2 {
        until(&lines, "/oauth/authorizations/new?", &mut seen);
        let url = seen.last().unwrap().trim().to_owned();
        let pasted = final_address(&url);
        assert!(pasted.contains("/callback?"), "{pasted}");
        writeln!(stdin, "{pasted}").unwrap();
    }
    let run = finish(child, &lines, &mut seen);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.trim_end().ends_with("logged in 2"),
        "{}",
        run.stderr
    );
    assert!(has_tokens(&w, "acme") && has_tokens(&w, "two"));
}

/// Tokens stored for another client than the connection names now are not its tokens: the
/// refresh refuses them, so `--all-needed` must count the connection as needing a login.
#[test]
fn tokens_of_another_client_count_as_needing_a_login() {
    let w = World::new(|_| {});
    w.seed();
    let text = w.sb.config_text();
    let moved = text.replacen(
        &format!("client_id = \"{}\"", common::world::CLIENT),
        "client_id = \"zdauth_other\"",
        1,
    );
    assert_ne!(moved, text, "the world's connection names its client");
    std::fs::write(w.sb.paths().config(), moved).unwrap();
    let browser = browser(&w, false);
    let run = w.sb.run_with(
        &["login", "--all-needed", "--timeout", "3s"],
        &[("BROWSER", &browser)],
        None,
    );
    assert!(
        !run.stderr.contains("no connection needs a login"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("[1/1] acme"), "{}", run.stderr);
}
