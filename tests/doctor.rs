//! `zdauth doctor`: its report on a healthy setup and on broken ones, through the real
//! binary; every problem a FAIL (or warn) line that says what to do, exit 1 on any FAIL, and
//! nothing on disk changed by looking.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;

use crate::common;
use common::world::{CLIENT, World, free_port};
use common::{PASSPHRASE, Run, Sandbox, mode};

/// A BROWSER that exists, so the browser line is `ok` wherever the tests run.
fn browser(sb: &Sandbox) -> String {
    let script = sb.temp.path().join("browser.sh");
    std::fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

fn doctor(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let browser = browser(sb);
    let mut all = vec![("BROWSER", browser.as_str())];
    all.extend_from_slice(env);
    let mut words = vec!["doctor"];
    words.extend_from_slice(args);
    sb.run_with(&words, &all, None)
}

/// Every line is a check: `ok`, `warn` or `FAIL`, and any but `ok` says what to do.
#[track_caller]
fn lines_are_checks(run: &Run) {
    assert!(
        !run.stdout.is_empty() && !run.stderr.contains("panicked"),
        "{}",
        run.stderr
    );
    for line in run.stdout.lines() {
        let level = line.split_whitespace().next().unwrap_or_default();
        assert!(["ok", "warn", "FAIL"].contains(&level), "{line}");
        if level != "ok" {
            assert!(line.contains(" — "), "no what-to-do in {line}");
        }
    }
}

#[track_caller]
fn line<'a>(run: &'a Run, level: &str, words: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| l.starts_with(&format!("{level} ")) && l.contains(words))
        .unwrap_or_else(|| panic!("no {level} line with {words:?} in\n{}", run.stdout))
}

#[test]
fn a_healthy_setup_is_all_ok_and_shows_no_secret() {
    let w = World::new(|_| {});
    w.seed();
    let run = doctor(&w.sb, &[], &[]);
    lines_are_checks(&run);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    line(&run, "ok", "config dir");
    line(&run, "ok", "vault.age (mode 600)");
    line(&run, "ok", "config.toml loads: 1 connection");
    line(&run, "ok", "identity: plain age identity file");
    line(&run, "ok", "agent: not running");
    line(&run, "ok", "browser: `");
    line(
        &run,
        "ok",
        &format!("redirect port {} free on 127.0.0.1 (acme)", w.port),
    );
    line(&run, "ok", "acme: valid, access token for");
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
    for secret in [w.stored_access(), w.stored_refresh()] {
        assert!(!run.stdout.contains(&secret) && !run.stderr.contains(&secret));
    }
}

