//! `d` through `update`: the dialog's choices, the effect each asks for, and what a delete's
//! result (whole, partial or failed) says and does to the list.

use crossterm::event::KeyCode;

use super::key;
use crate::tui::app::Options;
use crate::tui::app::{App, Effect, Overlay};
use crate::tui::msg::{DeleteFailure, Deleted, Msg};
use crate::tui::testdata::*;
use zdauth_core::vault::VaultData;

#[test]
fn d_asks_first_and_n_or_esc_keep_the_connection() {
    let mut app = app();
    assert!(press(&mut app, "d").is_empty());
    assert!(matches!(app.overlay(), Overlay::Delete(_)));
    assert_eq!(app.deleting().unwrap().name, "acme");
    assert!(press(&mut app, "xq").is_empty(), "other keys wait");
    assert!(matches!(app.overlay(), Overlay::Delete(_)));
    assert!(press(&mut app, "n").is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert_eq!(app.toast().unwrap().text, "kept acme");
    press(&mut app, "d");
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert_eq!(app.visible_names(), NAMES);
}

#[test]
fn y_revokes_then_deletes_and_l_deletes_here_only() {
    let mut app = app();
    press(&mut app, "d");
    assert_eq!(
        press(&mut app, "y"),
        [Effect::DeleteConnection {
            name: "acme".into(),
            revoke: true
        }]
    );
    assert!(press(&mut app, "yl").is_empty(), "one delete at a time");
    app.update(Msg::Deleted {
        name: "acme".into(),
        result: Ok(Deleted {
            config: config(&NAMES[1..]),
            had_tokens: true,
            revoked: true,
            vault_kept: None,
        }),
    });
    assert_eq!(app.visible_names(), &NAMES[1..]);
    assert_eq!(app.overlay(), &Overlay::None);
    assert_eq!(
        app.toast().unwrap().text,
        "deleted acme and revoked its token at Zendesk"
    );

    press(&mut app, "d");
    assert_eq!(
        press(&mut app, "l"),
        [Effect::DeleteConnection {
            name: "globex".into(),
            revoke: false
        }]
    );
    app.update(Msg::Deleted {
        name: "globex".into(),
        result: Ok(Deleted {
            config: config(&NAMES[2..]),
            had_tokens: true,
            revoked: false,
            vault_kept: None,
        }),
    });
    assert!(app.toast().unwrap().text.contains("stay valid at Zendesk"));
}

#[test]
fn a_failed_revoke_deletes_nothing_and_says_what_to_do() {
    let mut app = app();
    press(&mut app, "dy");
    app.update(Msg::Deleted {
        name: "acme".into(),
        result: Err(DeleteFailure {
            revoked: false,
            message: "Zendesk answered 503".into(),
        }),
    });
    assert_eq!(app.visible_names(), NAMES);
    let toast = app.toast().unwrap();
    assert!(toast.error);
    assert!(
        toast.text.contains("Zendesk answered 503"),
        "{}",
        toast.text
    );
    assert!(
        toast
            .text
            .contains("tokens kept (d then l deletes it here only)")
    );
}

#[test]
fn without_tokens_y_just_deletes_and_a_busy_row_is_not_offered() {
    let mut app = App::new(
        &config(&["solo"]),
        &VaultData::default(),
        now(),
        Options::default(),
    );
    press(&mut app, "d");
    assert!(!app.deleting().unwrap().has_tokens);
    assert_eq!(
        press(&mut app, "y"),
        [Effect::DeleteConnection {
            name: "solo".into(),
            revoke: false
        }]
    );

    let mut app = self::app();
    press(&mut app, "r");
    assert!(press(&mut app, "d").is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert!(app.toast().unwrap().text.contains("acme is busy"));
}

#[test]
fn a_revoke_that_worked_before_the_delete_failed_is_not_called_kept() {
    let mut app = app();
    press(&mut app, "dy");
    app.update(Msg::Deleted {
        name: "acme".into(),
        result: Err(DeleteFailure {
            revoked: true,
            message: "timed out waiting for the lock".into(),
        }),
    });
    let toast = app.toast().unwrap();
    assert!(toast.error);
    assert!(
        toast
            .text
            .starts_with("revoked acme at Zendesk, but deleting it here failed"),
        "{}",
        toast.text
    );
    assert!(!toast.text.contains("tokens kept"), "{}", toast.text);
}

#[test]
fn a_delete_whose_vault_step_failed_says_the_tokens_stay_and_how_to_delete_them() {
    let mut app = app();
    press(&mut app, "dl");
    app.update(Msg::Deleted {
        name: "acme".into(),
        result: Ok(Deleted {
            config: config(&NAMES[1..]),
            had_tokens: true,
            revoked: false,
            vault_kept: Some("cannot write vault.age: No space left on device".into()),
        }),
    });
    assert_eq!(app.visible_names(), &NAMES[1..], "config.toml lost it");
    let toast = app.toast().unwrap();
    assert!(toast.error);
    assert!(
        toast.text.starts_with(
            "deleted acme from config.toml, but its tokens stay in vault.age (`zdauth remove acme` deletes them)"
        ),
        "{}",
        toast.text
    );
    assert!(toast.text.contains("No space left"), "{}", toast.text);
}
