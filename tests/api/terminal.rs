//! What reaches a terminal: pretty JSON with every string cleaned, on a pty this test owns
//! (its raw bytes read off the near end); piped, the data as it came; a closed pipe.

use std::io::Read;
use std::os::fd::OwnedFd;
use std::process::Stdio;

use rustix::fs::{Mode, OFlags, open};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use zdauth_fake::FakeUser;

use super::{api, code, json, lines};
use crate::common::Run;
use crate::common::world::World;

/// `zdauth ARGS` with stdout on a fresh pty; its exit code and every byte it wrote there.
fn on_a_terminal(w: &World, args: &[&str]) -> (i32, Vec<u8>, String) {
    let near = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&near).unwrap();
    unlockpt(&near).unwrap();
    let path = ptsname(&near, Vec::new()).unwrap().into_string().unwrap();
    let far: OwnedFd = open(
        &path,
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();
    let mut reader = std::fs::File::from(near);
    let seen = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut chunk = vec![0u8; 65536];
        // Ends with EIO once no process holds the far end.
        while let Ok(n @ 1..) = reader.read(&mut chunk) {
            all.extend_from_slice(&chunk[..n]);
        }
        all
    });
    let mut all = vec!["api"];
    all.extend_from_slice(args);
    let mut command = w.sb.zdauth(&all);
    command.stdout(Stdio::from(far)).stderr(Stdio::piped());
    let output = command.spawn().unwrap().wait_with_output().unwrap();
    drop(command);
    let run = Run::of(output);
    (run.code, seen.join().unwrap(), run.stderr)
}

fn hostile() -> World {
    let w = World::new(|options| options.user = FakeUser::with_terminal_tricks());
    w.seed();
    w
}

#[test]
fn on_a_terminal_the_answer_is_pretty_and_piped_it_is_compact() {
    let w = World::new(|_| {});
    w.seed();
    let (status, shown, stderr) = on_a_terminal(&w, &["acme", "users/me.json"]);
    assert_eq!(status, 0, "{stderr}");
    let shown = String::from_utf8(shown).unwrap().replace("\r\n", "\n");
    assert!(shown.starts_with("{\n  \"user\": {\n    \""), "{shown}");
    let parsed: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(parsed["user"]["email"], "ada@acme.test");
    let run = api(&w, &["acme", "users/me.json"]);
    assert_eq!(run.stdout.lines().count(), 1);
    assert_eq!(json(&run), parsed);
}

/// The bytes a hostile answer would drive a terminal with: ESC, 8-bit CSI, BEL, bidi.
fn assert_clean(shown: &[u8], what: &str) {
    let text = String::from_utf8_lossy(shown);
    for bad in [
        '\u{1b}', '\u{9b}', '\u{7}', '\u{7f}', '\u{202e}', '\u{2066}', '\u{200f}',
    ] {
        assert!(
            !text.contains(bad),
            "{what}: {bad:?} reached the terminal: {text:?}"
        );
    }
    assert!(text.contains("Evil"), "{what}: {text:?}");
}

#[test]
fn terminal_escapes_in_an_answer_never_reach_the_terminal() {
    let w = hostile();
    w.add_seeded("beta", "beta");
    for args in [
        &["acme", "users/me.json"][..],
        &["acme", "users/me.json", "--jq", ".user.name"],
        &["acme", "users/me.json", "--jq", ".user"],
        &["--all", "users/me.json"],
        &["--all", "users/me.json", "--jq", ".user.name"],
    ] {
        let (status, shown, stderr) = on_a_terminal(&w, args);
        assert_eq!(status, 0, "{args:?}: {stderr}");
        assert_clean(&shown, &format!("{args:?}"));
    }
    // Piped, the data goes out as it came: a script gets the very name.
    let run = api(&w, &["acme", "users/me.json", "--jq", ".user.name"]);
    code(&run, 0);
    assert_eq!(run.stdout.trim_end(), FakeUser::with_terminal_tricks().name);
    let run = api(&w, &["--all", "users/me.json"]);
    assert_eq!(
        lines(&run)[0]["body"]["user"]["email"],
        FakeUser::with_terminal_tricks().email
    );
}

fn into_a_closed_pipe(w: &World, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut all = vec!["api"];
    all.extend_from_slice(args);
    let mut command = w.sb.zdauth(&all);
    command.stdout(writer).stderr(Stdio::piped());
    Run::of(command.spawn().unwrap().wait_with_output().unwrap())
}

#[test]
fn a_closed_pipe_ends_the_walk_quietly_with_141() {
    let w = World::new(|_| {});
    w.seed();
    w.add_seeded("beta", "beta");
    w.fake.set_api_records(10_000);
    for args in [
        &["acme", "users/me.json"][..],
        &["--all", "users.json?page[size]=10", "--paginate"],
        &["--all", "--sort", "users.json?page[size]=10", "--paginate"],
        &[
            "acme",
            "users.json?page[size]=10",
            "--paginate",
            "--jq",
            ".users[].id",
        ],
    ] {
        let run = into_a_closed_pipe(&w, args);
        assert_eq!(run.code, 141, "{args:?}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{args:?} said: {}", run.stderr);
    }
    // The walks stopped soon after the reader went, not at their end (2 × 2 × 1000 pages).
    let pages = w.fake.counters().api_calls_to("GET", "/api/v2/users.json");
    assert!(pages < 400, "{pages} pages fetched for nobody");
}
