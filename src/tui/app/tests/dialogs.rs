//! The message log, the help's scrolling, the login modal's paste field, tunnel line, hint
//! and next row, and the demo's add form, through `update`.

use super::{esc, key, select};
use crate::tui::app::{App, Effect, LOG_LIMIT, OnLogin, Options, Overlay};
use crate::tui::form::AddDefaults;
use crate::tui::keymap::Key;
use crate::tui::msg::{LoginDone, LoginUpdate, Msg, RefreshFailure};
use crate::tui::testdata::*;
use crossterm::event::KeyCode;
use zdauth_core::secret::Secret;

fn failed(name: &str, message: &str) -> Msg {
    Msg::Refreshed {
        name: name.into(),
        result: Err(RefreshFailure {
            message: message.into(),
            login_required: true,
        }),
    }
}

fn refreshed(name: &str) -> Msg {
    Msg::Refreshed {
        name: name.into(),
        result: Ok(fresh(now())),
    }
}

fn logged(app: &App) -> Vec<(String, bool)> {
    app.log()
        .iter()
        .map(|e| (e.text.clone(), e.error))
        .collect()
}

#[test]
fn a_failure_stays_on_the_toast_line_and_in_the_log_when_a_success_follows() {
    let mut app = app();
    app.update(Msg::Tick(at(1)));
    app.update(failed("umbrella", "Zendesk refused the refresh token"));
    app.update(Msg::Tick(at(2)));
    app.update(refreshed("acme"));
    let toast = app.toast().unwrap();
    assert!(toast.error, "the failure holds the line: {toast:?}");
    assert!(
        toast.text.contains("refresh of umbrella failed"),
        "{toast:?}"
    );
    let log = logged(&app);
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].1 && log[0].0.contains("umbrella"), "{log:?}");
    assert!(!log[1].1 && log[1].0.contains("refreshed acme"), "{log:?}");
    let times: Vec<_> = app.log().iter().map(|e| e.at).collect();
    assert_eq!(times, [at(1), at(2)]);
    // A key pressed since: the failure was there to read, and the next news may follow.
    press(&mut app, "j");
    app.update(refreshed("initech"));
    assert!(!app.toast().unwrap().error);
    app.update(failed("umbrella", "again"));
    // Once its time is up, news takes the line again; a newer error always does.
    app.update(Msg::Tick(at(12)));
    app.update(refreshed("globex"));
    assert!(!app.toast().unwrap().error);
    app.update(failed("acme", "boom"));
    app.update(failed("globex", "bang"));
    assert!(app.toast().unwrap().text.contains("globex"));
    assert_eq!(app.log().len(), 7);
}

#[test]
fn the_log_keeps_the_last_five_hundred() {
    let mut app = app();
    for i in 0..LOG_LIMIT + 20 {
        app.update(failed("acme", &format!("failure {i}")));
    }
    assert_eq!(app.log().len(), LOG_LIMIT);
    let first = &app.log().iter().next().unwrap().text;
    assert!(first.contains("failure 20 "), "{first}");
}

#[test]
fn l_opens_the_log_which_scrolls_by_the_real_height_and_closes() {
    let mut app = app();
    app.update(Msg::Resize {
        width: 80,
        height: 10,
    });
    for i in 0..30 {
        app.update(failed("acme", &format!("failure {i}")));
    }
    press(&mut app, "L");
    assert_eq!(app.overlay(), &Overlay::Log);
    assert_eq!(app.overlay_scroll(), 0, "the newest at the bottom");
    press(&mut app, "kk");
    assert_eq!(app.overlay_scroll(), 2);
    press(&mut app, "j");
    assert_eq!(app.overlay_scroll(), 1);
    press(&mut app, "g");
    assert_eq!(app.overlay_scroll(), 30 - 8, "ten rows less two borders");
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.overlay_scroll(), 30 - 16);
    press(&mut app, "G");
    assert_eq!(app.overlay_scroll(), 0);
    press(&mut app, "r");
    assert_eq!(app.overlay(), &Overlay::Log, "list keys do nothing here");
    app.update(esc());
    assert_eq!(app.overlay(), &Overlay::None);
    press(&mut app, "L");
    press(&mut app, "q");
    assert_eq!(app.overlay(), &Overlay::None, "q closes, it does not quit");
}

#[test]
fn the_help_scrolls_with_the_moves_and_other_keys_close_it() {
    let mut app = app();
    app.update(Msg::Resize {
        width: 80,
        height: 12,
    });
    press(&mut app, "?");
    press(&mut app, "jj");
    assert!(app.overlay().shows_help());
    assert_eq!(app.overlay_scroll(), 2);
    press(&mut app, "G");
    let last = crate::tui::view::help_lines() - 10;
    assert_eq!(app.overlay_scroll(), last);
    press(&mut app, "j");
    assert_eq!(app.overlay_scroll(), last, "not past the end");
    press(&mut app, "x");
    assert_eq!(app.overlay(), &Overlay::None);
    press(&mut app, "?");
    assert_eq!(app.overlay_scroll(), 0, "opens at the top");
}

