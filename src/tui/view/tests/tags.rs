//! Tags on screen, at the fixed clock: a column on a wide terminal, the detail pane, the form,
//! the filter. The narrow list is what it was without tags.

use crossterm::event::KeyCode;

use super::text;
use crate::tui::keymap::Key;
use crate::tui::msg::Msg;
use crate::tui::testdata::*;

#[test]
fn a_wide_list_has_a_tags_column() {
    let text = text(&tagged_app(), 120, 30);
    assert!(text.contains("TAGS"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_narrow_list_stays_as_it_was() {
    assert_eq!(text(&tagged_app(), 80, 24), text(&app(), 80, 24));
    // Wide, but no connection has a tag: no empty column.
    assert!(!text(&app(), 120, 30).contains("TAGS"));
}

#[test]
fn the_detail_pane_shows_the_tags() {
    let mut app = tagged_app();
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    insta::assert_snapshot!(text(&app, 80, 24));
}

#[test]
fn the_edit_form_holds_the_tags() {
    let mut app = tagged_app();
    press(&mut app, "e");
    let text = text(&app, 80, 24);
    assert!(text.contains("tags           prod eu"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_bad_tag_is_said_beside_the_tags_field() {
    let mut app = tagged_app();
    press(&mut app, "e");
    app.update(Msg::Key(Key::plain(KeyCode::Up)));
    press(&mut app, " Prod!");
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    insta::assert_snapshot!(text(&app, 80, 24));
}

#[test]
fn the_filter_by_a_tag() {
    let mut app = tagged_app();
    press(&mut app, "/tag:eu");
    insta::assert_snapshot!(text(&app, 120, 30));
}
