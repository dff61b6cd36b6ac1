//! The real binary in a real terminal: `zdauth demo` inside tmux, driven by keys.

mod common;

use std::time::{Duration, Instant};

use common::tmux::tmux;

#[test]
fn the_demo_runs_refreshes_and_quits_cleanly_in_a_real_terminal() {
    let Some(tmux) = tmux("demo") else { return };
    let sb = common::Sandbox::new();
    tmux.start(&sb, "env -u NO_COLOR", "demo");

    let screen = tmux.wait_for("umbrella");
    for name in ["acme", "globex", "initech"] {
        assert!(screen.contains(name), "{screen}");
    }
    assert!(screen.contains("login required"), "{screen}");
    assert!(
        screen.contains("? help"),
        "the footer lists keys:\n{screen}"
    );

    // The countdowns run: acme's time left changes within a few seconds.
    let acme_row = |screen: &str| {
        screen
            .lines()
            .find(|l| l.contains("acme@") || l.trim_start_matches(['›', ' ']).starts_with("acme "))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let first = acme_row(&screen);
    let started = Instant::now();
    while acme_row(&tmux.screen()) == first {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the countdown stood still: {first}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // globex is second, with about two minutes left: refresh it and its time jumps back up.
    let globex_left = |screen: &str| {
        screen
            .lines()
            .find(|l| l.contains("ada@globex.test"))
            .and_then(|l| {
                l.split_whitespace()
                    .find(|w| w.len() == 5 && w.as_bytes()[2] == b':')
            })
            .map(str::to_owned)
            .unwrap_or_default()
    };
    assert!(globex_left(&screen).starts_with("01:"), "{screen}");
    tmux.run(&["send-keys", "-t", "t", "j", "r"]);
    let screen = tmux.wait_for("refreshed globex");
    assert!(
        globex_left(&screen).starts_with("29:") || globex_left(&screen).starts_with("30:"),
        "{screen}"
    );

    // `/` filters as you type; Esc clears.
    tmux.run(&["send-keys", "-t", "t", "/", "i", "n", "i"]);
    let started = Instant::now();
    loop {
        let screen = tmux.screen();
        if screen.contains("initech") && !screen.contains("ada@acme.test") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "filter did not apply:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.run(&["send-keys", "-t", "t", "Escape"]);
    tmux.wait_for("ada@acme.test");

    tmux.run(&["send-keys", "-t", "t", "?"]);
    tmux.wait_for("move down");
    tmux.run(&["send-keys", "-t", "t", "Escape"]);

    tmux.run(&["send-keys", "-t", "t", "q"]);
    let after = tmux.wait_for("EXIT=0");
    assert!(after.contains("the demo ran in"), "{after}");
    assert!(
        !after.contains("umbrella"),
        "the alternate screen was left:\n{after}"
    );
}

#[test]
fn the_tui_unlocks_on_its_own_screen_and_retries_a_wrong_passphrase() {
    let Some(tmux) = tmux("unlock") else { return };
    let sb = common::Sandbox::new();
    std::fs::create_dir_all(sb.dir()).unwrap();
    std::fs::write(sb.paths().config(), "[settings]\nkdf_work_factor = 10\n").unwrap();
    sb.run_with(
        &["init"],
        &[("ZDAUTH_PASSPHRASE", common::PASSPHRASE)],
        None,
    )
    .success();
    sb.add("acme");
    tmux.start(&sb, "env -u ZDAUTH_PASSPHRASE", "");
    tmux.wait_for("unlock the vault");
    tmux.run(&["send-keys", "-t", "t", "-l", "not it at all"]);
    let screen = tmux.wait_for("•••••••••••••");
    assert!(!screen.contains("not it"), "the field is masked:\n{screen}");
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    tmux.wait_for("wrong passphrase");
    tmux.run(&["send-keys", "-t", "t", "-l", common::PASSPHRASE]);
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    let screen = tmux.wait_for("acme");
    assert!(screen.contains("? help"), "{screen}");
    tmux.run(&["send-keys", "-t", "t", "q"]);
    tmux.wait_for("EXIT=0");
}
