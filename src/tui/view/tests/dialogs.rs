//! The log overlay, the login modal's paste field, tunnel line and hint, and dialogs on a
//! screen too short for all their lines: the error text is what stays.

use crossterm::event::KeyCode;

use super::text;
use crate::tui::keymap::Key;
use crate::tui::msg::{LoginUpdate, Msg, RefreshFailure};
use crate::tui::testdata::*;

#[test]
fn the_log_lists_every_message_with_its_time_newest_last() {
    let mut app = app();
    app.update(Msg::Tick(at(1)));
    app.update(Msg::Refreshed {
        name: "umbrella".into(),
        result: Err(RefreshFailure {
            message: "Zendesk refused the refresh token (invalid_grant)".into(),
            login_required: true,
        }),
    });
    app.update(Msg::Tick(at(2)));
    app.update(Msg::Refreshed {
        name: "acme".into(),
        result: Ok(fresh(at(2))),
    });
    let list = text(&app, 80, 24);
    assert!(
        list.contains("refresh of umbrella failed"),
        "the failure holds the toast line:\n{list}"
    );
    press(&mut app, "L");
    insta::assert_snapshot!("log_overlay_80x24", text(&app, 80, 24));
}

#[test]
fn a_form_too_tall_for_the_screen_keeps_its_errors_and_drops_the_hint_first() {
    let mut app = app();
    let tab = |app: &mut crate::tui::app::App| app.update(Msg::Key(Key::plain(KeyCode::Tab)));
    press(&mut app, "aAcme!");
    tab(&mut app);
    press(&mut app, "acme");
    tab(&mut app);
    press(&mut app, "zdauth_acme");
    for _ in 0..4 {
        tab(&mut app);
    }
    app.update(Msg::Key(Key::ctrl('u')));
    press(&mut app, "x");
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    for height in [24, 16, 13] {
        let screen = text(&app, 80, height);
        for part in [
            "not a valid name",
            "and '-', starting",
            "redirect port",
            "\"x\"",
        ] {
            assert!(screen.contains(part), "{part} at {height} rows:\n{screen}");
        }
    }
    insta::assert_snapshot!("form_errors_80x13", text(&app, 80, 13));
}

#[test]
fn the_login_modal_with_a_paste_a_tunnel_and_the_hint() {
    let mut app = app();
    press(&mut app, "l");
    let login = |update| Msg::Login {
        name: "acme".into(),
        update,
    };
    app.update(login(LoginUpdate::Url(
        "https://acme-support.zendesk.com/oauth/authorizations/new?response_type=code&client_id=zdauth_acme&state=s7a7e".into(),
    )));
    app.update(login(LoginUpdate::Ssh {
        connection: "203.0.113.9 50022 198.51.100.7 22".into(),
        user: Some("ada".into()),
    }));
    app.update(Msg::Tick(at(61)));
    app.update(Msg::Paste(zeroize::Zeroizing::new(
        "http://127.0.0.1:8765/callback?code=c0de".into(),
    )));
    let screen = text(&app, 80, 24);
    for part in [
        "ssh -L 8765:127.0.0.1:8765 ada@198.51.100.7",
        "callback?code=c0de▏",
        "not registered on the OAuth client",
        "this is acme-support)",
    ] {
        assert!(screen.contains(part), "{part}:\n{screen}");
    }
    insta::assert_snapshot!("login_modal_paste_tunnel_hint_80x24", screen);
}
