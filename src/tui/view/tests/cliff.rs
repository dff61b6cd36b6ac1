//! The cliff on screen: the REFRESH column's colours and `NO_COLOR` words at their boundaries,
//! and the header's second line (the lapsing count, the agent in each of its states).

use std::time::Duration;

use ratatui::style::Color;

use super::{buffer, text};
use crate::tui::app::{App, Options};
use crate::tui::msg::Msg;
use crate::tui::testdata::*;

const DAY: i64 = 86_400;

/// acme just over keepalive (7d), globex just under it, initech at exactly 3 days, umbrella
/// just under 3 days; none refused by Zendesk.
fn at_the_boundaries(keepalive: Duration, no_color: bool) -> App {
    let mut data = vault();
    data.connections.get_mut("umbrella").unwrap().login_required = false;
    for (name, secs) in [
        ("acme", 7 * DAY + 1),
        ("globex", 7 * DAY - 1),
        ("initech", 3 * DAY),
        ("umbrella", 3 * DAY - 1),
    ] {
        refresh_in(&mut data, name, Some(secs));
    }
    let mut config = config(&NAMES);
    config.settings.keepalive = keepalive;
    let options = Options {
        no_color,
        time_zone: berlin(),
        ..Options::default()
    };
    App::new(&config, &data, now(), options)
}

/// The REFRESH cell of `name`'s row, as read, and the colour of its first character.
fn refresh_cell(app: &App, name: &str) -> (String, Color) {
    let buf = buffer(app, 100, 12);
    let header: String = (0..100).map(|x| buf[(x, 2)].symbol()).collect();
    let start = header.find("REFRESH").unwrap();
    let end = header.find("STATE").unwrap();
    let y = (0..12)
        .find(|&y| {
            let line: String = (0..100).map(|x| buf[(x, y)].symbol()).collect();
            line.trim_start_matches(['›', ' ']).starts_with(name)
        })
        .unwrap();
    let column = u16::try_from(header[..start].chars().count()).unwrap();
    let width = u16::try_from(header[start..end].chars().count()).unwrap();
    let cell: String = (column..column + width)
        .map(|x| buf[(x, y)].symbol())
        .collect();
    (cell.trim_end().to_owned(), buf[(column, y)].fg)
}

#[test]
fn the_refresh_column_is_marked_under_keepalive_and_more_under_three_days() {
    let colour = at_the_boundaries(Duration::from_secs(7 * 86_400), false);
    assert_eq!(refresh_cell(&colour, "acme"), ("7d".into(), Color::Reset));
    assert_eq!(
        refresh_cell(&colour, "globex"),
        ("6d".into(), Color::Yellow)
    );
    assert_eq!(
        refresh_cell(&colour, "initech"),
        ("3d".into(), Color::Yellow)
    );
    assert_eq!(refresh_cell(&colour, "umbrella"), ("2d".into(), Color::Red));

    let words = at_the_boundaries(Duration::from_secs(7 * 86_400), true);
    assert_eq!(refresh_cell(&words, "acme"), ("7d".into(), Color::Reset));
    assert_eq!(refresh_cell(&words, "globex").0, "6d soon");
    assert_eq!(refresh_cell(&words, "initech").0, "3d soon");
    assert_eq!(refresh_cell(&words, "umbrella").0, "2d LAPSES");
    insta::assert_snapshot!(text(&words, 100, 9));
}

#[test]
fn keepalive_off_keeps_only_the_three_day_mark() {
    let colour = at_the_boundaries(Duration::ZERO, false);
    assert_eq!(refresh_cell(&colour, "globex"), ("6d".into(), Color::Reset));
    assert_eq!(
        refresh_cell(&colour, "initech"),
        ("3d".into(), Color::Reset)
    );
    assert_eq!(refresh_cell(&colour, "umbrella"), ("2d".into(), Color::Red));
    let words = at_the_boundaries(Duration::ZERO, true);
    assert_eq!(refresh_cell(&words, "globex").0, "6d");
    assert_eq!(refresh_cell(&words, "umbrella").0, "2d LAPSES");
    assert!(
        text(&words, 100, 8).contains(" 1 lapse within 3d\n"),
        "{}",
        text(&words, 100, 8)
    );
}

/// The header's second line, as read.
fn second_line(app: &App, width: u16) -> String {
    text(app, width, 10).lines().nth(1).unwrap().to_owned()
}

#[test]
fn the_header_says_what_the_agent_does_in_each_state() {
    let mut app = app();
    assert_eq!(
        second_line(&app, 120),
        " 1 lapse within 7d",
        "not asked yet"
    );
    app.update(Msg::Agent(None));
    assert_eq!(second_line(&app, 120), " 1 lapse within 7d · no agent");
    app.update(Msg::Agent(Some(agent(false, None, None))));
    assert_eq!(second_line(&app, 120), " 1 lapse within 7d · agent: locked");
    // A plain identity file: unlocked, with no end.
    app.update(Msg::Agent(Some(agent(true, None, None))));
    assert_eq!(
        second_line(&app, 120),
        " 1 lapse within 7d · agent: unlocked"
    );
    // 17:40 UTC is 18:40 in Berlin, today; the keep-alive is on another day.
    app.update(Msg::Agent(Some(agent(
        true,
        Some("2026-11-28T17:40:00Z"),
        Some("2026-12-03T08:00:00Z"),
    ))));
    let full = " 1 lapse within 7d · agent: unlocked until 18:40 CET · next keep-alive 2026-12-03 09:00 CET";
    assert_eq!(second_line(&app, 120), full);
    insta::assert_snapshot!(text(&app, 100, 9));
    // Narrow: the part that does not fit whole is left out, never half a time.
    assert_eq!(
        second_line(&app, 80),
        " 1 lapse within 7d · agent: unlocked until 18:40 CET"
    );
}

#[test]
fn without_lapses_the_header_is_one_line_until_an_agent_answers() {
    let mut data = vault();
    refresh_in(&mut data, "initech", Some(20 * DAY));
    let mut app = App::new(&config(&NAMES), &data, now(), Options::default());
    app.update(Msg::Agent(None));
    let screen = text(&app, 100, 10);
    assert!(
        screen.lines().nth(1).unwrap().contains("NAME"),
        "no agent, nothing lapsing: the table starts on line 2\n{screen}"
    );
    app.update(Msg::Agent(Some(agent(
        false,
        None,
        Some("2026-11-28T13:00:00Z"),
    ))));
    assert_eq!(
        second_line(&app, 100),
        " agent: locked · next keep-alive 13:00 UTC"
    );
}
