//! `update` rule by rule, at a fixed clock: no terminal, no tokio, no network.

use crossterm::event::KeyCode;
use jiff::SignedDuration;

use super::app::{Effect, Mode, SortMode};
use super::keymap::Key;
use super::msg::{LoginDone, LoginUpdate, Msg, RefreshFailure};
use super::row::{ConnState, snapshot};
use super::testdata::*;

fn esc() -> Msg {
    Msg::Key(Key::plain(KeyCode::Esc))
}

/// (valid, expiring, expired, need login)
fn counts(app: &super::App) -> (usize, usize, usize, usize) {
    let c = app.counts();
    (c.valid, c.expiring, c.expired, c.need_login)
}

fn select(app: &mut super::App, name: &str) {
    press(app, "g");
    while app.selected_name() != Some(name) {
        press(app, "j");
    }
}

#[test]
fn rows_come_sorted_by_name_with_the_first_selected() {
    let app = app();
    assert_eq!(app.visible_names(), NAMES);
    assert_eq!(app.selected_name(), Some("acme"));
    assert_eq!(app.state_of("umbrella"), Some(&ConnState::LoginRequired));
    let counts = app.counts();
    // initech is expired (a refresh still helps), umbrella needs a login.
    assert_eq!(
        (
            counts.valid,
            counts.expiring,
            counts.expired,
            counts.need_login
        ),
        (1, 1, 1, 1)
    );
}

#[test]
fn the_clock_moves_only_with_ticks() {
    let mut app = app();
    press(&mut app, "jjs/x");
    assert_eq!(app.now(), now());
    let before = app.generation();
    app.update(Msg::Tick(now()));
    assert_eq!(app.generation(), before, "same second: nothing to redraw");
    app.update(Msg::Tick(at(1)));
    assert_eq!(app.now(), at(1));
    assert!(app.generation() > before);
}

#[test]
fn unbound_keys_change_nothing() {
    let mut app = app();
    let before = app.generation();
    assert!(press(&mut app, "xz").is_empty());
    assert_eq!(app.generation(), before);
}

#[test]
fn r_refreshes_the_selected_row_once() {
    let mut app = app();
    assert_eq!(press(&mut app, "r"), [Effect::Refresh("acme".into())]);
    assert_eq!(app.state_of("acme"), Some(&ConnState::Refreshing));
    assert!(press(&mut app, "r").is_empty(), "already refreshing");
    assert!(app.toast().unwrap().text.contains("already refreshing"));
}

#[test]
fn r_on_a_row_that_needs_a_login_says_so() {
    let mut app = app();
    select(&mut app, "umbrella");
    assert!(press(&mut app, "r").is_empty());
    assert!(app.toast().unwrap().text.contains("press l"));
}

#[test]
fn capital_r_refreshes_what_is_due_and_never_twice() {
    let mut app = app();
    assert_eq!(
        press(&mut app, "R"),
        [Effect::RefreshMany(vec!["globex".into(), "initech".into()])]
    );
    assert!(
        press(&mut app, "R").is_empty(),
        "due rows are all refreshing"
    );
    for name in ["globex", "initech"] {
        app.update(Msg::Refreshed {
            name: name.into(),
            result: Ok(fresh(now())),
        });
    }
    // None is due now: R takes every row that can be refreshed (umbrella cannot).
    assert_eq!(
        press(&mut app, "R"),
        [Effect::RefreshMany(vec![
            "acme".into(),
            "globex".into(),
            "initech".into()
        ])]
    );
}

#[test]
fn capital_r_respects_the_filter() {
    let mut app = app();
    press(&mut app, "/glo");
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(press(&mut app, "R"), [Effect::Refresh("globex".into())]);
}

