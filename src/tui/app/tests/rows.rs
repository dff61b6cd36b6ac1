//! The list at forty rows: scrolling by lines, the position, page keys by the real height,
//! multi-select and what acts on it, the batch summary, `R`'s question, the sort's reverse,
//! header clicks and the mouse.

use crossterm::event::{KeyCode, KeyModifiers};

use super::{esc, key};
use crate::tui::app::{Effect, Overlay, SortMode, SortOrder};
use crate::tui::keymap::Key;
use crate::tui::msg::{Mouse, Msg, RefreshFailure};
use crate::tui::testdata::*;
use crate::tui::{App, Options};

fn refreshes(names: &[&str]) -> Vec<Effect> {
    names.iter().map(|n| Effect::Refresh((*n).into())).collect()
}

fn done(app: &mut App, name: &str) {
    app.update(Msg::Refreshed {
        name: name.into(),
        result: Ok(fresh(now())),
    });
}

fn refused(app: &mut App, name: &str) {
    app.update(Msg::Refreshed {
        name: name.into(),
        result: Err(RefreshFailure {
            message: "Zendesk refused the refresh token (invalid_grant)".into(),
            login_required: true,
        }),
    });
}

fn toast(app: &App) -> String {
    app.toast().map(|t| t.text.clone()).unwrap_or_default()
}

#[test]
fn the_list_scrolls_by_lines_with_context_not_by_pages() {
    // 20 rows less 4 of chrome: 16 rows of list.
    let mut app = many(45, 100, 20);
    assert_eq!(app.list_rows(), Some(16));
    press(&mut app, &"j".repeat(12));
    assert_eq!(app.window(16), 0..16, "3 rows of context still below");
    press(&mut app, "j");
    assert_eq!(app.window(16), 1..17, "one line, not a page");
    assert_eq!(app.position(), Some((14, 45)));
    press(&mut app, "G");
    assert_eq!(app.window(16), 29..45, "never past the end");
    assert_eq!(app.position(), Some((45, 45)));
    press(&mut app, &"k".repeat(11));
    assert_eq!(app.selected_name(), Some("c33"));
    assert_eq!(app.window(16), 29..45, "inside the window: it stays");
    press(&mut app, "k");
    assert_eq!(app.window(16), 29..45);
    press(&mut app, "k");
    assert_eq!(app.window(16), 28..44, "3 rows of context above c31");
}

