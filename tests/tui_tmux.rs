//! The real binary in a real terminal: `zdauth demo` inside tmux, driven by keys.

use crate::common;

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
    // An Esc followed at once by q can reach the terminal as Alt-q: let it land first.
    tmux.wait_for("? help");

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

#[test]
fn a_connection_is_added_through_the_form_and_deleted_again() {
    let Some(tmux) = tmux("form") else { return };
    let sb = common::Sandbox::new();
    sb.init_with_identity_file();
    // A [keys] override reaches the real binary: + opens the form too.
    let mut config = sb.config_text();
    config.push_str("\n[keys]\n\"+\" = \"add\"\n");
    std::fs::write(sb.paths().config(), config).unwrap();
    tmux.start(&sb, "env -u NO_COLOR", "");
    tmux.wait_for("No connections yet");

    tmux.keys(&["+"]);
    tmux.wait_for("add a connection");
    tmux.type_text("acme");
    tmux.keys(&["Tab"]);
    // A real bracketed paste, trailing newline and all: it fills the field, it does not submit.
    tmux.run(&[
        "set-buffer",
        "-b",
        "url",
        "https://acme.zendesk.com/agent/tickets/42\n",
    ]);
    tmux.run(&["paste-buffer", "-p", "-d", "-b", "url", "-t", "t"]);
    let screen = tmux.wait_for("https://acme.zendesk.com/agent/tickets/42");
    assert!(
        screen.contains("add a connection"),
        "still in the form:\n{screen}"
    );
    tmux.keys(&["Tab"]);
    tmux.type_text("zdauth_acme");
    tmux.keys(&["Tab"]);
    tmux.type_text("s3cret-not-for-config");
    let screen = tmux.wait_for("•••••••••••••••••••••");
    assert!(
        !screen.contains("s3cret"),
        "the secret is masked:\n{screen}"
    );
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("added acme: register http://127.0.0.1:8765/callback");
    assert!(screen.contains("login required"), "{screen}");

    let config = sb.config_text();
    assert!(config.contains("name = \"acme\""), "{config}");
    assert!(
        config.contains("subdomain = \"acme\""),
        "the URL was made bare:\n{config}"
    );
    assert!(!config.contains("s3cret"), "{config}");
    assert!(
        config.contains("# zdauth configuration"),
        "comments kept:\n{config}"
    );
    let stored = sb.vault().load().unwrap();
    let secret = stored.connections["acme"].client_secret.as_ref().unwrap();
    assert_eq!(secret.expose(), "s3cret-not-for-config");

    tmux.keys(&["d"]);
    tmux.wait_for("delete acme?");
    tmux.keys(&["l"]);
    tmux.wait_for("deleted acme");
    tmux.wait_for("No connections yet");
    let config = zdauth_core::config::Config::load(&sb.paths().config()).unwrap();
    assert!(config.connection("acme").is_none(), "{config:?}");
    assert!(!sb.vault().load().unwrap().connections.contains_key("acme"));

    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn tags_typed_in_the_form_are_saved_and_the_filter_finds_them() {
    let Some(tmux) = tmux("tags") else { return };
    let sb = common::Sandbox::new();
    sb.init_with_identity_file();
    sb.add("beta");
    tmux.start(&sb, "env -u NO_COLOR", "");
    tmux.wait_for("login required");

    tmux.keys(&["a"]);
    tmux.wait_for("add a connection");
    for text in ["acme", "acme", "zdauth_acme"] {
        tmux.type_text(text);
        tmux.keys(&["Tab"]);
    }
    // Past the secret, grant, scopes and port to the tags.
    tmux.keys(&["Tab", "Tab", "Tab", "Tab"]);
    tmux.wait_for("› tags");
    tmux.type_text("prod, eu");
    tmux.keys(&["Enter"]);
    tmux.wait_for("added acme");
    let config = zdauth_core::config::Config::load(&sb.paths().config()).unwrap();
    assert_eq!(config.connection("acme").unwrap().tags, ["prod", "eu"]);
    assert!(
        sb.config_text().contains(r#"tags = ["prod", "eu"]"#),
        "{}",
        sb.config_text()
    );

    tmux.keys(&["/"]);
    tmux.type_text("tag:prod");
    let started = Instant::now();
    loop {
        let screen = tmux.screen();
        if screen.contains("acme") && !screen.contains("beta") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the tag filter did not apply:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["Escape", "Escape"]);
    tmux.wait_for("beta");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn the_first_run_welcomes_instead_of_failing_and_creates_the_identity() {
    let Some(tmux) = tmux("first") else { return };
    let sb = common::Sandbox::new();
    tmux.start(&sb, "env -u ZDAUTH_PASSPHRASE", "");
    let screen = tmux.wait_for("No identity yet");
    assert!(screen.contains("create the identity"), "{screen}");
    assert!(screen.contains("zdauth demo"), "{screen}");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("EXIT=0");
    assert!(!after.contains("zdauth:"), "no error:\n{after}");
    assert!(!sb.paths().config().exists(), "quitting wrote nothing");
    drop(tmux);

    // Now through to the identity, at a low scrypt work factor.
    let Some(tmux) = self::tmux("first2") else {
        return;
    };
    std::fs::create_dir_all(sb.dir()).unwrap();
    std::fs::write(sb.paths().config(), "[settings]\nkdf_work_factor = 10\n").unwrap();
    tmux.start(&sb, "env -u ZDAUTH_PASSPHRASE", "");
    tmux.wait_for("No identity yet");
    tmux.keys(&["i"]);
    tmux.wait_for("A new passphrase");
    tmux.type_text(common::PASSPHRASE);
    tmux.keys(&["Enter"]);
    tmux.type_text(common::PASSPHRASE);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("No connections yet");
    assert!(screen.contains("a add"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
    assert!(sb.paths().identity().exists());
    sb.run_with(
        &["list"],
        &[("ZDAUTH_PASSPHRASE", common::PASSPHRASE)],
        None,
    )
    .success();
}

#[test]
fn delete_with_revoke_revokes_at_the_fake_zendesk_and_a_failed_revoke_keeps_everything() {
    use zdauth_fake::{Fault, FaultTarget};
    let Some(tmux) = tmux("revoke") else { return };
    let w = common::world::World::new(|_| {});
    w.seed();
    tmux.start(&w.sb, "env -u NO_COLOR", "");
    tmux.wait_for("acme");

    // Zendesk fails: nothing is deleted, the tokens stay, the toast says what to do.
    w.fake.push_fault(FaultTarget::Api, Fault::Status(500), 3);
    tmux.keys(&["d"]);
    tmux.wait_for("delete acme?");
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("revoking acme failed");
    assert!(screen.contains("d then l deletes"), "{screen}");
    assert!(w.stored().tokens.is_some());
    assert!(w.connection().name == "acme");
    assert_eq!(w.fake.counters().revocations, 0);

    w.fake.clear_faults();
    tmux.keys(&["d"]);
    tmux.wait_for("delete acme?");
    tmux.keys(&["y"]);
    tmux.wait_for("deleted acme and revoked its token at Zendesk");
    assert_eq!(w.fake.counters().revocations, 1);
    let config = zdauth_core::config::Config::load(&w.sb.paths().config()).unwrap();
    assert!(config.connection("acme").is_none());
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

/// Quitting while a refresh is on the wire: the fake has already rotated the pair, so
/// dropping the task before its save would leave only a spent refresh token on disk.
#[test]
fn quitting_during_a_refresh_waits_for_the_rotated_pair_to_be_saved() {
    let Some(tmux) = tmux("quit-refresh") else {
        return;
    };
    let w = common::world::World::new(|options| {
        options.latency = std::time::Duration::from_millis(1500);
    });
    w.seed();
    let spent = w.stored_refresh();
    tmux.start(&w.sb, "", "tui");
    tmux.wait_for("r refresh");
    tmux.keys(&["r"]);
    tmux.wait_for("refreshing");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
    assert_eq!(w.fake.counters().refreshes, 1);
    assert_ne!(w.stored_refresh(), spent, "the rotated pair was saved");
    // And it is the live one: a script refreshes with it.
    w.sb.run(&["refresh", "acme"]).success();
}

/// The cliff in a real terminal: under `NO_COLOR` the REFRESH column says in words which grants
/// lapse within `keepalive` (7 days by default) and which under 3 days, the header counts
/// them, and `s` reaches the order by refresh expiry.
#[test]
fn lapsing_grants_are_marked_in_words_and_s_sorts_them_by_refresh_expiry() {
    let Some(tmux) = tmux("cliff") else { return };
    // The fake issues refresh tokens that live 2 days and an hour: under the 3-day rule.
    let w = common::world::World::new(|options| {
        options.refresh_lifetime = Duration::from_secs(2 * 86_400 + 3600);
    });
    w.seed();
    w.add_seeded("beta", "beta");
    // acme's was stored 3 days later than beta's: 5 days left, under keepalive only. By name
    // acme comes first, by refresh expiry beta.
    move_refresh_expiry(&w, "acme", jiff::SignedDuration::from_hours(72));
    tmux.start(&w.sb, "env NO_COLOR=1", "");
    tmux.wait_for("2 lapse within 7d");
    // The runtime asked for the agent off the UI thread and the header says what it heard.
    let screen = tmux.wait_for("2 lapse within 7d · no agent");
    let row = |screen: &str, name: &str| {
        screen
            .lines()
            .position(|l| l.trim_start_matches(['›', ' ']).starts_with(name))
            .map(|y| (y, screen.lines().nth(y).unwrap_or_default().to_owned()))
    };
    let (acme_y, acme) = row(&screen, "acme").expect(&screen);
    let (beta_y, beta) = row(&screen, "beta").expect(&screen);
    assert!(acme.contains(" 5d soon "), "{screen}");
    assert!(beta.contains(" 2d LAPSES "), "{screen}");
    assert!(acme_y < beta_y, "sorted by name first:\n{screen}");

    tmux.keys(&["s", "s", "s"]);
    let screen = tmux.wait_for("sorted by refresh expiry");
    assert!(screen.contains("REFRESH▾"), "{screen}");
    let (acme_y, _) = row(&screen, "acme").expect(&screen);
    let (beta_y, _) = row(&screen, "beta").expect(&screen);
    assert!(beta_y < acme_y, "beta lapses first:\n{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

/// Moves `name`'s stored refresh expiry `by` later, as if its pair had been stored then.
fn move_refresh_expiry(w: &common::world::World, name: &str, by: jiff::SignedDuration) {
    let lock = w.sb.vault().lock_connection(name).unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    let tokens = entry.tokens.as_mut().unwrap();
    tokens.refresh_expires_at = tokens.refresh_expires_at.map(|at| at + by);
    lock.persist(entry).unwrap();
}
