//! The TUI at forty rows, in a real terminal: the real binary in tmux against the fake
//! Zendesk. Scrolling and the position at 45 rows, the page size from the first frame (the
//! terminal is never resized), multi-select refresh, `R`'s question, mouse clicks, a
//! 60-column terminal, the sort remembered across runs.

use crate::common;

use common::tmux::tmux;
use common::world::World;

/// acme plus `n01`…: `total` connections in all, each with a pair the fake issued.
fn world_of(total: usize) -> World {
    let w = World::new(|_| {});
    w.seed();
    for i in 1..total {
        let name = format!("n{i:02}");
        w.add_seeded(&name, &name);
    }
    w
}

/// The names on screen, top to bottom (rows start with the mark and cursor columns).
fn names(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(' ')?;
            let rest = rest.trim_start_matches(['●', '›', ' ']);
            let name = rest.split_whitespace().next()?;
            let row = name == "acme" || (name.len() == 3 && name.starts_with('n'));
            row.then(|| name.to_owned())
        })
        .collect()
}

/// `12/45` at the footer's right end.
fn position(screen: &str) -> String {
    let footer = screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    footer
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn forty_five_rows_scroll_by_lines_page_by_the_real_height_and_refresh_the_selection() {
    let Some(tmux) = tmux("rows45") else { return };
    let w = world_of(45);
    tmux.start_sized(&w.sb, "env NO_COLOR=1", "", 100, 45);
    let screen = tmux.wait_for("1/45");
    // The list's rows: 45 lines less the header (1 or 2), the titles, toast and footer.
    let header = if screen.lines().nth(1).is_some_and(|l| l.contains("NAME")) {
        1
    } else {
        2
    };
    let rows = 45 - 3 - header;
    assert_eq!(names(&screen).len(), rows, "{screen}");

    // PgDn before any resize moves by that height, not by a made-up one.
    tmux.keys(&["PageDown"]);
    let screen = tmux.wait_until("moved a page", |s| position(s) != "1/45");
    assert_eq!(position(&screen), format!("{}/45", rows + 1), "{screen}");
    // The window moved just enough to keep 3 rows under the cursor (45 rows do not
    // scroll past the end): the top row is the 5th.
    let shown = names(&screen);
    assert_eq!(shown.first().map(String::as_str), Some("n04"), "{screen}");
    assert_eq!(shown.len(), rows);

    // From the top, line by line: the list scrolls one line when the cursor comes within 3
    // rows of the bottom, not a page at the edge.
    tmux.keys(&["g"]);
    tmux.wait_for("1/45");
    let steps = vec!["j"; rows - 4];
    tmux.keys(&steps);
    let screen = tmux.wait_for(&format!("{}/45", rows - 3));
    assert_eq!(
        names(&screen).first().map(String::as_str),
        Some("acme"),
        "{screen}"
    );
    tmux.keys(&["j"]);
    let screen = tmux.wait_for(&format!("{}/45", rows - 2));
    assert_eq!(
        names(&screen).first().map(String::as_str),
        Some("n01"),
        "one line scrolled:\n{screen}"
    );
    tmux.keys(&["G"]);
    let screen = tmux.wait_for("45/45");
    assert_eq!(
        names(&screen).last().map(String::as_str),
        Some("n44"),
        "{screen}"
    );

    // R over all 45 asks first; n refreshes nothing.
    tmux.keys(&["R"]);
    tmux.wait_for("refresh 45 connections? (y/N)");
    tmux.keys(&["n"]);
    tmux.wait_for("nothing refreshed");
    assert_eq!(w.fake.counters().refreshes, 0);

    // Two selected (Space), r refreshes those two and says so once.
    tmux.keys(&["g", "Space", "j", "j", "Space"]);
    let screen = tmux.wait_for("2 selected");
    assert!(screen.contains("●  acme"), "{screen}");
    tmux.keys(&["r"]);
    let screen = tmux.wait_for("refreshed 2");
    assert!(!screen.contains("refreshed acme"), "one summary:\n{screen}");
    assert_eq!(w.fake.counters().refreshes, 2);

    // R again, and yes: all 45, one summary.
    tmux.keys(&["R"]);
    tmux.wait_for("refresh 45 connections? (y/N)");
    tmux.keys(&["y"]);
    tmux.wait_for("refreshed 45");
    assert_eq!(w.fake.counters().refreshes, 47);
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn a_click_picks_a_row_and_a_click_on_a_header_sorts_and_the_sort_is_remembered() {
    let Some(tmux) = tmux("mouse") else { return };
    let w = world_of(5);
    tmux.start(&w.sb, "env NO_COLOR=1", "");
    let screen = tmux.wait_for("1/5");
    let y = screen
        .lines()
        .position(|l| l.contains(" n03 "))
        .expect(&screen);
    tmux.click(10, y);
    tmux.wait_for("4/5");
    let screen = tmux.screen();
    assert!(screen.lines().nth(y).unwrap().contains("› n03"), "{screen}");

    // A click on NAME: it is sorted by name already, so the order turns around.
    let titles = screen
        .lines()
        .position(|l| l.contains("NAME▾"))
        .expect(&screen);
    let x = screen.lines().nth(titles).unwrap().find("NAME").unwrap();
    let x = screen.lines().nth(titles).unwrap()[..x].chars().count();
    tmux.click(x + 1, titles);
    let screen = tmux.wait_for("sorted by name, reversed");
    assert!(screen.contains("NAME▴"), "{screen}");
    assert_eq!(
        names(&screen),
        ["n04", "n03", "n02", "n01", "acme"],
        "{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
    drop(tmux);

    // The next start sorts the same way.
    let Some(tmux) = self::tmux("mouse2") else {
        return;
    };
    tmux.start(&w.sb, "env NO_COLOR=1", "");
    let screen = tmux.wait_for("NAME▴");
    assert_eq!(
        names(&screen),
        ["n04", "n03", "n02", "n01", "acme"],
        "{screen}"
    );
    let state = std::fs::read_to_string(w.sb.dir().join("tui-state.toml")).unwrap();
    assert!(state.contains("reverse = true"), "{state}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn a_sixty_column_terminal_keeps_names_and_states_whole() {
    let Some(tmux) = tmux("narrow") else { return };
    let w = World::new(|_| {});
    w.seed();
    let long = "a-long-name-for-a-subdomain-of-ours";
    w.add_seeded(long, "ours");
    tmux.start_sized(&w.sb, "env NO_COLOR=1", "", 60, 20);
    let screen = tmux.wait_for("1/2");
    let row = screen
        .lines()
        .find(|l| l.contains(long))
        .unwrap_or_else(|| panic!("{long} cut:\n{screen}"));
    assert!(row.trim_end().ends_with(" ok"), "STATE whole:\n{screen}");
    assert!(screen.contains("STATE"), "{screen}");
    assert!(!screen.contains('█'), "the bar went first:\n{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}
