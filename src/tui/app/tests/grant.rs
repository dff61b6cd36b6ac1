//! The grant through `update`: the form's grant field, and `l` on a client credentials row.

use crossterm::event::KeyCode;

use super::key;
use crate::tui::app::Options;
use crate::tui::app::{App, Effect};
use crate::tui::form::FormField;
use crate::tui::testdata::*;
use zdauth_core::config::Grant;

fn focus(app: &App) -> FormField {
    app.form().unwrap().focus
}

fn error(app: &App, field: FormField) -> Option<String> {
    app.form().unwrap().errors.get(&field).cloned()
}

#[test]
fn the_grant_field_cycles_and_client_credentials_need_a_secret() {
    let mut app = app();
    press(&mut app, "a");
    for text in ["ci", "acme", "zdauth_ci", ""] {
        press(&mut app, text);
        key(&mut app, KeyCode::Tab);
    }
    assert_eq!(focus(&app), FormField::Grant);
    // Typing does nothing here; Space and the arrows switch.
    press(&mut app, "x");
    assert_eq!(app.form().unwrap().grant, Grant::AuthorizationCode);
    press(&mut app, " ");
    assert_eq!(app.form().unwrap().grant, Grant::ClientCredentials);
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(
        error(&app, FormField::Secret)
            .unwrap()
            .contains("client credentials need the confidential client's secret"),
        "{:?}",
        error(&app, FormField::Secret)
    );
    assert_eq!(focus(&app), FormField::Secret, "focus goes to the error");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Left);
    assert_eq!(app.form().unwrap().grant, Grant::ClientCredentials);
    key(&mut app, KeyCode::BackTab);
    press(&mut app, "s3cret");
    let effects = key(&mut app, KeyCode::Enter);
    let [
        Effect::SaveConnection {
            connection, secret, ..
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(connection.grant, Grant::ClientCredentials);
    assert_eq!(secret.as_ref().unwrap().expose(), "s3cret");
}

#[test]
fn l_on_a_client_credentials_row_says_no_login_is_needed() {
    let mut config = config(&["acme"]);
    config.connections[0].grant = Grant::ClientCredentials;
    let mut app = App::new(&config, &vault(), now(), Options::default());
    assert!(press(&mut app, "l").is_empty());
    assert_eq!(
        app.toast().unwrap().text,
        "acme uses client credentials: no login needed (r mints a new token)"
    );
}

#[test]
fn r_and_c_on_a_client_credentials_row_without_a_secret_say_to_store_it() {
    let mut config = config(&["acme"]);
    config.connections[0].grant = Grant::ClientCredentials;
    let mut app = App::new(&config, &vault(), now(), Options::default());
    assert!(press(&mut app, "r").is_empty());
    assert_eq!(
        app.toast().unwrap().text,
        "acme has no client secret stored: press e to store it"
    );
    assert!(press(&mut app, "c").is_empty());
    assert!(
        app.toast()
            .unwrap()
            .text
            .contains("no client secret stored")
    );
    let mut data = vault();
    data.connections.get_mut("acme").unwrap().client_secret =
        Some(zdauth_core::secret::Secret::new("s"));
    let mut app = App::new(&config, &data, now(), Options::default());
    assert_eq!(press(&mut app, "r"), [Effect::Refresh("acme".into())]);
}
