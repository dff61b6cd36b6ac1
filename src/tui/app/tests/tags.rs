//! Tags through `update`: the filter finds them, the form edits them with the engine's rules.

use crossterm::event::KeyCode;

use super::{esc, key, select};
use crate::tui::app::{App, Effect};
use crate::tui::form::FormField;
use crate::tui::testdata::*;
use zdauth_core::config::Field;

fn filtered(app: &mut App, filter: &str) -> Vec<String> {
    app.update(esc());
    press(app, "/");
    press(app, filter);
    app.visible_names().into_iter().map(str::to_owned).collect()
}

#[test]
fn the_filter_matches_tags_and_tag_colon_matches_one_exactly() {
    let mut app = tagged_app();
    // A plain word: a part of a name, subdomain, user or tag.
    assert_eq!(filtered(&mut app, "eu"), ["acme", "globex"]);
    assert_eq!(filtered(&mut app, "pro"), ["acme"]);
    assert_eq!(filtered(&mut app, "ACME"), ["acme"], "any case");
    // tag:NAME: that tag, whole, as --tag picks on the command line.
    assert_eq!(filtered(&mut app, "tag:eu"), ["acme", "globex"]);
    assert_eq!(filtered(&mut app, "tag:pro"), [] as [&str; 0]);
    assert_eq!(filtered(&mut app, "tag:dev"), ["initech"]);
    // Being typed: `tag:` alone keeps every row.
    assert_eq!(filtered(&mut app, "tag:"), NAMES);
    // Every word must match.
    assert_eq!(filtered(&mut app, "tag:eu glob"), ["globex"]);
    assert_eq!(filtered(&mut app, "tag:eu tag:prod"), ["acme"]);
    assert_eq!(filtered(&mut app, "tag:dev tag:eu"), [] as [&str; 0]);
    // The subdomain still counts, as before tags.
    assert_eq!(filtered(&mut app, "umbrella-sup"), ["umbrella"]);
}

#[test]
fn a_form_field_error_about_tags_sits_beside_the_tags_field() {
    assert_eq!(FormField::of(Field::Tags), Some(FormField::Tags));
    let mut app = tagged_app();
    press(&mut app, "a");
    for text in ["delta", "delta", "zdauth_delta"] {
        press(&mut app, text);
        key(&mut app, KeyCode::Tab);
    }
    while app.form().unwrap().focus != FormField::Tags {
        key(&mut app, KeyCode::Tab);
    }
    press(&mut app, "prod Prod!");
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "not saved");
    let form = app.form().unwrap();
    assert_eq!(form.focus, FormField::Tags, "the focus goes to the error");
    let error = form
        .errors
        .get(&FormField::Tags)
        .expect("an error on the tags");
    assert!(error.contains("Prod!"), "{error}");
    assert_eq!(form.errors.len(), 1, "{:?}", form.errors);
}

#[test]
fn tags_typed_in_the_add_form_are_saved_in_order() {
    let mut app = tagged_app();
    press(&mut app, "a");
    for text in ["delta", "delta", "zdauth_delta"] {
        press(&mut app, text);
        key(&mut app, KeyCode::Tab);
    }
    while app.form().unwrap().focus != FormField::Tags {
        key(&mut app, KeyCode::Tab);
    }
    press(&mut app, "us, prod staging");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::SaveConnection { connection, .. }] = effects.as_slice() else {
        panic!("no save: {effects:?}");
    };
    assert_eq!(connection.tags, ["us", "prod", "staging"]);
}

#[test]
fn the_edit_form_starts_from_the_tags_and_saves_a_change() {
    let mut app = tagged_app();
    select(&mut app, "acme");
    press(&mut app, "e");
    assert_eq!(app.form().unwrap().text(FormField::Tags), "prod eu");
    // Unchanged: the tags go back as they were.
    let effects = key(&mut app, KeyCode::Enter);
    let [
        Effect::SaveConnection {
            connection,
            started_from,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("no save: {effects:?}");
    };
    assert_eq!(connection.tags, ["prod", "eu"]);
    assert_eq!(started_from.as_ref().unwrap().tags, ["prod", "eu"]);

    let mut app = tagged_app();
    select(&mut app, "acme");
    press(&mut app, "e");
    while app.form().unwrap().focus != FormField::Tags {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    press(&mut app, "us");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::SaveConnection { connection, .. }] = effects.as_slice() else {
        panic!("no save: {effects:?}");
    };
    assert_eq!(connection.tags, ["prod", "us"]);
}
