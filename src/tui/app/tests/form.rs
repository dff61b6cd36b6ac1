//! `a`, `e` and `d` through `update`: the form's typing and checks, the effects a submit or a
//! confirm asks for, and what their results do to the list.

use crossterm::event::KeyCode;

use super::key;
use crate::tui::app::Options;
use crate::tui::app::{App, Effect, Overlay};
use crate::tui::form::FormField;
use crate::tui::keymap::Key;
use crate::tui::msg::Msg;
use crate::tui::testdata::*;
use zdauth_core::config::Connection;
use zdauth_core::secret::Secret;
use zdauth_core::vault::VaultData;

fn focus(app: &App) -> FormField {
    app.form().unwrap().focus
}

fn text(app: &App, field: FormField) -> String {
    app.form().unwrap().text(field).to_owned()
}

fn error(app: &App, field: FormField) -> Option<String> {
    app.form().unwrap().errors.get(&field).cloned()
}

/// The form filled in as a user would, Tab by Tab, from the name field.
fn fill(app: &mut App, name: &str, subdomain: &str, client_id: &str, secret: &str) {
    for text in [name, subdomain, client_id, secret] {
        press(app, text);
        key(app, KeyCode::Tab);
    }
}

fn with(names: &[&str]) -> zdauth_core::config::Config {
    config(names)
}

#[test]
fn a_opens_the_form_and_typing_never_triggers_actions() {
    let mut app = app();
    assert!(press(&mut app, "a").is_empty());
    assert!(matches!(app.overlay(), Overlay::Form(_)));
    assert_eq!(focus(&app), FormField::Name);
    // q, r, d, ? and / are letters here.
    assert!(press(&mut app, "qr-d?/").is_empty());
    assert_eq!(text(&app, FormField::Name), "qr-d?/");
    assert!(
        matches!(app.overlay(), Overlay::Form(_)),
        "q typed, not quit"
    );
    key(&mut app, KeyCode::Backspace);
    assert_eq!(text(&app, FormField::Name), "qr-d?");
    // Defaults a user rarely changes are filled in.
    assert_eq!(text(&app, FormField::Scopes), "read write");
    assert_eq!(text(&app, FormField::RedirectPort), "8765");
}

#[test]
fn tab_shift_tab_and_arrows_move_between_fields_and_wrap() {
    let mut app = app();
    press(&mut app, "a");
    key(&mut app, KeyCode::Tab);
    assert_eq!(focus(&app), FormField::Subdomain);
    key(&mut app, KeyCode::Down);
    assert_eq!(focus(&app), FormField::ClientId);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Up);
    assert_eq!(focus(&app), FormField::Name);
    key(&mut app, KeyCode::Up);
    assert_eq!(focus(&app), FormField::Tags, "wraps to the last");
    key(&mut app, KeyCode::Tab);
    assert_eq!(focus(&app), FormField::Name, "and back to the first");
}

#[test]
fn esc_cancels_without_an_effect() {
    let mut app = app();
    press(&mut app, "aacme");
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert!(app.form().is_none());
    assert_eq!(app.toast().unwrap().text, "nothing added");
    assert_eq!(app.visible_names(), NAMES);
}

#[test]
fn submit_shows_every_error_beside_its_field_and_rechecks_as_you_type() {
    let mut app = app();
    press(&mut app, "a");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "https://evil.example/acme.zendesk.com");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(
        error(&app, FormField::Name)
            .unwrap()
            .contains("is not a valid name")
    );
    assert!(
        error(&app, FormField::Subdomain)
            .unwrap()
            .contains("is not a Zendesk subdomain")
    );
    assert!(
        error(&app, FormField::ClientId)
            .unwrap()
            .contains("unique identifier")
    );
    assert_eq!(error(&app, FormField::Scopes), None);
    assert_eq!(
        focus(&app),
        FormField::Name,
        "focus goes to the first error"
    );
    // Typing a valid name clears its error at once; the others stay.
    press(&mut app, "acme2");
    assert_eq!(error(&app, FormField::Name), None);
    assert!(error(&app, FormField::Subdomain).is_some());
    // Same rules as the CLI: a numeric client id and a low port are refused.
    key(&mut app, KeyCode::Tab);
    (0..40).for_each(|_| {
        key(&mut app, KeyCode::Backspace);
    });
    press(&mut app, "acme");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "12345");
    // Secret, grant, scopes, then the port.
    (0..4).for_each(|_| {
        key(&mut app, KeyCode::Tab);
    });
    press(&mut app, "0");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(
        error(&app, FormField::ClientId)
            .unwrap()
            .contains("numeric client id")
    );
    assert!(
        error(&app, FormField::RedirectPort)
            .unwrap()
            .contains("87650 is not a usable port")
    );
}

