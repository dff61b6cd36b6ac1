//! The list at forty rows, drawn: the window follows the cursor, the position, the marks
//! and their count, the filter's match, the narrow layout, `R`'s question.

use ratatui::style::Modifier;

use super::{buffer, characters, text};
use crate::tui::app::{App, Options};
use crate::tui::msg::Msg;
use crate::tui::testdata::*;

fn line_of<'a>(screen: &'a str, name: &str) -> Option<&'a str> {
    screen.lines().find(|l| {
        l.trim_start_matches(['●', '›', ' '])
            .starts_with(&format!("{name} "))
    })
}

#[test]
fn forty_five_rows_scroll_by_lines_and_say_where_the_cursor_is() {
    let mut app = many(45, 100, 20);
    press(&mut app, &"j".repeat(13));
    let screen = text(&app, 100, 20);
    assert!(
        line_of(&screen, "c00").is_none(),
        "one line scrolled:\n{screen}"
    );
    assert!(line_of(&screen, "c01").is_some(), "{screen}");
    assert!(
        line_of(&screen, "c16").is_some(),
        "three rows under the cursor:\n{screen}"
    );
    assert!(line_of(&screen, "c17").is_none(), "{screen}");
    let footer = screen.lines().last().unwrap();
    assert!(footer.ends_with("14/45"), "{footer}");
    insta::assert_snapshot!(screen);
}

#[test]
fn marked_rows_are_marked_and_counted_in_the_header() {
    let mut app = many(5, 100, 12);
    press(&mut app, " jj ");
    let screen = text(&app, 100, 12);
    assert!(
        screen.lines().next().unwrap().contains("  2 selected"),
        "{screen}"
    );
    assert!(
        line_of(&screen, "c00").unwrap().starts_with("●  c00"),
        "{screen}"
    );
    assert!(
        line_of(&screen, "c02").unwrap().starts_with("●› c02"),
        "{screen}"
    );
    assert!(
        line_of(&screen, "c01").unwrap().starts_with("   c01"),
        "{screen}"
    );
}

#[test]
fn the_filter_shows_how_many_of_all_and_marks_the_match_in_name() {
    let mut app = app();
    app.update(Msg::Resize {
        width: 100,
        height: 12,
    });
    press(&mut app, "/lob");
    let buf = buffer(&app, 100, 12);
    let screen = characters(&buf);
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains("0 valid · 1 expiring · 0 expired · 0 need login  1 of 4"),
        "{header}"
    );
    let y = screen.lines().position(|l| l.contains("globex ")).unwrap();
    let line = screen.lines().nth(y).unwrap();
    // In cells, not bytes: the cursor's › is one cell of three bytes.
    let x = line[..line.find("globex").unwrap()].chars().count();
    let y = u16::try_from(y).unwrap();
    let x = u16::try_from(x).unwrap();
    let underlined = |dx: u16| buf[(x + dx, y)].modifier.contains(Modifier::UNDERLINED);
    assert!(!underlined(0), "g is not the match");
    assert!(underlined(1) && underlined(2) && underlined(3), "l o b are");
    assert!(!underlined(4));
}

#[test]
fn sixty_columns_keep_every_name_and_state_whole() {
    let long = "a-rather-long-connection-name";
    let mut config = config(&["acme", long, "umbrella"]);
    config.connections[2].tags = vec!["prod".into()];
    let mut app = App::new(&config, &vault(), now(), Options::default());
    app.update(Msg::Resize {
        width: 60,
        height: 12,
    });
    let screen = text(&app, 60, 12);
    for name in ["acme", long, "umbrella"] {
        assert!(line_of(&screen, name).is_some(), "{name} cut:\n{screen}");
    }
    assert!(
        line_of(&screen, "umbrella")
            .unwrap()
            .ends_with("login required"),
        "{screen}"
    );
    assert!(!screen.contains("█"), "the bar went first:\n{screen}");
    insta::assert_snapshot!(screen);
    // Narrower still: ACCESS and REFRESH give way before NAME and STATE do.
    let screen = text(&app, 48, 12);
    assert!(
        line_of(&screen, long).unwrap().ends_with("login required"),
        "{screen}"
    );
}

#[test]
fn a_large_refresh_all_asks_on_the_toast_line() {
    let mut app = many(12, 100, 20);
    press(&mut app, "R");
    let screen = text(&app, 100, 20);
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(lines[18], " refresh 12 connections? (y/N)", "{screen}");
    assert!(
        lines[19].contains("y refresh them  any other key no"),
        "{screen}"
    );
}
