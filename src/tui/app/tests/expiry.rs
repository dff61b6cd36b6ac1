//! Auto-refresh and the detail pane by the engine's refresh rule (`zdauth_core::expiry)`: a pair
//! whose whole life is shorter than twice the margin is refreshed at half of it, once.

use crossterm::event::KeyCode;
use jiff::SignedDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::tui::app::Effect;
use crate::tui::keymap::Key;
use crate::tui::msg::Msg;
use crate::tui::row::RowTokens;
use crate::tui::testdata::*;
use zdauth_core::expiry::ExpirySource;

/// A pair obtained at `obtained` that lives `life` seconds.
fn short(obtained: jiff::Timestamp, life: i64) -> RowTokens {
    RowTokens {
        expires_at: Some(obtained + SignedDuration::from_secs(life)),
        ..fresh(obtained)
    }
}

#[test]
fn a_pair_shorter_than_the_margin_is_rotated_once_at_half_its_life() {
    let mut app = app();
    press(&mut app, "A");
    // 120 s pairs against the default 300 s margin, each stored as it comes back.
    let mut obtained = at(10);
    app.update(Msg::Refreshed {
        name: "acme".into(),
        result: Ok(short(obtained, 120)),
    });
    let mut rotations = 0;
    for second in 11..=400 {
        let mut names = Vec::new();
        for effect in app.update(Msg::Tick(at(second))) {
            match effect {
                Effect::Refresh(name) => names.push(name),
                other => panic!("unexpected {other:?}"),
            }
        }
        for name in names {
            let tokens = if name == "acme" {
                rotations += 1;
                assert_eq!(at(second), obtained + SignedDuration::from_secs(60));
                obtained = at(second);
                short(obtained, 120)
            } else {
                fresh(at(second))
            };
            app.update(Msg::Refreshed {
                name,
                result: Ok(tokens),
            });
        }
    }
    // Once every 60 s (half of each pair's life) from second 10 to 400: never every tick.
    assert_eq!(rotations, 6);
}

#[test]
fn the_detail_pane_says_why_and_what_keeps_a_pair_alive() {
    let mut app = app();
    app.update(Msg::Refreshed {
        name: "acme".into(),
        result: Ok(RowTokens {
            expiry_source: ExpirySource::Assumed,
            has_refresh_token: false,
            refresh_expires_at: None,
            ..short(at(0), 120)
        }),
    });
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
    terminal
        .draw(|frame| crate::tui::view::draw(frame, &app))
        .unwrap();
    let buf = terminal.backend().buffer();
    let screen: String = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(screen.contains("assumed 30-minute default"), "{screen}");
    assert!(screen.contains("half its 2m 00s life"), "{screen}");
    assert!(
        screen.contains("no refresh token: log in again when it expires"),
        "{screen}"
    );
}

/// A pair without a refresh token (a legacy client's) can only be replaced by a login: as it
/// enters the margin auto-refresh leaves it be, so the row is not marked login required while
/// its token still works (what `status` calls it: expiring).
#[test]
fn auto_refresh_leaves_a_pair_without_a_refresh_token_alone() {
    let mut app = app();
    app.update(Msg::Refreshed {
        name: "acme".into(),
        result: Ok(RowTokens {
            has_refresh_token: false,
            refresh_expires_at: None,
            ..short(at(0), 1800)
        }),
    });
    press(&mut app, "A");
    for second in [1, 1600, 1700] {
        for effect in app.update(Msg::Tick(at(second))) {
            let names = match effect {
                Effect::Refresh(name) => vec![name],
                other => panic!("unexpected {other:?}"),
            };
            assert!(
                !names.contains(&"acme".to_owned()),
                "at {second}: {names:?}"
            );
        }
    }
}
