//! `r`, `R`, auto-refresh and what a refresh's result or a vault reload does to the rows.

use crossterm::event::KeyCode;

use super::{counts, select};
use crate::tui::app::Effect;
use crate::tui::keymap::Key;
use crate::tui::msg::{Msg, RefreshFailure};
use crate::tui::row::{ConnState, snapshot};
use crate::tui::testdata::*;

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
        [
            Effect::Refresh("globex".into()),
            Effect::Refresh("initech".into())
        ]
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
        [
            Effect::Refresh("acme".into()),
            Effect::Refresh("globex".into()),
            Effect::Refresh("initech".into())
        ]
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
        [
            Effect::Refresh("globex".into()),
            Effect::Refresh("initech".into())
        ]
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
