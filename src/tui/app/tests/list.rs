//! The list through `update`: order, selection, moves, the filter, the clock, toasts, help.

use crossterm::event::KeyCode;

use super::{esc, select};
use crate::tui::app::Options;
use crate::tui::app::{App, Overlay, SortMode};
use crate::tui::keymap::Key;
use crate::tui::msg::Msg;
use crate::tui::row::{ConnState, snapshot};
use crate::tui::testdata::*;

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
fn filter_matches_name_subdomain_and_user_and_esc_clears() {
    let mut app = app();
    press(&mut app, "/GLO");
    assert_eq!(app.overlay(), &Overlay::Filter);
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
    assert_eq!(app.overlay(), &Overlay::None);
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
    let mut app = App::new(&config(&refs), &vault(), now(), Options::default());
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
    assert_eq!(app.overlay(), &Overlay::Help);
    assert!(
        press(&mut app, "r").is_empty(),
        "closing the help does not refresh"
    );
    assert_eq!(app.overlay(), &Overlay::None);
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
