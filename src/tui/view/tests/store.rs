//! The header with a team store: its second line says where the tokens live, after the
//! cliff and before the agent; on a narrow terminal a part that does not fit whole is left
//! out, as the agent's are.

use super::text;
use crate::tui::app::{App, Options};
use crate::tui::msg::Msg;
use crate::tui::testdata::*;

const STORE: &str = "store: openbao at https://bao.example.com:8200";

fn with_store() -> App {
    app_with(Options {
        vault_path: "~/.config/zdauth/vault.age".into(),
        store: Some(STORE.into()),
        time_zone: berlin(),
        ..Options::default()
    })
}

#[test]
fn the_header_names_the_store() {
    let screen = text(&with_store(), 120, 8);
    insta::assert_snapshot!(screen);
    let second = screen.lines().nth(1).unwrap();
    assert_eq!(second, format!(" 1 lapse within 7d · {STORE}"));
}

/// Without anything lapsing or an agent, the store alone opens the second line.
#[test]
fn the_store_alone_takes_the_second_line() {
    let mut data = vault();
    for entry in data.connections.values_mut() {
        if let Some(tokens) = &mut entry.tokens {
            tokens.refresh_expires_at = None;
        }
    }
    let options = Options {
        store: Some(STORE.into()),
        time_zone: berlin(),
        ..Options::default()
    };
    let app = App::new(&config(&NAMES), &data, now(), options);
    assert_eq!(app.header_rows(), 2);
    let screen = text(&app, 100, 8);
    assert_eq!(screen.lines().nth(1).unwrap(), format!(" {STORE}"));
}

/// At every width nothing spills and the top line is as without a store; the store's part is
/// shown whole or not at all.
#[test]
fn narrow_terminals_never_show_half_a_store() {
    let mut app = with_store();
    app.update(Msg::Agent(None));
    let plain = app_with(Options {
        vault_path: "~/.config/zdauth/vault.age".into(),
        time_zone: berlin(),
        ..Options::default()
    });
    for width in [10u16, 20, 40, 64, 65, 66, 67, 80, 100, 200] {
        let screen = text(&app, width, 8);
        let mut lines = screen.lines();
        let (top, second) = (lines.next().unwrap(), lines.next().unwrap());
        for line in [top, second] {
            assert!(
                line.chars().count() <= usize::from(width),
                "{width}: {line}"
            );
        }
        assert_eq!(
            top,
            text(&plain, width, 8).lines().next().unwrap(),
            "{width}"
        );
        let whole = second.contains(STORE);
        assert!(whole || !second.contains("store:"), "{width}: {second}");
        let need = " 1 lapse within 7d · ".chars().count() + STORE.chars().count();
        assert_eq!(whole, usize::from(width) >= need, "{width}: {second}");
    }
}