#[test]
fn a_taken_name_is_refused_in_the_form() {
    let mut app = app();
    press(&mut app, "a");
    fill(&mut app, "acme", "acme2", "zdauth_x", "");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(error(&app, FormField::Name).unwrap().contains("exists"));
}

#[test]
fn a_valid_form_asks_to_save_with_the_pasted_url_made_bare() {
    let mut app = app();
    press(&mut app, "a");
    fill(
        &mut app,
        "hooli",
        "https://Hooli.zendesk.com/agent/tickets/7",
        "zdauth_hooli",
        "s3cret",
    );
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::SaveConnection {
        connection,
        secret,
        started_from,
    }) = effects.first()
    else {
        panic!("{effects:?}");
    };
    assert!(started_from.is_none());
    assert_eq!(connection.name, "hooli");
    assert_eq!(connection.subdomain, "hooli");
    assert_eq!(connection.scopes, ["read", "write"]);
    assert_eq!(secret.as_ref().map(Secret::expose), Some("s3cret"));
    assert!(app.form().unwrap().saving);
    assert!(
        !format!("{app:?}{effects:?}").contains("s3cret"),
        "Debug hides the secret"
    );
    assert!(press(&mut app, "xq").is_empty(), "keys wait while it saves");
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "no second save");

    // The loop reports the config as written: the row appears, selected.
    let mut names = NAMES.to_vec();
    names.push("hooli");
    app.update(Msg::Saved {
        name: "hooli".into(),
        result: Ok(with(&names)),
    });
    assert_eq!(app.overlay(), &Overlay::None);
    assert!(app.form().is_none());
    assert_eq!(
        app.visible_names(),
        ["acme", "globex", "hooli", "initech", "umbrella"]
    );
    assert_eq!(app.selected_name(), Some("hooli"));
    let toast = &app.toast().unwrap().text;
    assert!(
        toast.contains("added hooli: register http://127.0.0.1:8765/callback"),
        "{toast}"
    );
    // The rows that were there keep their tokens.
    assert_eq!(app.counts().valid, 1);
}

#[test]
fn a_failed_save_keeps_the_form_with_the_reason() {
    let mut app = app();
    press(&mut app, "a");
    fill(&mut app, "hooli", "hooli", "zdauth_hooli", "");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(matches!(
        &effects[..],
        [Effect::SaveConnection { secret: None, .. }]
    ));
    app.update(Msg::Saved {
        name: "hooli".into(),
        result: Err("timed out waiting for the lock".into()),
    });
    let form = app.form().unwrap();
    assert_eq!(
        form.failure.as_deref(),
        Some("timed out waiting for the lock")
    );
    assert!(!form.saving);
    assert!(matches!(app.overlay(), Overlay::Form(_)));
    assert_eq!(key(&mut app, KeyCode::Enter).len(), 1, "another try");
}