#[test]
fn auto_refresh_fires_once_per_pair_as_rows_enter_the_margin() {
    let mut app = app();
    assert!(!app.auto_refresh());
    assert!(app.update(Msg::Tick(at(1))).is_empty(), "off: nothing");
    // Turning it on catches up at once.
    assert_eq!(
        press(&mut app, "A"),
        [Effect::RefreshMany(vec!["globex".into(), "initech".into()])]
    );
    assert!(app.update(Msg::Tick(at(2))).is_empty());
    // A failure keeps the pair: no retry storm.
    app.update(Msg::Refreshed {
        name: "globex".into(),
        result: Err(RefreshFailure {
            message: "Zendesk answered 503".into(),
            login_required: false,
        }),
    });
    assert!(app.update(Msg::Tick(at(3))).is_empty());
    // acme enters the margin at 29:41 - 5:00 left.
    let enters = 29 * 60 + 41 - 300;
    assert!(app.update(Msg::Tick(at(enters - 1))).is_empty());
    assert_eq!(
        app.update(Msg::Tick(at(enters))),
        [Effect::Refresh("acme".into())]
    );
    // A new pair for initech: it fires again only when that one enters the margin.
    app.update(Msg::Refreshed {
        name: "initech".into(),
        result: Ok(fresh(at(10))),
    });
    assert!(app.update(Msg::Tick(at(1000))).is_empty());
    assert_eq!(
        app.update(Msg::Tick(at(10 + 1500))),
        [Effect::Refresh("initech".into())]
    );
}

#[test]
fn quit_asks_only_while_a_login_runs() {
    let mut app = app();
    assert_eq!(press(&mut app, "q"), [Effect::Quit]);
    assert_eq!(app.update(Msg::Key(Key::ctrl('c'))), [Effect::Quit]);

    let mut app = app_with_login();
    assert!(press(&mut app, "q").is_empty());
    assert_eq!(app.mode(), Mode::ConfirmQuit);
    assert!(press(&mut app, "j").is_empty(), "any other key stays");
    assert_eq!(app.mode(), Mode::Normal);
    press(&mut app, "q");
    assert_eq!(press(&mut app, "q"), [Effect::CancelLogin, Effect::Quit]);
    press(&mut app, "?");
    assert!(app.update(Msg::Key(Key::ctrl('c'))).is_empty());
    assert_eq!(
        app.update(Msg::Key(Key::ctrl('c'))),
        [Effect::CancelLogin, Effect::Quit]
    );
}

fn app_with_login() -> super::App {
    let mut app = app();
    assert_eq!(press(&mut app, "l"), [Effect::Login("acme".into())]);
    app
}

#[test]
fn login_runs_one_at_a_time_and_reports_back() {
    let mut app = app_with_login();
    assert_eq!(app.state_of("acme"), Some(&ConnState::LoginRunning));
    press(&mut app, "j");
    assert!(press(&mut app, "l").is_empty(), "one login at a time");
    let url = "https://acme-support.zendesk.com/oauth/authorizations/new?state=x";
    let login = |update| Msg::Login {
        name: "acme".into(),
        update,
    };
    app.update(login(LoginUpdate::Url(url.into())));
    assert_eq!(app.login().unwrap().url.as_deref(), Some(url));
    app.update(login(LoginUpdate::Exchanging));
    app.update(login(LoginUpdate::Finished(Ok(LoginDone {
        tokens: fresh(now()),
        email: None,
    }))));
    assert!(app.login().is_none());
    assert_eq!(app.state_of("acme"), Some(&ConnState::Idle));
    assert!(
        app.toast()
            .unwrap()
            .text
            .contains("logged in to acme — 30:00 left")
    );
}

#[test]
fn esc_cancels_a_running_login_and_a_failed_login_says_what_next() {
    let mut app = app();
    select(&mut app, "umbrella");
    press(&mut app, "l");
    assert_eq!(app.update(esc()), [Effect::CancelLogin]);
    app.update(Msg::Login {
        name: "umbrella".into(),
        update: LoginUpdate::Finished(Err("cancelled".into())),
    });
    assert_eq!(app.state_of("umbrella"), Some(&ConnState::LoginRequired));
    let toast = app.toast().unwrap();
    assert!(
        toast.error && toast.text.contains("l tries again"),
        "{toast:?}"
    );
}

