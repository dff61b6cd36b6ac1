//! The TUI's dialogs in a real terminal: the log keeping a failure, paste-back in the login
//! modal (and its SSH line), shell-line editing and Ctrl-C cancelling a form, the demo's `a`.

use crate::common;

use std::process::Command;

use common::tmux::tmux;
use zdauth_fake::{Fault, FaultTarget};

#[test]
fn the_log_keeps_a_failure_that_a_later_success_would_have_hidden() {
    let Some(tmux) = tmux("log") else { return };
    let w = common::world::World::new(|_| {});
    w.seed();
    w.add_seeded("beta", "beta");
    tmux.start(&w.sb, "env -u NO_COLOR", "");
    tmux.wait_for("beta");

    // Zendesk fails acme's refresh; beta's then succeeds.
    w.fake.push_fault(FaultTarget::Token, Fault::Status(400), 1);
    tmux.keys(&["r"]);
    tmux.wait_for("refresh of acme failed");
    tmux.keys(&["j", "r"]);
    let started = std::time::Instant::now();
    while w.fake.counters().refreshes < 1 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "beta never refreshed"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux.keys(&["L"]);
    let log = tmux.wait_for("refreshed beta");
    assert!(log.contains(" messages "), "{log}");
    let failed = log
        .lines()
        .position(|l| l.contains("refresh of acme failed"));
    let refreshed = log.lines().position(|l| l.contains("refreshed beta"));
    assert!(
        failed.is_some() && failed < refreshed,
        "both kept, in order:\n{log}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("? help");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

/// As over SSH: no browser reaches the catcher, so the user pastes the address the browser
/// ended on. The engine checks it as `login --no-browser` does: a wrong state is refused and
/// the wait goes on, the right address logs in.
#[test]
fn the_browsers_final_address_pasted_into_the_modal_logs_in() {
    let Some(tmux) = tmux("paste-back") else {
        return;
    };
    let w = common::world::World::new(|_| {});
    let opened = w.sb.temp.path().join("opened-url");
    let browser = w.sb.temp.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf %s \"$1\" > {}\n", opened.display()),
    )
    .unwrap();
    let env = format!(
        "env -u NO_COLOR BROWSER='sh {}' SSH_CONNECTION='203.0.113.9 50022 198.51.100.7 2222' USER=ada",
        browser.display()
    );
    tmux.start(&w.sb, &env, "");
    tmux.wait_for("login required");
    tmux.keys(&["l"]);
    let port = w.port;
    let screen = tmux.wait_for("ssh -L");
    assert!(
        screen.contains(&format!(
            "ssh -L {port}:127.0.0.1:{port} -p 2222 ada@198.51.100.7"
        )),
        "{screen}"
    );
    let url = wait_for_file(&opened);
    // The browser's side: the fake approves and redirects; the redirect is not followed.
    let output = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{redirect_url}",
            "--max-time",
            "20",
            &url,
        ])
        .output()
        .unwrap();
    let callback = String::from_utf8(output.stdout).unwrap();
    assert!(callback.contains("code="), "{callback:?}");

    let paste = |text: &str| {
        tmux.run(&["set-buffer", "-b", "cb", text]);
        tmux.run(&["paste-buffer", "-p", "-d", "-b", "cb", "-t", "t"]);
    };
    let forged = format!("http://127.0.0.1:{port}/callback?code=stolen&state=not-this-login");
    paste(&forged);
    tmux.wait_for("state=not-this-login");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("does not match this login");
    assert!(
        screen.contains("log in to acme"),
        "the wait goes on:\n{screen}"
    );
    assert!(w.stored().tokens.is_none(), "nothing stored:\n{screen}");

    paste(&format!("{callback}\n"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("logged in to acme");
    assert!(w.stored().tokens.is_some());
    assert_eq!(w.fake.counters().code_exchanges, 1);
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn fields_edit_like_a_shell_line_and_ctrl_c_cancels_the_form_not_the_app() {
    let Some(tmux) = tmux("fields") else { return };
    let sb = common::Sandbox::new();
    sb.init_with_identity_file();
    tmux.start(&sb, "env -u NO_COLOR", "");
    tmux.wait_for("No connections yet");
    tmux.keys(&["a"]);
    tmux.wait_for("add a connection");
    tmux.type_text("acme prod");
    tmux.wait_for("acme prod▏");
    tmux.keys(&["C-w"]);
    tmux.wait_for("acme ▏");
    tmux.keys(&["BSpace", "Left", "Left"]);
    tmux.wait_for("ac▏me");
    tmux.type_text("X");
    tmux.wait_for("acX▏me");
    tmux.keys(&["C-k"]);
    tmux.wait_for("acX▏");
    tmux.keys(&["Home"]);
    tmux.type_text("z");
    tmux.wait_for("z▏acX");
    tmux.keys(&["DC", "End"]);
    tmux.wait_for("zcX▏");
    tmux.keys(&["C-a", "Right", "C-u"]);
    tmux.wait_for("name           ▏cX");
    tmux.keys(&["C-e"]);
    tmux.type_text("2");
    tmux.wait_for("name           cX2▏");

    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("nothing added");
    assert!(screen.contains("No connections yet"), "{screen}");
    let config = zdauth_core::config::Config::load(&sb.paths().config()).unwrap();
    assert!(config.connections.is_empty(), "{config:?}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn in_the_demo_a_adds_a_connection_on_the_demos_fake() {
    let Some(tmux) = tmux("demo-add") else { return };
    let sb = common::Sandbox::new();
    tmux.start(&sb, "env -u NO_COLOR", "demo");
    tmux.wait_for("umbrella");
    tmux.keys(&["a"]);
    let screen = tmux.wait_for("add a connection");
    assert!(
        screen.contains("zendesk at     http://127.0.0.1:"),
        "{screen}"
    );
    tmux.type_text("newco");
    tmux.keys(&["Tab"]);
    tmux.type_text("newco");
    tmux.keys(&["Enter"]);
    tmux.wait_for("added newco");
    let config = zdauth_core::config::Config::load(&sb.paths().config()).unwrap();
    let acme = config.connection("acme").unwrap();
    let newco = config.connection("newco").unwrap();
    assert_eq!(
        newco.base_url, acme.base_url,
        "the demo's fake, not zendesk.com"
    );
    assert_eq!(newco.client_id, acme.client_id);
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

/// The file's text once it has some (bounded).
fn wait_for_file(path: &std::path::Path) -> String {
    let started = std::time::Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && !text.is_empty()
        {
            return text;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{} was never written",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
