//! `zdauth copy` and the TUI's `c` for real: a named buffer in a real tmux, a user's
//! `clipboard_command`, and the errors. Each clear is checked after the background helper has
//! finished, and never wipes a newer copy. OSC 52 and the desktop clipboard have files of
//! their own.

use crate::common;

use common::clipboard::{helper_running, helpers, wait_for_helper, zdauth_here};
use common::tmux::tmux;
use common::world::World;
use zdauth_core::clipboard::CLEARED_TEXT;

#[test]
fn with_no_display_and_no_terminal_copy_says_what_to_set() {
    let w = World::new(|_| {});
    w.seed();
    // The sandbox runs the binary in a new session: no controlling terminal for OSC 52.
    let out = zdauth_here(&w, &["copy", "acme"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("zdauth: no terminal to send the OSC 52 escape to")
            && stderr
                .trim_end()
                .ends_with("set settings.clipboard in config.toml (see config.example.toml)"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn a_connection_that_needs_login_copies_nothing() {
    let w = World::new(|_| {});
    let mut command = zdauth_here(&w, &["copy", "acme"]);
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("zdauth login acme"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!helper_running(&w));
}

#[test]
fn clipboard_command_gets_the_token_on_stdin_and_the_clear_overwrites_it() {
    let sink = tempfile::tempdir().unwrap();
    let file = sink.path().join("clip board.txt");
    let settings = format!(
        "clipboard = \"command\"\nclipboard_command = \"sh -c 'cat > \\\"$0\\\"' '{}'\"\nclipboard_clear = \"1s\"",
        file.display()
    );
    let w = World::with_settings(&settings, |_| {});
    let issued = w.seed();
    let run = w.sb.run(&["copy", "acme"]).success();
    assert_eq!(
        run.stderr,
        "copied acme's token to clipboard_command \"sh\"; clears in 1s (overwritten unchecked: this clipboard cannot be read back)\n"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), issued.access_token);
    wait_for_helper(&w);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), CLEARED_TEXT);
}

// ---- tmux ----

fn buffers(tmux: &common::tmux::Tmux) -> Vec<(String, String)> {
    tmux.run(&["list-buffers", "-F", "#{buffer_name}"])
        .lines()
        .map(|name| (name.to_owned(), tmux.run(&["show-buffer", "-b", name])))
        .collect()
}

#[test]
fn in_tmux_the_token_goes_to_a_named_buffer_and_is_gone_after_the_clear() {
    let Some(tmux) = tmux("copy") else { return };
    let w = World::with_settings("clipboard_clear = \"4s\"", |_| {});
    let issued = w.seed();
    tmux.start(&w.sb, "tmux set -s set-clipboard on;", "copy acme");
    let screen = tmux.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        screen.contains(
            "copied acme's token to tmux buffer zdauth; clears in 4s if it is still there"
        ),
        "{screen}"
    );
    assert_eq!(
        tmux.run(&["show-buffer", "-b", "zdauth"]),
        issued.access_token
    );
    // The helper got the token on a pipe: not on its argv, not in its environment.
    let running = helpers(&w);
    assert_eq!(running.len(), 1);
    for file in ["cmdline", "environ"] {
        let seen = std::fs::read(running[0].join(file)).unwrap();
        assert!(!seen.is_empty(), "{file} was readable");
        assert!(
            !String::from_utf8_lossy(&seen).contains(&issued.access_token),
            "{file}"
        );
    }
    // The user copies something else meanwhile: a buffer of their own, which stays.
    tmux.run(&["set-buffer", "-b", "mine", "user text"]);

    wait_for_helper(&w);
    let left = buffers(&tmux);
    assert!(
        left.iter()
            .all(|(_, text)| !text.contains(&issued.access_token)),
        "{left:?}"
    );
    assert!(
        left.contains(&("mine".into(), "user text".into())),
        "{left:?}"
    );
}

#[test]
fn in_tmux_a_newer_copy_in_our_buffer_is_left_alone() {
    let Some(tmux) = tmux("copy-changed") else {
        return;
    };
    let w = World::with_settings("clipboard_clear = \"2s\"", |_| {});
    let issued = w.seed();
    tmux.start(&w.sb, "", "copy acme --header");
    let screen = tmux.wait_for("EXIT=");
    assert!(
        screen.contains("copied acme's Authorization header"),
        "{screen}"
    );
    assert_eq!(
        tmux.run(&["show-buffer", "-b", "zdauth"]),
        format!("Authorization: Bearer {}", issued.access_token)
    );
    tmux.run(&["set-buffer", "-b", "zdauth", "pasted since"]);
    wait_for_helper(&w);
    assert_eq!(tmux.run(&["show-buffer", "-b", "zdauth"]), "pasted since");
}

// ---- the TUI ----

#[test]
fn in_the_tui_c_copies_into_tmux_and_the_clear_and_quitting_take_it_back() {
    let Some(tmux) = tmux("tui-copy") else { return };
    let w = World::with_settings("clipboard_clear = \"3s\"", |_| {});
    let issued = w.seed();
    let token = issued.access_token.clone();
    let holds_token =
        |tmux: &common::tmux::Tmux| buffers(tmux).iter().any(|(_, text)| text.contains(&token));
    tmux.start(&w.sb, "tmux set -s set-clipboard on;", "tui");
    tmux.wait_for("c copy");
    tmux.run(&["send-keys", "-t", "t", "c"]);
    tmux.wait_for("copied acme's token to tmux buffer zdauth — clears in");
    assert_eq!(tmux.run(&["show-buffer", "-b", "zdauth"]), token);
    tmux.wait_for("cleared acme's token from the clipboard");
    assert!(!holds_token(&tmux), "{:?}", buffers(&tmux));

    // C copies the header; quitting before the clear still clears it.
    tmux.run(&["send-keys", "-t", "t", "C"]);
    tmux.wait_for("copied acme's Authorization header to tmux buffer zdauth — clears");
    assert_eq!(
        tmux.run(&["show-buffer", "-b", "zdauth"]),
        format!("Authorization: Bearer {token}")
    );
    tmux.run(&["send-keys", "-t", "t", "q"]);
    tmux.wait_for("EXIT=0");
    assert!(!holds_token(&tmux), "{:?}", buffers(&tmux));
}

#[test]
fn a_clipboard_command_that_never_returns_is_stopped_with_a_clear_error() {
    let w = World::with_settings(
        "clipboard = \"command\"\nclipboard_command = \"sh -c 'cat > /dev/null; exec sleep 60'\"",
        |_| {},
    );
    w.seed();
    w.sb.run(&["copy", "acme"])
        .fails(1, "did not exit within 10s: it must read stdin and return");
    wait_for_helper(&w);
}