#[test]
fn refresh_results_update_the_row() {
    let mut app = app();
    select(&mut app, "initech");
    press(&mut app, "r");
    app.update(Msg::Refreshed {
        name: "initech".into(),
        result: Ok(fresh(now())),
    });
    assert_eq!(app.state_of("initech"), Some(&ConnState::Idle));
    assert_eq!(app.toast().unwrap().text, "refreshed initech — 30:00 left");
    assert_eq!(counts(&app), (2, 1, 0, 1));

    press(&mut app, "r");
    let failed = |login_required| Msg::Refreshed {
        name: "initech".into(),
        result: Err(RefreshFailure {
            message: "no answer".into(),
            login_required,
        }),
    };
    app.update(failed(false));
    assert_eq!(
        app.state_of("initech"),
        Some(&ConnState::Failed("no answer".into()))
    );
    assert!(app.toast().unwrap().error);
    press(&mut app, "r");
    app.update(failed(true));
    assert_eq!(app.state_of("initech"), Some(&ConnState::LoginRequired));
    assert!(app.toast().unwrap().text.contains("press l"));
}

#[test]
fn filter_matches_name_subdomain_and_user_and_esc_clears() {
    let mut app = app();
    press(&mut app, "/GLO");
    assert_eq!(app.mode(), Mode::Filter);
    assert_eq!(app.visible_names(), ["globex"]);
    app.update(Msg::Key(Key::plain(KeyCode::Backspace)));
    app.update(Msg::Key(Key::plain(KeyCode::Backspace)));
    assert_eq!(app.filter(), "G");
    app.update(esc());
    assert_eq!(app.filter(), "");
    assert_eq!(app.visible_names(), NAMES);

    press(&mut app, "/admin@initech");
    assert_eq!(app.visible_names(), ["initech"], "by user");
    app.update(esc());
    press(&mut app, "/umbrella-sup");
    assert_eq!(app.visible_names(), ["umbrella"], "by subdomain");
    // Enter keeps the filter; in the list, Esc clears it.
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.visible_names(), ["umbrella"]);
    app.update(esc());
    assert_eq!(app.visible_names(), NAMES);
    // Typed keys go to the filter, not to the keymap.
    assert!(press(&mut app, "/qr").is_empty());
    assert_eq!(app.filter(), "qr");
}

#[test]
fn selection_follows_its_name_across_sort_filter_and_reload() {
    let mut app = app();
    select(&mut app, "initech");
    press(&mut app, "s");
    assert_eq!(app.sort(), SortMode::TimeLeft);
    assert_eq!(
        app.visible_names(),
        ["initech", "globex", "umbrella", "acme"]
    );
    assert_eq!(app.selected_name(), Some("initech"));
    press(&mut app, "s");
    assert_eq!(app.sort(), SortMode::State);
    assert_eq!(
        app.visible_names(),
        ["umbrella", "initech", "globex", "acme"]
    );
    assert_eq!(app.selected_name(), Some("initech"));

    press(&mut app, "/a");
    assert_eq!(app.selected_name(), Some("initech"));
    press(&mut app, "c");
    assert_eq!(
        app.selected_name(),
        Some("acme"),
        "hidden: first visible stands in"
    );
    app.update(esc());
    assert_eq!(
        app.selected_name(),
        Some("initech"),
        "back once the filter lets it"
    );

    let mut vault = vault();
    vault.connections.remove("acme");
    app.update(Msg::VaultReloaded(snapshot(&config(&NAMES), &vault)));
    assert_eq!(app.selected_name(), Some("initech"));
}

