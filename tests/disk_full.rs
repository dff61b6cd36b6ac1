//! A full disk never costs a grant (checklist items 17 and 31): the config dir is a small
//! tmpfs, filled before a refresh and while its POST is on the wire. Mounting needs root (the
//! test machines run tests as root); elsewhere these tests say so and pass, except under
//! CI=true, where they fail.

use crate::common;

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::mode;
use common::tmpfs::Tmpfs;
use common::world::World;

fn spawn_token(w: &World) -> Child {
    w.sb.zdauth(&["token", "acme", "--min-valid", "24h"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

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

fn last_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.trim_end()
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

/// The grant still works: one more refresh succeeds and nothing was ever replayed.
fn grant_still_works(w: &World) {
    let run = w.sb.run(&["token", "acme", "--min-valid", "24h"]).success();
    assert_eq!(run.stdout.trim(), w.stored_access());
    assert!(w.fake.access_token_works(&w.stored_access()));
    assert_eq!(
        w.fake.counters().reuse_detections,
        0,
        "a spent token replayed"
    );
    assert_eq!(w.fake.counters().revoked_grants, 0);
}

#[test]
fn item_31_a_full_disk_before_the_refresh_spends_nothing_and_says_so() {
    let w = World::new(|_| {});
    w.seed();
    let before = w.stored();
    let Some(disk) = Tmpfs::over(&w.sb.dir(), "size=1m,mode=0700") else {
        return;
    };
    let filler = disk.fill();

    let run = w.sb.run(&["token", "acme", "--min-valid", "24h"]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let last = last_line(run.stderr.as_bytes());
    assert!(
        last.starts_with("zdauth: no room to save a new pair in ")
            && last.ends_with("free some space; your tokens were kept"),
        "{last}"
    );
    assert!(last.contains(&w.sb.dir().display().to_string()), "{last}");
    assert_eq!(
        w.fake.counters().token_posts,
        0,
        "a refresh token was spent"
    );
    assert_eq!(w.stored(), before);

    fs::remove_file(filler).unwrap();
    grant_still_works(&w);
    assert_eq!(w.fake.counters().refreshes, 1);
}

#[test]
fn item_31_a_disk_that_fills_while_the_post_is_on_the_wire_still_takes_the_new_pair() {
    let w = World::new(|_| {});
    w.seed();
    let Some(disk) = Tmpfs::over(&w.sb.dir(), "size=1m,mode=0700") else {
        return;
    };
    w.fake.set_latency(Duration::from_millis(1500));
    let token = spawn_token(&w);
    wait_for_the_post(&w);
    let filler = disk.fill();
    let out = token.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The pair the fake holds now is the one in the vault, and the one printed.
    assert!(w.fake.access_token_works(&w.stored_access()));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        w.stored_access()
    );

    fs::remove_file(filler).unwrap();
    w.fake.set_latency(Duration::ZERO);
    grant_still_works(&w);
}

#[test]
fn item_31_a_pair_that_cannot_be_saved_is_rescued_outside_the_full_disk_and_taken_back() {
    let w = World::new(|_| {});
    w.seed();
    let old_access = w.stored_access();
    let Some(disk) = Tmpfs::over(&w.sb.dir(), "size=1m,nr_inodes=64,mode=0700") else {
        return;
    };
    w.fake.set_latency(Duration::from_millis(1500));
    let token = spawn_token(&w);
    wait_for_the_post(&w);
    // Bytes were set aside for the save, but it needs inodes too (temp file, backup link).
    let filler = disk.fill_inodes();
    let out = token.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let last = last_line(&out.stderr);
    let lines = String::from_utf8_lossy(&out.stderr)
        .trim_end()
        .lines()
        .count();
    assert_eq!(lines, 1, "one line says what happened: {last}");
    let places = w.sb.temp.path().join("xdg-state").join("zdauth");
    assert!(
        last.starts_with("zdauth: the refresh token of acme was spent")
            && last.contains(&places.display().to_string())
            && last.ends_with("the next zdauth command takes it back"),
        "{last}"
    );
    let rescues: Vec<PathBuf> = fs::read_dir(&places)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(rescues.len(), 1, "{rescues:?}");
    assert_eq!(mode(&rescues[0]), 0o600);
    assert_eq!(w.stored_access(), old_access, "vault.age could not change");

    fs::remove_dir_all(filler).unwrap();
    w.fake.set_latency(Duration::ZERO);
    let status = w.sb.run(&["status", "acme"]);
    assert!(
        status
            .stderr
            .contains("zdauth: took back acme's new tokens from "),
        "{}",
        status.stderr
    );
    assert_eq!(
        status.stderr.matches("took back").count(),
        1,
        "{}",
        status.stderr
    );
    assert!(
        !rescues[0].exists(),
        "the rescue file stays after its take-back"
    );
    assert_ne!(w.stored_access(), old_access);
    assert!(w.fake.access_token_works(&w.stored_access()));
    grant_still_works(&w);
    let again = w.sb.run(&["status", "acme"]);
    assert!(!again.stderr.contains("took back"), "{}", again.stderr);
}

#[test]
fn item_31_a_login_on_a_full_disk_spends_no_code_and_keeps_the_stored_pair() {
    let w = World::new(|_| {});
    w.seed();
    let before = w.stored();
    let Some(disk) = Tmpfs::over(&w.sb.dir(), "size=1m,mode=0700") else {
        return;
    };
    let filler = disk.fill();
    let browser = w.browser();
    let login = ["login", "acme", "--timeout", "30s"];
    w.sb.run_with(&login, &[("BROWSER", &browser)], None)
        .fails_at_end(1, "no room to save a new pair in");
    assert_eq!(w.fake.counters().token_posts, 0, "the code was spent");
    assert_eq!(w.stored(), before);

    fs::remove_file(filler).unwrap();
    w.sb.run_with(&login, &[("BROWSER", &browser)], None)
        .success();
    assert_eq!(w.fake.counters().code_exchanges, 1);
    assert!(w.fake.access_token_works(&w.stored_access()));
}

#[test]
fn item_31_a_rescue_older_than_the_vault_never_replaces_it() {
    let w = World::new(|_| {});
    let mut old = common::tokens(1800, Some(86_400));
    w.seed();
    let current = w.stored();
    old.tokens.as_mut().unwrap().obtained_at =
        current.tokens.as_ref().unwrap().obtained_at - jiff::SignedDuration::from_secs(60);
    let rescue = w.sb.vault().write_rescue("acme", &old).unwrap();
    let run = w.sb.run(&["status", "acme"]);
    assert!(
        run.stderr.contains("vault.age already holds acme's tokens"),
        "{}",
        run.stderr
    );
    assert!(!rescue.exists());
    assert_eq!(w.stored(), current);
}

#[test]
fn item_31_a_linked_vault_needs_room_where_it_points_not_beside_the_link() {
    let w = World::new(|_| {});
    w.seed();
    let before = w.stored();
    let elsewhere = w.sb.temp.path().join("synced");
    fs::create_dir(&elsewhere).unwrap();
    let Some(disk) = Tmpfs::over(&elsewhere, "size=1m,mode=0700") else {
        return;
    };
    let vault = w.sb.paths().vault();
    fs::copy(&vault, elsewhere.join("vault.age")).unwrap();
    fs::remove_file(&vault).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("vault.age"), &vault).unwrap();
    let filler = disk.fill();

    let run = w.sb.run(&["token", "acme", "--min-valid", "24h"]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let last = last_line(run.stderr.as_bytes());
    assert!(
        last.starts_with("zdauth: no room to save a new pair in ")
            && last.contains(&elsewhere.display().to_string()),
        "{last}"
    );
    assert_eq!(
        w.fake.counters().token_posts,
        0,
        "a refresh token was spent"
    );
    assert_eq!(w.stored(), before);

    fs::remove_file(filler).unwrap();
    grant_still_works(&w);
    assert!(
        fs::symlink_metadata(&vault)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