#[test]
fn e_edits_the_selected_connection_with_its_name_fixed_and_the_secret_kept() {
    let mut app = app();
    press(&mut app, "je");
    assert!(matches!(app.overlay(), Overlay::Form(_)));
    assert_eq!(text(&app, FormField::Name), "globex");
    assert_eq!(text(&app, FormField::Subdomain), "globex-support");
    assert_eq!(text(&app, FormField::ClientId), "zdauth_globex");
    assert_eq!(
        text(&app, FormField::Secret),
        "",
        "never shown, never pre-filled"
    );
    assert_eq!(focus(&app), FormField::Subdomain);
    key(&mut app, KeyCode::Up);
    assert_eq!(focus(&app), FormField::Tags, "the name is skipped");
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    press(&mut app, " tickets:read");
    let effects = key(&mut app, KeyCode::Enter);
    let expected = Connection {
        scopes: vec!["read".into(), "write".into(), "tickets:read".into()],
        ..connection("globex")
    };
    assert_eq!(
        effects,
        [Effect::SaveConnection {
            connection: expected,
            secret: None,
            started_from: Some(Box::new(connection("globex"))),
        }]
    );
    app.update(Msg::Saved {
        name: "globex".into(),
        result: Ok(with(&NAMES)),
    });
    assert_eq!(app.toast().unwrap().text, "saved globex");
    assert_eq!(app.overlay(), &Overlay::None);
}

#[test]
fn ctrl_c_cancels_the_form_and_quits_only_from_the_list() {
    let mut app = app();
    press(&mut app, "a");
    press(&mut app, "half typed");
    assert!(app.update(Msg::Key(Key::ctrl('c'))).is_empty());
    assert_eq!(app.overlay(), &Overlay::None, "the form is gone");
    assert_eq!(app.toast().unwrap().text, "nothing added");
    press(&mut app, "e");
    assert!(app.update(Msg::Key(Key::ctrl('c'))).is_empty());
    assert_eq!(app.toast().unwrap().text, "nothing changed");
    // The other dialogs back out the same way.
    for opens in ["d", "?", "L", "/"] {
        press(&mut app, opens);
        assert_ne!(app.overlay(), &Overlay::None, "{opens} opened something");
        assert!(app.update(Msg::Key(Key::ctrl('c'))).is_empty(), "{opens}");
        assert_eq!(app.overlay(), &Overlay::None, "{opens}");
    }
    assert_eq!(app.update(Msg::Key(Key::ctrl('c'))), [Effect::Quit]);
}

#[test]
fn the_welcome_leads_to_the_form_and_the_first_row() {
    let mut app = App::new(
        &config(&[]),
        &VaultData::default(),
        now(),
        Options::default(),
    );
    press(&mut app, "a");
    assert!(matches!(app.overlay(), Overlay::Form(_)));
    fill(&mut app, "acme", "acme", "zdauth_acme", "");
    assert_eq!(key(&mut app, KeyCode::Enter).len(), 1);
    app.update(Msg::Saved {
        name: "acme".into(),
        result: Ok(with(&["acme"])),
    });
    assert_eq!(app.visible_names(), ["acme"]);
    assert_eq!(app.counts().need_login, 1);
}

#[test]
fn a_new_port_reminds_to_register_the_new_redirect_uri() {
    let mut app = app();
    press(&mut app, "e");
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    assert_eq!(focus(&app), FormField::RedirectPort);
    key(&mut app, KeyCode::Backspace);
    press(&mut app, "6");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::SaveConnection { connection, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(connection.redirect_port, 8766);
    let mut written = config(&NAMES);
    written.connections[0].redirect_port = 8766;
    app.update(Msg::Saved {
        name: "acme".into(),
        result: Ok(written),
    });
    assert_eq!(
        app.toast().unwrap().text,
        "saved acme: register its new redirect URI http://127.0.0.1:8766/callback in Zendesk"
    );
}

#[test]
fn a_paste_fills_the_focused_field_and_its_newline_does_not_submit() {
    let mut app = app();
    press(&mut app, "a");
    key(&mut app, KeyCode::Tab);
    let effects = app.update(Msg::Paste(
        String::from("https://acme.zendesk.com/agent/\n").into(),
    ));
    assert!(effects.is_empty(), "a pasted newline is no Enter");
    assert!(matches!(app.overlay(), Overlay::Form(_)));
    assert_eq!(
        text(&app, FormField::Subdomain),
        "https://acme.zendesk.com/agent/"
    );
    // Outside a text field a paste is no command: nothing moves, nothing runs.
    key(&mut app, KeyCode::Esc);
    assert!(app.update(Msg::Paste(String::from("dq").into())).is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    press(&mut app, "/");
    app.update(Msg::Paste(String::from("glo\n").into()));
    assert_eq!(app.filter(), "glo");
}
