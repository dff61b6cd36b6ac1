//! config.toml changing on disk while the TUI runs, through `update`: rows follow, an
//! invalid file keeps the last good one on screen with the reason, an open form stays.

use crate::tui::app::Overlay;
use crate::tui::msg::Msg;
use crate::tui::row::snapshot;
use crate::tui::testdata::*;

#[test]
fn connections_added_changed_and_removed_on_disk_appear_without_a_restart() {
    let mut app = app();
    let mut changed = config(&["acme", "globex", "hooli", "initech"]);
    changed.connections[1].redirect_port = 9100;
    changed.settings.refresh_margin = std::time::Duration::from_secs(600);
    let before = app.generation();
    app.update(Msg::ConfigReloaded {
        snapshot: Some(snapshot(&changed, &vault())),
        config: changed,
    });
    assert!(app.generation() > before, "redrawn");
    assert_eq!(app.visible_names(), ["acme", "globex", "hooli", "initech"]);
    let globex = app.rows.iter().find(|r| r.name == "globex").unwrap();
    assert_eq!(globex.connection.redirect_port, 9100);
    assert!(globex.data.tokens.is_some(), "kept its tokens");
    assert_eq!(app.margin, std::time::Duration::from_secs(600));
}

#[test]
fn an_invalid_config_shows_its_error_and_keeps_the_last_good_one_until_fixed() {
    let mut app = app();
    app.update(Msg::ConfigInvalid(
        "/cfg/config.toml:3: redirect_port: 80 is not a usable port".into(),
    ));
    assert_eq!(app.visible_names(), NAMES, "the last good one stays");
    assert!(app.config_error().unwrap().contains("config.toml:3"));
    app.update(Msg::ConfigReloaded {
        config: config(&NAMES),
        snapshot: None,
    });
    assert_eq!(app.config_error(), None);
    assert_eq!(
        app.counts().valid,
        1,
        "no snapshot: the rows keep their data"
    );
}

#[test]
fn an_open_edit_form_keeps_the_values_it_opened_with() {
    let mut app = app();
    press(&mut app, "e");
    let opened = app.form().unwrap().editing.clone();
    let mut changed = config(&NAMES);
    changed.connections[0].redirect_port = 9100;
    app.update(Msg::ConfigReloaded {
        config: changed,
        snapshot: None,
    });
    assert!(matches!(app.overlay(), Overlay::Form(_)));
    assert_eq!(app.form().unwrap().editing, opened);
}