#[test]
fn page_keys_move_by_the_real_height_and_ctrl_d_by_half() {
    let mut app = many(100, 100, 45);
    assert_eq!(app.list_rows(), Some(41), "45 rows less 4 of chrome");
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected_name(), Some("c41"));
    app.update(Msg::Key(Key::new(
        KeyCode::Char('d'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(app.selected_name(), Some("c61"));
    app.update(Msg::Key(Key::ctrl('u')));
    key(&mut app, KeyCode::PageUp);
    assert_eq!(app.selected_name(), Some("c00"));
    // A smaller terminal: the page follows it.
    app.update(Msg::Resize {
        width: 100,
        height: 14,
    });
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected_name(), Some("c10"));
}

#[test]
fn no_height_is_made_up_before_the_runtime_tells_the_size() {
    let mut app = App::new(&config(&NAMES), &vault(), now(), Options::default());
    assert_eq!(app.list_rows(), None);
    app.update(Msg::Resize {
        width: 80,
        height: 30,
    });
    assert_eq!(app.list_rows(), Some(25), "30 less 4 and the lapse line");
}

#[test]
fn space_marks_rows_and_r_refreshes_them_with_one_summary() {
    let mut app = many(45, 100, 45);
    press(&mut app, " j jj ");
    assert_eq!(app.marked_shown(), ["c00", "c01", "c03"]);
    press(&mut app, "k ");
    assert_eq!(app.marked_shown(), ["c00", "c01", "c02", "c03"]);
    press(&mut app, " ");
    assert_eq!(app.marked_shown(), ["c00", "c01", "c03"], "again: unmarked");
    assert_eq!(press(&mut app, "r"), refreshes(&["c00", "c01", "c03"]));
    assert!(
        toast(&app).starts_with("refreshing 3 connections"),
        "{}",
        toast(&app)
    );
    done(&mut app, "c00");
    refused(&mut app, "c03");
    assert!(
        toast(&app).starts_with("refreshing 3"),
        "no row's own toast: {}",
        toast(&app)
    );
    done(&mut app, "c01");
    assert_eq!(toast(&app), "refreshed 2, 1 failed (c03: login required)");
    assert!(app.toast().unwrap().error, "a failure is said as one");
    assert_eq!(
        app.marked_shown(),
        ["c00", "c01", "c03"],
        "kept across refreshes"
    );
}

#[test]
fn star_marks_all_shown_and_again_clears_and_the_filter_narrows_what_r_takes() {
    let mut app = many(12, 100, 45);
    press(&mut app, "*");
    assert_eq!(app.marked_shown().len(), 12);
    press(&mut app, "*");
    assert!(app.marked_shown().is_empty());
    press(&mut app, " j ");
    press(&mut app, "/c01");
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(app.marked_shown(), ["c01"]);
    assert_eq!(press(&mut app, "r"), refreshes(&["c01"]));
    // The filter hid c00, it did not unmark it.
    app.update(Msg::Key(Key::plain(KeyCode::Esc)));
    assert_eq!(app.marked_shown(), ["c00", "c01"]);
}

#[test]
fn a_mark_on_a_connection_that_goes_away_is_dropped() {
    let mut app = app();
    press(&mut app, " j ");
    assert_eq!(app.marked_shown(), ["acme", "globex"]);
    app.update(Msg::ConfigReloaded {
        config: config(&["acme", "initech"]),
        snapshot: None,
    });
    assert_eq!(app.marked_shown(), ["acme"]);
    // Back again, it is not marked: the mark was of the one that went.
    app.update(Msg::ConfigReloaded {
        config: config(&NAMES),
        snapshot: None,
    });
    assert_eq!(app.marked_shown(), ["acme"]);
}

#[test]
fn c_copies_the_one_marked_row_and_refuses_several() {
    let mut app = app();
    press(&mut app, "j ");
    press(&mut app, "g");
    let effects = press(&mut app, "c");
    assert!(
        matches!(effects.as_slice(), [Effect::Copy { name, .. }] if name == "globex"),
        "{effects:?}"
    );
    let mut app = self::app();
    press(&mut app, " j ");
    assert!(press(&mut app, "c").is_empty());
    assert!(
        toast(&app).starts_with("select one row to copy"),
        "{}",
        toast(&app)
    );
    assert!(press(&mut app, "C").is_empty());
}

#[test]
fn capital_r_over_ten_rows_asks_first() {
    let mut app = many(11, 100, 45);
    // All fresh: R takes every row, 11 of them.
    assert!(press(&mut app, "R").is_empty());
    assert!(matches!(app.overlay(), Overlay::ConfirmRefresh(names) if names.len() == 11));
    assert!(press(&mut app, "n").is_empty());
    assert_eq!(app.overlay(), &Overlay::None);
    assert_eq!(toast(&app), "nothing refreshed");
    press(&mut app, "R");
    assert!(press(&mut app, "j").is_empty(), "any other key is no");
    press(&mut app, "R");
    let effects = press(&mut app, "y");
    assert_eq!(effects.len(), 11);
    for n in 0..11 {
        done(&mut app, &format!("c{n:02}"));
    }
    assert_eq!(toast(&app), "refreshed 11");
    // Ten is not more than ten.
    let mut app = many(10, 100, 45);
    assert_eq!(press(&mut app, "R").len(), 10);
}

#[test]
fn the_summary_names_a_few_failures_and_counts_the_rest() {
    let mut app = many(6, 100, 45);
    assert_eq!(press(&mut app, "R").len(), 6);
    for n in 0..5 {
        refused(&mut app, &format!("c{n:02}"));
    }
    done(&mut app, "c05");
    assert_eq!(
        toast(&app),
        "refreshed 1, 5 failed (c00: login required; c01: login required; c02: login required; 2 more)"
    );
}

#[test]
fn s_cycles_capital_s_reverses_and_both_are_remembered() {
    let mut app = app();
    let effects = press(&mut app, "S");
    let reversed = SortOrder {
        key: SortMode::Name,
        reverse: true,
    };
    assert_eq!(effects, [Effect::SaveSort(reversed)]);
    assert_eq!(
        app.visible_names(),
        ["umbrella", "initech", "globex", "acme"]
    );
    assert_eq!(toast(&app), "sorted by name, reversed");
    let effects = press(&mut app, "s");
    assert_eq!(
        effects,
        [Effect::SaveSort(SortOrder {
            key: SortMode::TimeLeft,
            reverse: false
        })]
    );
    // The next start begins where this one left off.
    let app = app_with(Options {
        sort: reversed,
        ..Options::default()
    });
    assert_eq!(
        app.visible_names(),
        ["umbrella", "initech", "globex", "acme"]
    );
}

fn header_x(app: &App, column: crate::tui::columns::Column) -> u16 {
    let (width, _) = app.size.unwrap();
    let layout = crate::tui::columns::layout(app, width, crate::tui::columns::REFRESH_WIDTH);
    let mut x = 0;
    for (c, w) in layout {
        if c == column {
            return x;
        }
        x += w + crate::tui::columns::SPACING;
    }
    panic!("no {column:?} column")
}

#[test]
fn a_click_on_a_header_sorts_by_it_and_again_reverses() {
    use crate::tui::columns::Column;
    let mut app = app();
    app.update(Msg::Resize {
        width: 100,
        height: 30,
    });
    // The header is two lines here (a grant lapses): the table's titles are on line 2.
    let x = header_x(&app, Column::Refresh);
    let effects = app.update(Msg::Mouse(Mouse::Click { column: x, row: 2 }));
    assert_eq!(app.sort(), SortMode::RefreshLeft);
    assert_eq!(effects.len(), 1, "remembered");
    assert_eq!(
        app.visible_names(),
        ["initech", "globex", "umbrella", "acme"]
    );
    app.update(Msg::Mouse(Mouse::Click { column: x, row: 2 }));
    assert_eq!(
        app.visible_names(),
        ["acme", "umbrella", "globex", "initech"]
    );
    // SUBDOMAIN sorts by nothing: the click changes nothing.
    let before = app.generation();
    let x = header_x(&app, Column::Subdomain);
    app.update(Msg::Mouse(Mouse::Click { column: x, row: 2 }));
    assert_eq!(app.generation(), before);
}

#[test]
fn a_click_puts_the_cursor_on_a_row_and_the_wheel_moves_it() {
    let mut app = many(45, 100, 20);
    // Line 0 is the header, 1 the titles, 2 the first row.
    app.update(Msg::Mouse(Mouse::Click { column: 4, row: 7 }));
    assert_eq!(app.selected_name(), Some("c05"));
    app.update(Msg::Mouse(Mouse::WheelDown));
    app.update(Msg::Mouse(Mouse::WheelDown));
    assert_eq!(app.selected_name(), Some("c11"));
    app.update(Msg::Mouse(Mouse::WheelUp));
    assert_eq!(app.selected_name(), Some("c08"));
    // Below the last row, or on the footer: nothing.
    let before = app.generation();
    app.update(Msg::Mouse(Mouse::Click { column: 4, row: 19 }));
    assert_eq!(app.generation(), before);
    // A click under a dialog is not for the list.
    press(&mut app, "?");
    app.update(Msg::Mouse(Mouse::Click { column: 4, row: 3 }));
    assert_eq!(app.selected_name(), Some("c08"));
}

#[test]
fn the_header_counts_follow_the_filter() {
    let mut app = app();
    press(&mut app, "/glo");
    let counts = app.counts();
    assert_eq!(
        (counts.valid, counts.expiring, counts.need_login),
        (0, 1, 0)
    );
    assert_eq!(app.position(), Some((1, 1)));
}

fn login_finished(app: &mut App, name: &str, result: Result<(), &str>) -> Vec<Effect> {
    use crate::tui::msg::{LoginDone, LoginUpdate};
    let result = result
        .map(|()| LoginDone {
            tokens: fresh(now()),
            email: None,
        })
        .map_err(str::to_owned);
    app.update(Msg::Login {
        name: name.into(),
        update: LoginUpdate::Finished(result),
    })
}

#[test]
fn l_on_a_selection_runs_the_logins_one_after_another_and_esc_cancels_the_rest() {
    let mut app = app();
    press(&mut app, " j jj ");
    assert_eq!(app.marked_shown(), ["acme", "globex", "umbrella"]);
    assert_eq!(press(&mut app, "l"), [Effect::Login("acme".into())]);
    assert_eq!(app.login().unwrap().name, "acme");
    assert!(toast(&app).contains("2 more after it"), "{}", toast(&app));
    // One modal at a time: the next starts when this one ends, failed or not.
    assert_eq!(
        login_finished(&mut app, "acme", Err("the browser never came back")),
        [Effect::Login("globex".into())]
    );
    assert_eq!(app.login().unwrap().name, "globex");
    assert_eq!(app.selected_name(), Some("globex"), "the cursor follows");
    assert_eq!(app.update(esc()), [Effect::CancelLogin]);
    assert!(
        toast(&app).contains("the 1 queued after it"),
        "{}",
        toast(&app)
    );
    assert!(login_finished(&mut app, "globex", Err("cancelled")).is_empty());
    assert!(app.login().is_none(), "umbrella was not started");
}

#[test]
fn l_on_a_selection_passes_over_client_credentials_rows() {
    let mut config = config(&NAMES);
    config.connections[0].grant = zdauth_core::config::Grant::ClientCredentials;
    let mut app = App::new(&config, &vault(), now(), Options::default());
    press(&mut app, " j ");
    assert_eq!(press(&mut app, "l"), [Effect::Login("globex".into())]);
    assert!(
        login_finished(&mut app, "globex", Ok(())).is_empty(),
        "none left"
    );
}
