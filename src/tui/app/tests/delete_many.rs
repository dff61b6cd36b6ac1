//! `d` on a selection of several rows: one question for all, the deletes one after another
//! (a failure does not stop the rest), one summary kept in the log, the marks of what went
//! cleared.

use crossterm::event::KeyCode;

use super::key;
use crate::tui::app::{App, Effect, Overlay};
use crate::tui::msg::{DeleteFailure, Deleted, Msg};
use crate::tui::testdata::*;

fn toast(app: &App) -> String {
    app.toast().map(|t| t.text.clone()).unwrap_or_default()
}

fn delete(name: &str, revoke: bool) -> Vec<Effect> {
    vec![Effect::DeleteConnection {
        name: name.into(),
        revoke,
    }]
}

/// The config once `gone` left it, as the engine answers.
fn left(all: &[&str], gone: &[&str]) -> zdauth_core::config::Config {
    let keep: Vec<&str> = all.iter().copied().filter(|n| !gone.contains(n)).collect();
    config(&keep)
}

fn deleted(app: &mut App, name: &str, config: zdauth_core::config::Config) -> Vec<Effect> {
    app.update(Msg::Deleted {
        name: name.into(),
        result: Ok(Deleted {
            config,
            had_tokens: true,
            revoked: false,
            vault_kept: None,
        }),
    })
}

fn failed(app: &mut App, name: &str, message: &str) -> Vec<Effect> {
    app.update(Msg::Deleted {
        name: name.into(),
        result: Err(DeleteFailure {
            revoked: false,
            message: message.into(),
        }),
    })
}

#[test]
fn d_on_a_selection_asks_once_for_all_with_the_count_and_the_first_names() {
    let mut app = many(12, 100, 45);
    press(&mut app, "*");
    assert!(
        press(&mut app, "d").is_empty(),
        "nothing runs before the answer"
    );
    let deleting = app.deleting().expect("the question is open");
    assert_eq!(deleting.many.len(), 12);
    assert_eq!(
        crate::tui::app::delete_question(&deleting.many),
        "delete 12 connections: c00, c01, c02 and 9 more?"
    );
    assert!(press(&mut app, "xq").is_empty(), "other keys wait");
    assert!(press(&mut app, "n").is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert_eq!(toast(&app), "kept all 12");
    assert_eq!(app.marked_shown().len(), 12, "nothing unmarked");
    press(&mut app, "d");
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert_eq!(app.visible_names().len(), 12);
}

#[test]
fn yes_runs_the_deletes_one_after_another_and_ends_with_one_summary() {
    let names = ["c00", "c01", "c02"];
    let mut app = many(3, 100, 45);
    press(&mut app, "*");
    press(&mut app, "d");
    // One delete at a time: the next is asked for when this one's answer is back.
    assert_eq!(press(&mut app, "y"), delete("c00", true));
    assert!(press(&mut app, "yl").is_empty(), "keys wait while it runs");
    assert!(toast(&app).starts_with("revoking at Zendesk and deleting 3 connections"));
    assert_eq!(
        deleted(&mut app, "c00", left(&names, &["c00"])),
        delete("c01", true)
    );
    assert!(matches!(app.overlay(), Overlay::Delete(d) if d.done == 1 && d.name == "c01"));
    assert!(
        toast(&app).starts_with("revoking at Zendesk and deleting"),
        "no row's own toast: {}",
        toast(&app)
    );
    assert_eq!(
        deleted(&mut app, "c01", left(&names, &["c00", "c01"])),
        delete("c02", true)
    );
    assert!(deleted(&mut app, "c02", left(&names, &names)).is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert!(app.visible_names().is_empty());
    assert_eq!(toast(&app), "deleted 3");
    assert!(!app.toast().unwrap().error);
    assert_eq!(
        app.log().iter().last().map(|e| e.text.as_str()),
        Some("deleted 3"),
        "kept in the log"
    );
}

#[test]
fn a_failure_in_the_middle_does_not_stop_the_rest_and_the_summary_names_it() {
    let names = ["c00", "c01", "c02", "c03"];
    let mut app = many(4, 100, 45);
    press(&mut app, " j j j ");
    press(&mut app, "d");
    assert_eq!(press(&mut app, "l"), delete("c00", false), "here only");
    assert_eq!(
        deleted(&mut app, "c00", left(&names, &["c00"])),
        delete("c01", false)
    );
    assert_eq!(
        failed(&mut app, "c01", "timed out waiting for the lock"),
        delete("c02", false),
        "the rest go on"
    );
    assert_eq!(
        deleted(&mut app, "c02", left(&names, &["c00", "c02"])),
        delete("c03", false)
    );
    assert!(deleted(&mut app, "c03", left(&names, &["c00", "c02", "c03"])).is_empty());
    assert_eq!(app.visible_names(), ["c01"]);
    assert_eq!(
        toast(&app),
        "deleted 3, 1 failed (c01: timed out waiting for the lock)"
    );
    assert!(app.toast().unwrap().error, "a failure is said as one");
    let logged: Vec<&str> = app.log().iter().map(|e| e.text.as_str()).collect();
    assert!(
        logged.contains(&"deleted 3, 1 failed (c01: timed out waiting for the lock)"),
        "{logged:?}"
    );
    // The marks of what went are gone; the one that failed stays marked, to try again.
    assert_eq!(app.marked_shown(), ["c01"]);
    assert!(!app.is_marked("c00"));
}

#[test]
fn a_failed_revoke_in_the_chain_says_nothing_was_deleted() {
    let names = ["c00", "c01"];
    let mut app = many(2, 100, 45);
    press(&mut app, "*d");
    assert_eq!(press(&mut app, "y"), delete("c00", true));
    assert_eq!(
        failed(&mut app, "c00", "Zendesk answered 503"),
        delete("c01", true)
    );
    deleted(&mut app, "c01", left(&names, &["c01"]));
    assert_eq!(
        toast(&app),
        "deleted 1, 1 failed (c00: revoking failed, nothing deleted, tokens kept: Zendesk answered 503)"
    );
}

#[test]
fn one_marked_row_gets_the_single_question_and_a_busy_one_holds_it_back() {
    let mut app = app();
    press(&mut app, "j ");
    press(&mut app, "g");
    press(&mut app, "d");
    let deleting = app.deleting().unwrap();
    assert_eq!(deleting.name, "globex", "the marked row, not the cursor's");
    assert!(deleting.many.is_empty());
    press(&mut app, "n");

    let mut app = self::app();
    press(&mut app, "r");
    press(&mut app, " j ");
    assert!(press(&mut app, "d").is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert!(toast(&app).starts_with("acme is busy"), "{}", toast(&app));
}

#[test]
fn rows_without_tokens_are_deleted_without_a_revoke() {
    // acme holds tokens in the test vault; zeta, added since, has none.
    let mut config = config(&crate::tui::testdata::NAMES);
    config.connections.push(config.connections[0].clone());
    config.connections[4].name = "zeta".into();
    let mut app = App::new(
        &config,
        &vault(),
        now(),
        crate::tui::app::Options::default(),
    );
    press(&mut app, "G ");
    press(&mut app, "g ");
    assert_eq!(app.marked_shown(), ["acme", "zeta"]);
    press(&mut app, "d");
    assert!(app.deleting().unwrap().has_tokens);
    assert_eq!(press(&mut app, "y"), delete("acme", true));
    assert_eq!(
        deleted(
            &mut app,
            "acme",
            left(
                &["acme", "globex", "initech", "umbrella", "zeta"],
                &["acme"]
            )
        ),
        delete("zeta", false),
        "nothing to revoke"
    );
}