#[test]
fn a_broken_setup_gets_a_fail_line_each_exits_1_and_nothing_is_changed() {
    let w = World::new(|_| {});
    w.seed();
    w.add_seeded("beta", "beta");
    let paths = w.sb.paths();
    let lock = w.sb.vault().lock_connection("beta").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    entry.login_required = true;
    lock.persist(entry).unwrap();
    drop(lock);
    std::fs::set_permissions(paths.dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(paths.vault(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let held = TcpListener::bind((Ipv4Addr::LOCALHOST, w.port)).unwrap();
    let (vault, config) = (w.sb.vault_bytes(), w.sb.config_text());

    let run = doctor(&w.sb, &[], &[]);
    lines_are_checks(&run);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(line(&run, "FAIL", "config dir").contains("mode 755"));
    assert!(line(&run, "FAIL", "vault.age").contains("chmod 600"));
    let port = line(&run, "FAIL", &format!("redirect port {}", w.port));
    assert!(
        port.contains("acme, beta") && port.contains("--redirect-port"),
        "{port}"
    );
    assert!(line(&run, "FAIL", "beta: login required").contains("zdauth login beta"));
    line(&run, "ok", "acme: valid");
    drop(held);

    // Only looked: the start-up fix of modes did not run, the vault and config are as they were.
    assert_eq!(mode(paths.dir()), 0o755);
    assert_eq!(mode(&paths.vault()), 0o644);
    assert_eq!(w.sb.vault_bytes(), vault);
    assert_eq!(w.sb.config_text(), config);
    assert!(w.sb.temp_files().is_empty());
}

#[test]
fn a_config_that_does_not_load_is_a_fail_line_and_is_left_as_it_is() {
    let w = World::new(|_| {});
    let broken = "[[connection]]\nname = \"acme\"\nsubdomain = 42\n";
    std::fs::write(w.sb.paths().config(), broken).unwrap();
    let run = doctor(&w.sb, &[], &[]);
    lines_are_checks(&run);
    assert_eq!(run.code, 1, "{}", run.stdout);
    line(&run, "FAIL", "config.toml does not load");
    // Judged by defaults, the identity the broken file names would read as missing.
    assert!(!run.stdout.contains("identity:"), "{}", run.stdout);
    assert_eq!(w.sb.config_text(), broken);
}

#[test]
fn a_missing_config_dir_is_reported_and_not_created() {
    let sb = Sandbox::new();
    let run = doctor(&sb, &[], &[]);
    lines_are_checks(&run);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(line(&run, "FAIL", "does not exist").contains("zdauth init"));
    assert!(!sb.dir().exists());
}

#[test]
fn a_vault_linked_to_a_loose_file_names_the_target_to_chmod() {
    let w = World::new(|_| {});
    w.seed();
    let elsewhere = w.sb.temp.path().join("synced-vault.age");
    std::fs::rename(w.sb.paths().vault(), &elsewhere).unwrap();
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, w.sb.paths().vault()).unwrap();
    let run = doctor(&w.sb, &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let vault = line(&run, "FAIL", "vault.age");
    assert!(
        vault.contains(&format!("a link to {}", elsewhere.display())),
        "{vault}"
    );
    assert!(
        vault.contains(&format!("chmod 600 {}", elsewhere.display())),
        "{vault}"
    );
    assert_eq!(mode(&elsewhere), 0o644);

    // A link to nowhere: the file is gone, which is worse than a loose mode.
    std::fs::remove_file(&elsewhere).unwrap();
    let run = doctor(&w.sb, &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    line(&run, "FAIL", "which does not exist");
}

/// A sealed identity, the lowest work factor, one connection never logged in.
fn sealed_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.dir()).unwrap();
    std::fs::write(sb.paths().config(), "[settings]\nkdf_work_factor = 10\n").unwrap();
    sb.run_with(&["init"], &[("ZDAUTH_PASSPHRASE", PASSPHRASE)], None)
        .success();
    sb.add("acme");
    sb
}

#[test]
fn a_sealed_vault_is_read_only_without_a_prompt_else_skipped_with_a_warning() {
    let sb = sealed_sandbox();
    let run = doctor(&sb, &[], &[]);
    lines_are_checks(&run);
    line(&run, "ok", "sealed under a passphrase");
    assert!(line(&run, "warn", "vault locked: skipped").contains("zdauth unlock"));
    assert!(!run.stdout.contains("acme: "), "{}", run.stdout);
    assert_eq!(run.code, 0, "a warning alone passes: {}", run.stdout);

    let run = doctor(&sb, &[], &[("ZDAUTH_PASSPHRASE", PASSPHRASE)]);
    line(&run, "warn", "acme: never logged in");
    assert!(!run.stdout.contains(PASSPHRASE) && !run.stderr.contains(PASSPHRASE));
    // No agent was started by looking.
    line(&doctor(&sb, &[], &[]), "ok", "agent: not running");

    let run = doctor(&sb, &[], &[("ZDAUTH_PASSPHRASE", "not the passphrase")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    line(&run, "FAIL", "vault: cannot be opened");
}

#[test]
fn the_clipboard_line_says_what_auto_picks_and_why() {
    let w = World::new(|_| {});
    let run = doctor(&w.sb, &[], &[("TMUX", "/tmp/tmux-0/default,1,0")]);
    let clipboard = run
        .stdout
        .lines()
        .find(|l| l.contains("clipboard:"))
        .unwrap();
    assert!(
        clipboard.contains("tmux") && clipboard.contains("$TMUX is set"),
        "{clipboard}"
    );

    let run = doctor(
        &w.sb,
        &[],
        &[
            ("SSH_CONNECTION", "10.0.0.2 5000 10.0.0.1 22"),
            ("DISPLAY", ":0"),
        ],
    );
    let clipboard = run
        .stdout
        .lines()
        .find(|l| l.contains("clipboard:"))
        .unwrap();
    assert!(
        clipboard.contains("OSC 52") && clipboard.contains("over SSH"),
        "{clipboard}"
    );

    let w = World::with_settings(
        "clipboard = \"command\"\nclipboard_command = \"zdauth-no-such-copier --in\"",
        |_| {},
    );
    let run = doctor(&w.sb, &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    line(&run, "FAIL", "`zdauth-no-such-copier` is not on PATH");
}

#[test]
fn no_browser_to_open_is_a_warning_naming_the_way_without_one() {
    let w = World::new(|_| {});
    // Nothing on PATH but what starts the binary in a session of its own.
    let empty = w.sb.temp.path().join("empty-bin");
    std::fs::create_dir(&empty).unwrap();
    std::os::unix::fs::symlink("/usr/bin/setsid", empty.join("setsid")).unwrap();
    let run = w.sb.run_with(
        &["doctor"],
        &[
            ("BROWSER", "/nonexistent/browser"),
            ("PATH", empty.to_str().unwrap()),
        ],
        None,
    );
    let browser = line(&run, "warn", "browser: none of /nonexistent/browser, ");
    assert!(browser.contains("--no-browser"), "{browser}");
}

#[test]
fn online_the_clock_is_checked_against_each_servers_date() {
    let w = World::new(|_| {});
    w.seed();
    let run = doctor(&w.sb, &["--online"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    line(&run, "ok", "clock: within 5s of 127.0.0.1's (acme)");

    // A server whose clock says 2099: this machine's clock is behind it.
    let (port, server) = dated_server("Tue, 01 Dec 2099 12:00:00 GMT");
    let base = format!("http://127.0.0.1:{port}");
    w.sb.run(&[
        "add",
        "skewed",
        "--subdomain",
        "skewed",
        "--client-id",
        CLIENT,
        "--base-url",
        &base,
    ])
    .success();
    let run = doctor(&w.sb, &["--online"], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let clock = line(&run, "FAIL", "clock: this machine's clock is");
    assert!(
        clock.contains("behind 127.0.0.1's (skewed)") && clock.contains("set the system clock"),
        "{clock}"
    );
    drop(server);

    // No server there at all: said, with what to check.
    let gone = free_port();
    let config =
        w.sb.config_text()
            .replace(&base, &format!("http://127.0.0.1:{gone}"));
    std::fs::write(w.sb.paths().config(), config).unwrap();
    let run = doctor(&w.sb, &["--online"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        line(&run, "FAIL", "clock: cannot ask 127.0.0.1 (skewed)").contains("check the network")
    );
}

/// A server on loopback answering every request with `date` as its Date header; it stops
/// when the guard is dropped (the next connection ends its loop).
fn dated_server(date: &str) -> (u16, impl Drop) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let answer = format!(
        "HTTP/1.1 200 OK\r\nDate: {date}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming() {
            if flag.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (
        port,
        DatedServer {
            port,
            stopping: stop,
            thread: Some(thread),
        },
    )
}

struct DatedServer {
    port: u16,
    stopping: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for DatedServer {
    fn drop(&mut self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