#[test]
fn moves_stay_in_bounds_and_page_by_the_screen() {
    let names: Vec<String> = (0..100).map(|i| format!("c{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut app = super::App::new(&config(&refs), &vault(), now(), Default::default());
    press(&mut app, "k");
    assert_eq!(app.selected_name(), Some("c000"));
    app.update(Msg::Resize {
        width: 80,
        height: 24,
    });
    app.update(Msg::Key(Key::plain(KeyCode::PageDown)));
    assert_eq!(
        app.selected_name(),
        Some("c020"),
        "24 rows less 4 of chrome"
    );
    press(&mut app, "G");
    assert_eq!(app.selected_name(), Some("c099"));
    press(&mut app, "j");
    assert_eq!(app.selected_name(), Some("c099"));
    app.update(Msg::Key(Key::plain(KeyCode::PageUp)));
    assert_eq!(app.selected_name(), Some("c079"));
    press(&mut app, "g");
    assert_eq!(app.selected_name(), Some("c000"));
}

#[test]
fn reload_updates_rows_but_keeps_work_in_flight() {
    let mut app = app();
    select(&mut app, "globex");
    press(&mut app, "r");
    let mut vault = vault();
    let acme = vault
        .connections
        .get_mut("acme")
        .unwrap()
        .tokens
        .as_mut()
        .unwrap();
    // A 30-minute pair with 100 s left: inside the margin.
    acme.obtained_at = at(100 - 1800);
    acme.expires_at = Some(at(100));
    let umbrella = vault.connections.get_mut("umbrella").unwrap();
    umbrella.login_required = false;
    app.update(Msg::VaultReloaded(snapshot(&config(&NAMES), &vault)));
    assert_eq!(app.state_of("globex"), Some(&ConnState::Refreshing));
    assert_eq!(app.state_of("umbrella"), Some(&ConnState::Idle));
    assert_eq!(counts(&app), (1, 2, 1, 0));
}

#[test]
fn toasts_expire_with_the_clock() {
    let mut app = app();
    press(&mut app, "s");
    assert!(app.toast().is_some());
    app.update(Msg::Tick(at(3)));
    assert!(app.toast().is_some());
    app.update(Msg::Tick(at(4)));
    assert!(app.toast().is_none());
}

#[test]
fn help_and_detail_toggle_and_help_swallows_the_next_key() {
    let mut app = app();
    press(&mut app, "?");
    assert_eq!(app.mode(), Mode::Help);
    assert!(
        press(&mut app, "r").is_empty(),
        "closing the help does not refresh"
    );
    assert_eq!(app.mode(), Mode::Normal);
    app.update(Msg::Key(Key::plain(KeyCode::Tab)));
    assert!(app.detail_open());
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    assert!(!app.detail_open());
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    app.update(esc());
    assert!(!app.detail_open(), "Esc closes the pane");
}

#[test]
fn debug_output_holds_no_token() {
    let mut app = app();
    press(&mut app, "lR");
    let debug = format!("{app:?}");
    for secret in SECRETS {
        assert!(!debug.contains(secret), "{secret} in Debug");
    }
    assert!(debug.contains("ACAT-Q…"), "the mask is what is kept");
}

#[test]
fn the_login_countdown_runs_from_the_tick_that_started_it() {
    let mut app = app();
    assert_eq!(app.login_left(), None);
    app.update(Msg::Tick(at(10)));
    press(&mut app, "l");
    assert_eq!(app.login().unwrap().started, at(10));
    assert_eq!(app.login_left(), Some(SignedDuration::from_secs(300)));
    app.update(Msg::Tick(at(11)));
    assert_eq!(app.login_left(), Some(SignedDuration::from_secs(299)));
    app.update(Msg::Tick(at(10 + 299)));
    assert_eq!(app.login_left(), Some(SignedDuration::from_secs(1)));
    // Past the catcher's wait it stays at zero until the catcher reports its timeout.
    app.update(Msg::Tick(at(10 + 400)));
    assert_eq!(app.login_left(), Some(SignedDuration::ZERO));
}

#[test]
fn the_login_modal_keeps_list_keys_off_the_hidden_rows() {
    let mut app = app_with_login();
    assert!(press(&mut app, "jr").is_empty());
    assert_eq!(app.selected_name(), Some("acme"));
    assert!(app.toast().unwrap().text.contains("Esc cancels"));
    press(&mut app, "?");
    assert_eq!(app.mode(), Mode::Help);
}

#[test]
fn a_login_note_stays_in_the_modal() {
    let mut app = app_with_login();
    app.update(Msg::Login {
        name: "acme".into(),
        update: LoginUpdate::Note("no browser started".into()),
    });
    assert_eq!(
        app.login().unwrap().note.as_deref(),
        Some("no browser started")
    );
}
