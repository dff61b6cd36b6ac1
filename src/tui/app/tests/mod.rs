//! `update` rule by rule, at a fixed clock: no terminal, no tokio, no network.

mod cliff;
mod config;
mod delete;
mod delete_many;
mod dialogs;
mod expiry;
mod form;
mod grant;
mod list;
mod login;
mod refresh;
mod rows;
mod tags;

use crossterm::event::KeyCode;

use crate::tui::app::{App, Effect};
use crate::tui::keymap::Key;
use crate::tui::msg::Msg;
use crate::tui::testdata::press;

fn esc() -> Msg {
    Msg::Key(Key::plain(KeyCode::Esc))
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(Key::plain(code)))
}

/// (valid, expiring, expired, need login)
fn counts(app: &App) -> (usize, usize, usize, usize) {
    let c = app.counts();
    (c.valid, c.expiring, c.expired, c.need_login)
}

fn select(app: &mut App, name: &str) {
    press(app, "g");
    while app.selected_name() != Some(name) {
        press(app, "j");
    }
}