fn app_with_login() -> App {
    let mut app = app();
    assert_eq!(press(&mut app, "l"), [Effect::Login("acme".into())]);
    app
}

#[test]
fn the_browsers_address_pasted_into_the_modal_goes_to_the_login() {
    let mut app = app_with_login();
    let address = "http://127.0.0.1:8765/callback?code=c0de&state=s7a7e";
    app.update(Msg::Paste(zeroize::Zeroizing::new(format!(
        "{address}\r\n"
    ))));
    assert_eq!(
        app.login().unwrap().paste.text(),
        address,
        "no newline, no submit"
    );
    assert_eq!(
        app.update(Msg::Key(Key::plain(KeyCode::Enter))),
        [Effect::LoginPaste(Secret::new(address))]
    );
    let login = app.login().unwrap();
    assert!(login.checking && login.paste.is_empty());
    // The engine checks it; a refusal comes back as a note and the wait goes on.
    app.update(Msg::Login {
        name: "acme".into(),
        update: LoginUpdate::Note(
            "that address is for another login (state): paste the latest".into(),
        ),
    });
    let login = app.login().unwrap();
    assert!(!login.checking);
    assert!(login.note.as_deref().unwrap().contains("state"));
    // Typed by hand, the field takes the keys once it holds text: q is a q there.
    press(&mut app, "http://q");
    assert_eq!(app.login().unwrap().paste.text(), "http://q");
    assert!(matches!(
        app.overlay(),
        Overlay::Login {
            on_top: OnLogin::Nothing,
            ..
        }
    ));
    assert!(key(&mut app, KeyCode::Enter).len() == 1);
    // Empty again, q asks to quit as before.
    press(&mut app, "q");
    assert!(matches!(
        app.overlay(),
        Overlay::Login {
            on_top: OnLogin::ConfirmQuit,
            ..
        }
    ));
}

#[test]
fn over_ssh_the_modal_shows_the_tunnel_line_with_the_redirect_port() {
    let mut app = app_with_login();
    app.update(Msg::Login {
        name: "acme".into(),
        update: LoginUpdate::Ssh {
            connection: "203.0.113.9 50022 198.51.100.7 2222".into(),
            user: Some("ada".into()),
        },
    });
    assert_eq!(
        app.login().unwrap().tunnel.as_deref(),
        Some("ssh -L 8765:127.0.0.1:8765 -p 2222 ada@198.51.100.7")
    );
}

#[test]
fn after_a_minute_without_a_callback_the_modal_says_what_usually_went_wrong() {
    let mut app = app();
    app.update(Msg::Tick(at(5)));
    press(&mut app, "l");
    app.update(Msg::Tick(at(64)));
    assert_eq!(app.login_hint(), None);
    app.update(Msg::Tick(at(65)));
    let hint = app.login_hint().unwrap();
    for part in [
        "http://127.0.0.1:8765/callback",
        "zdauth_acme",
        "acme-support",
    ] {
        assert!(hint.contains(part), "{part} in {hint}");
    }
    app.update(Msg::Login {
        name: "acme".into(),
        update: LoginUpdate::Exchanging,
    });
    assert_eq!(app.login_hint(), None, "the callback came");
}

#[test]
fn after_a_login_the_cursor_moves_to_the_next_row_that_needs_one() {
    let mut app = app();
    let done = |app: &mut App, name: &str| {
        app.update(Msg::Login {
            name: name.into(),
            update: LoginUpdate::Finished(Ok(LoginDone {
                tokens: fresh(now()),
                email: None,
            })),
        });
    };
    press(&mut app, "l");
    done(&mut app, "acme");
    assert_eq!(app.selected_name(), Some("umbrella"));
    press(&mut app, "l");
    done(&mut app, "umbrella");
    assert_eq!(app.selected_name(), Some("umbrella"), "none left: it stays");
    // A failed login leaves the cursor where it was.
    select(&mut app, "globex");
    press(&mut app, "l");
    app.update(Msg::Login {
        name: "globex".into(),
        update: LoginUpdate::Finished(Err("cancelled".into())),
    });
    assert_eq!(app.selected_name(), Some("globex"));
}

#[test]
fn the_demos_add_form_points_at_its_fake() {
    let mut demo = app_with(Options {
        add_defaults: AddDefaults {
            client_id: "zdauth_demo".into(),
            redirect_port: Some(40123),
            base_url: Some("http://127.0.0.1:5555".into()),
        },
        ..Options::default()
    });
    press(&mut demo, "a");
    press(&mut demo, "newco");
    key(&mut demo, KeyCode::Tab);
    press(&mut demo, "newco");
    let effects = key(&mut demo, KeyCode::Enter);
    let [Effect::SaveConnection { connection, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(
        connection.base_url.as_deref(),
        Some("http://127.0.0.1:5555")
    );
    assert_eq!(connection.client_id, "zdauth_demo");
    assert_eq!(connection.redirect_port, 40123);
    // Outside the demo: zendesk.com, as before.
    let mut app = app();
    press(&mut app, "anewco");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "newco");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "zdauth_newco");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::SaveConnection { connection, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(connection.base_url, None);
}
