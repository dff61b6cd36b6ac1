//! One frame of the TUI's list at 1,000 connections, drawn into ratatui's `TestBackend`, and
//! the work of one idle second (the clock tick, then the redraw it causes).
//!
//! `cargo bench --bench tui_frame`

mod support;

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{median, row, time};
use zdauth::seed;
use zdauth::tui::app::{App, Options};
use zdauth::tui::msg::Msg;
use zdauth_core::config::Config;

const RUNS: usize = 200;
const TARGET: Duration = Duration::from_millis(2);

/// The median wall time of `RUNS` calls of `work`, after one call to warm up.
fn sample(mut work: impl FnMut()) -> Duration {
    work();
    median((0..RUNS).map(|_| time(&mut work)))
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let vault = seed::fleet(dir.path(), 1000, None).unwrap();
    let config = Config::load(&vault.paths().config()).unwrap();
    let data = vault.load().unwrap();
    let now = Timestamp::now();

    support::header();
    let build = sample(|| {
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
        let frame = sample(|| {
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
    let second = sample(|| {
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
