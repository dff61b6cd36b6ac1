//! Two writers of config.toml: the real TUI in tmux while `zdauth add`/`remove` and an
//! editor change the file under it.

use crate::common;

use std::time::{Duration, Instant};

use common::Sandbox;
use common::tmux::{Tmux, tmux};
use zdauth_core::config::Config;

/// What an editor does: the whole file written beside it, then renamed over it.
fn edit_like_an_editor(sb: &Sandbox, change: impl FnOnce(String) -> String) -> Vec<u8> {
    let path = sb.paths().config();
    let text = change(std::fs::read_to_string(&path).unwrap());
    let beside = path.with_extension("toml.swp");
    std::fs::write(&beside, &text).unwrap();
    std::fs::rename(&beside, &path).unwrap();
    text.into_bytes()
}

/// acme's table gets `redirect_port = PORT` (replacing one that is there).
fn set_port(text: &str, port: u16) -> String {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with("redirect_port = "))
        .map(str::to_owned)
        .collect();
    let at = lines.iter().position(|l| l == "name = \"acme\"").unwrap() + 1;
    lines.insert(at, format!("redirect_port = {port}"));
    lines.join("\n") + "\n"
}

fn acme(sb: &Sandbox) -> zdauth_core::config::Connection {
    Config::load(&sb.paths().config())
        .unwrap()
        .connection("acme")
        .unwrap()
        .clone()
}

fn wait_until_gone(tmux: &Tmux, text: &str) {
    let started = Instant::now();
    while tmux.screen().contains(text) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{text:?} stayed:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn connections_the_cli_adds_and_removes_while_the_tui_runs_appear_and_a_bad_edit_is_shown() {
    let Some(tmux) = tmux("cfg-writers") else {
        return;
    };
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    tmux.start(&sb, "env -u NO_COLOR", "");
    tmux.wait_for("1 need login");

    for i in 1..=40 {
        sb.add(&format!("c{i:02}"));
    }
    let screen = tmux.wait_for("41 need login");
    assert!(screen.contains("c01"), "{screen}");
    sb.run(&["remove", "c01"]).success();
    tmux.wait_for("40 need login");

    // An editor saves a file that is not valid: the list stays, the reason is shown.
    let good = std::fs::read(sb.paths().config()).unwrap();
    edit_like_an_editor(&sb, |text| set_port(&text, 80));
    let screen = tmux.wait_for("config.toml line ");
    assert!(
        screen.contains("redirect_port: 80 is not a usable port"),
        "{screen}"
    );
    assert!(screen.contains("40 need login"), "{screen}");
    std::fs::write(sb.paths().config(), good).unwrap();
    wait_until_gone(&tmux, "config.toml line ");

    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn the_edit_form_writes_only_what_the_user_changed_and_refuses_a_field_changed_on_disk() {
    let Some(tmux) = tmux("cfg-merge") else {
        return;
    };
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.run(&[
        "add",
        "acme",
        "--subdomain",
        "acme",
        "--client-id",
        "zdauth_acme",
        "--scopes",
        "read",
    ])
    .success();
    tmux.start(&sb, "env -u NO_COLOR", "");
    tmux.wait_for("1 need login");

    // The form opens on port 8765; another writer moves the port; the user adds a scope.
    tmux.keys(&["e"]);
    tmux.wait_for("edit acme");
    edit_like_an_editor(&sb, |text| set_port(&text, 9100));
    // subdomain, client id, secret, grant, then scopes.
    tmux.keys(&["Down", "Down", "Down", "Down"]);
    tmux.type_text(" write");
    tmux.keys(&["Enter"]);
    tmux.wait_for("saved acme");
    let now = acme(&sb);
    assert_eq!(now.redirect_port, 9100, "the other writer's port stays");
    assert_eq!(
        now.scopes,
        ["read", "write"],
        "the user's scopes are written"
    );

    // Open again (on 9100); the other writer moves it to 9200; the user changes it too.
    tmux.keys(&["e"]);
    tmux.wait_for("edit acme");
    let theirs = edit_like_an_editor(&sb, |text| set_port(&text, 9200));
    // Up from the subdomain wraps to the tags, then the port.
    tmux.keys(&["Up", "Up"]);
    tmux.keys(&["BSpace", "BSpace", "BSpace", "BSpace"]);
    tmux.type_text("9300");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("not saved: acme's redirect port (now 9200)");
    assert!(screen.contains("edit acme"), "the form stays:\n{screen}");
    assert_eq!(
        std::fs::read(sb.paths().config()).unwrap(),
        theirs,
        "nothing written"
    );

    tmux.keys(&["Escape"]);
    tmux.wait_for("nothing changed");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}
