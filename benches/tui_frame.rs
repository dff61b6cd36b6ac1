//! One frame of the TUI's list at 1,000 connections, drawn into ratatui's TestBackend, and
//! the work of one idle second (the clock tick, then the redraw it causes).
//!
//! `cargo bench --bench tui_frame`

#[path = "support/timing.rs"]
mod timing;
#[path = "support/world.rs"]
#[allow(dead_code)]
mod world;

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use zdauth::tui::app::{App, Options};
use zdauth::tui::msg::Msg;
use zdauth_core::config::Config;

use timing::{median, row};

const RUNS: usize = 200;
const TARGET: Duration = Duration::from_millis(2);

fn main() {
    let dir = tempfile::tempdir().unwrap();
    world::seed(dir.path(), 1000, None);
    let config = Config::load(&dir.path().join("config.toml")).unwrap();
    let data = world::vault_data(&config, None, Timestamp::now());
    let now = Timestamp::now();

    timing::header();
    let build = median(RUNS, || {
        App::new(&config, &data, now, Options::default());
    });
    row(
        "TUI rows built, 1,000 connections",
        build,
        TARGET,
        "< 2 ms (reference: the frame target)",
    );

    let mut app = App::new(&config, &data, now, Options::default());
    for (width, height) in [(120, 40), (240, 70)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let frame = median(RUNS, || {
            terminal
                .draw(|frame| zdauth::tui::view::draw(frame, &app))
                .unwrap();
        });
        row(
            &format!("TUI list frame {width}x{height}, 1,000 conns"),
            frame,
            TARGET,
            "< 2 ms (reference: the target)",
        );
    }

    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut clock = now;
    let second = median(RUNS, || {
        clock += SignedDuration::from_secs(1);
        app.update(Msg::Tick(clock));
        terminal
            .draw(|frame| zdauth::tui::view::draw(frame, &app))
            .unwrap();
    });
    row(
        "TUI idle second (tick + frame), 1,000",
        second,
        TARGET,
        "< 2 ms (reference: the target)",
    );
}
