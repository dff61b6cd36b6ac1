//! `l` through `update`: one login at a time, its modal's keys and countdown, quitting while
//! it runs.

use jiff::SignedDuration;

use crossterm::event::KeyCode;

use super::{esc, key, select};
use crate::tui::app::{App, Effect, OnLogin, Overlay};
use crate::tui::keymap::Key;
use crate::tui::msg::{LoginDone, LoginUpdate, Msg};
use crate::tui::row::ConnState;
use crate::tui::testdata::*;

#[test]
fn quit_asks_only_while_a_login_runs() {
    let mut app = app();
    assert_eq!(press(&mut app, "q"), [Effect::Quit]);
    assert_eq!(app.update(Msg::Key(Key::ctrl('c'))), [Effect::Quit]);

    let mut app = app_with_login();
    assert!(press(&mut app, "q").is_empty());
    assert!(matches!(
        app.overlay(),
        Overlay::Login {
            on_top: OnLogin::ConfirmQuit,
            ..
        }
    ));
    assert!(press(&mut app, "j").is_empty(), "any other key stays");
    assert!(matches!(
        app.overlay(),
        Overlay::Login {
            on_top: OnLogin::Nothing,
            ..
        }
    ));
    press(&mut app, "q");
    assert_eq!(press(&mut app, "q"), [Effect::CancelLogin, Effect::Quit]);
    // Ctrl-C answers the quit question, and otherwise backs out of the innermost thing:
    // the help over the modal, then the login itself.
    press(&mut app, "q");
    assert_eq!(
        app.update(Msg::Key(Key::ctrl('c'))),
        [Effect::CancelLogin, Effect::Quit]
    );
    let mut app = app_with_login();
    press(&mut app, "?");
    assert!(app.update(Msg::Key(Key::ctrl('c'))).is_empty());
    assert!(!app.overlay().shows_help());
    assert_eq!(app.update(Msg::Key(Key::ctrl('c'))), [Effect::CancelLogin]);
}

fn app_with_login() -> App {
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
    // Typing goes into the paste field, not to the rows behind.
    assert!(press(&mut app, "jr").is_empty());
    assert_eq!(app.selected_name(), Some("acme"));
    assert_eq!(app.login().unwrap().paste.text(), "jr");
    assert!(key(&mut app, KeyCode::F(5)).is_empty());
    assert!(app.toast().unwrap().text.contains("Esc cancels"));
    app.update(Msg::Key(Key::ctrl('u')));
    assert!(app.login().unwrap().paste.is_empty());
    press(&mut app, "?");
    assert!(matches!(
        app.overlay(),
        Overlay::Login {
            on_top: OnLogin::Help,
            ..
        }
    ));
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
