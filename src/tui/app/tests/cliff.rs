//! The refresh token's cliff through `update`: which grants count as lapsing (by what is
//! stored, by the clock, by `keepalive`), the sort by refresh expiry, and the agent's news.

use std::time::Duration;

use crossterm::event::KeyCode;

use super::key;
use crate::tui::app::{AgentView, App, Options, SortMode};
use crate::tui::msg::{Msg, RefreshFailure};
use crate::tui::row::{RowTokens, snapshot};
use crate::tui::testdata::*;

const DAY: i64 = 86_400;

/// (lapsing, of them under 3 days)
fn lapsing(app: &App) -> (usize, usize) {
    let c = app.counts();
    (c.lapsing, c.imminent)
}

#[test]
fn the_header_counts_grants_that_lapse_within_keepalive_as_the_clock_moves() {
    // initech has 5 days left, globex 10, acme 30; umbrella's 20 do not count: Zendesk
    // already refused it, only a login helps.
    let mut app = app();
    assert_eq!(lapsing(&app), (1, 0));
    assert_eq!(app.header_rows(), 2, "the count needs the second line");
    app.update(Msg::Tick(at(3 * DAY + 1)));
    assert_eq!(
        lapsing(&app),
        (2, 1),
        "globex now under 7 days, initech under 3"
    );
    app.update(Msg::Tick(at(5 * DAY)));
    assert_eq!(
        lapsing(&app),
        (1, 0),
        "initech lapsed: the column says expired"
    );
    app.update(Msg::Tick(at(19 * DAY + 23 * 3600)));
    assert_eq!(lapsing(&app), (0, 0), "umbrella never counts");
    assert_eq!(app.header_rows(), 1);
}

#[test]
fn the_count_follows_what_is_stored() {
    let mut app = app();
    // A refresh (a keep-alive from elsewhere, seen as a reload) moves initech's cliff away.
    let mut data = vault();
    refresh_in(&mut data, "initech", Some(30 * DAY));
    app.update(Msg::VaultReloaded(snapshot(&config(&NAMES), &data)));
    assert_eq!(lapsing(&app), (0, 0));
    assert_eq!(app.header_rows(), 1, "nothing to say: one line, as before");
    // Stored with an hour left.
    refresh_in(&mut data, "acme", Some(3600));
    app.update(Msg::VaultReloaded(snapshot(&config(&NAMES), &data)));
    assert_eq!(lapsing(&app), (1, 1));
    // Refreshed here: a fresh pair, 30 days again.
    app.update(Msg::Refreshed {
        name: "acme".into(),
        result: Ok(fresh(now())),
    });
    assert_eq!(lapsing(&app), (0, 0));
    // Refused by Zendesk: not lapsing any more, lapsed.
    refresh_in(&mut data, "acme", Some(3600));
    app.update(Msg::VaultReloaded(snapshot(&config(&NAMES), &data)));
    app.update(Msg::Refreshed {
        name: "acme".into(),
        result: Err(RefreshFailure {
            message: "invalid_grant".into(),
            login_required: true,
        }),
    });
    assert_eq!(lapsing(&app), (0, 0));
}

#[test]
fn keepalive_off_counts_only_the_last_three_days() {
    let mut app = app();
    let mut off = config(&NAMES);
    off.settings.keepalive = Duration::ZERO;
    app.update(Msg::ConfigReloaded {
        snapshot: None,
        config: off.clone(),
    });
    assert_eq!(app.keepalive(), Duration::ZERO);
    assert_eq!(lapsing(&app), (0, 0), "initech's 5 days are not under 3");
    app.update(Msg::Tick(at(2 * DAY + 1)));
    assert_eq!(lapsing(&app), (1, 1));
    // A longer keepalive widens it.
    off.settings.keepalive = Duration::from_secs(15 * 86_400);
    app.update(Msg::ConfigReloaded {
        snapshot: None,
        config: off,
    });
    assert_eq!(lapsing(&app), (2, 1), "and globex's 8 days");
}

#[test]
fn s_reaches_the_refresh_expiry_order_with_unknown_last() {
    let mut data = vault();
    // acme's expiry was never told; globex has no refresh token at all.
    refresh_in(&mut data, "acme", None);
    let globex = data.connections.get_mut("globex").unwrap();
    globex.tokens.as_mut().unwrap().refresh_token = None;
    let mut app = App::new(&config(&NAMES), &data, now(), Options::default());
    for mode in [SortMode::TimeLeft, SortMode::State, SortMode::RefreshLeft] {
        key(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort(), mode);
    }
    assert_eq!(app.toast().unwrap().text, "sorted by refresh expiry");
    // initech 5 days, umbrella 20 (refused, but the column still shows its 20d), then the
    // two without a known expiry, by name.
    assert_eq!(
        app.visible_names(),
        ["initech", "umbrella", "acme", "globex"]
    );
    // The order is by the instant, so the clock does not reshuffle it.
    app.update(Msg::Tick(at(6 * DAY)));
    assert_eq!(
        app.visible_names(),
        ["initech", "umbrella", "acme", "globex"]
    );
    // A refresh moves the row with its new expiry: initech's fresh pair has 30 days.
    app.update(Msg::Refreshed {
        name: "initech".into(),
        result: Ok(RowTokens {
            refresh_expires_at: Some(at(6 * DAY + 30 * DAY)),
            ..fresh(at(6 * DAY))
        }),
    });
    assert_eq!(
        app.visible_names(),
        ["umbrella", "initech", "acme", "globex"]
    );
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort(), SortMode::Name, "the cycle comes round");
}

#[test]
fn the_agent_news_is_kept_and_only_a_change_redraws() {
    let mut app = app();
    assert_eq!(app.agent(), &AgentView::NotAsked);
    let before = app.generation();
    app.update(Msg::Agent(None));
    assert_eq!(app.agent(), &AgentView::Absent);
    assert!(app.generation() > before);
    let before = app.generation();
    app.update(Msg::Agent(None));
    assert_eq!(
        app.generation(),
        before,
        "the same answer: nothing to redraw"
    );
    let unlocked = agent(true, Some("2026-11-28T17:40:00Z"), None);
    app.update(Msg::Agent(Some(unlocked.clone())));
    assert_eq!(app.agent(), &AgentView::Running(unlocked));
    assert!(app.generation() > before);
}

#[test]
fn the_second_header_line_takes_a_row_from_the_page() {
    let names: Vec<String> = (0..100).map(|i| format!("c{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut app = App::new(&config(&refs), &vault(), now(), Options::default());
    app.update(Msg::Resize {
        width: 80,
        height: 24,
    });
    app.update(Msg::Agent(Some(agent(false, None, None))));
    assert_eq!(app.header_rows(), 2);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(
        app.selected_name(),
        Some("c019"),
        "24 rows less 5 of chrome"
    );
}
