//! Keys and what they ask for: the mode decides who gets a key, then the keymap's Action
//! does its work. Part of [`App::update`], so pure like it.

use crossterm::event::{KeyCode, KeyModifiers};

use super::{App, Effect, LoginInFlight, OnLogin, Overlay, SCROLL_CONTEXT};
use crate::tui::action::Action;
use crate::tui::keymap::Key;
use crate::tui::msg::Mouse;
use crate::tui::row::ConnState;
use zdauth_core::clipboard::What;
use zdauth_core::config::Grant;

impl App {
    /// `None`: the key means nothing where the focus is, and nothing changed.
    pub(super) fn key(&mut self, key: Key) -> Option<Vec<Effect>> {
        let action = self.options.keymap.action(key);
        let esc = key == Key::plain(KeyCode::Esc);
        // A Ctrl chord bound to quit (Ctrl-C) quits from the list and answers the quit
        // question; in a form or dialog it backs out of that, as Esc does.
        if action == Some(Action::Quit) && key.mods.contains(KeyModifiers::CONTROL) {
            let asked = matches!(
                self.overlay,
                Overlay::None
                    | Overlay::Login {
                        on_top: OnLogin::ConfirmQuit,
                        ..
                    }
            );
            if asked {
                return Some(self.quit());
            }
            return self.key(Key::plain(KeyCode::Esc));
        }
        let effects = match &mut self.overlay {
            Overlay::Help => {
                if !self.help_scrolled(action) {
                    self.overlay = Overlay::None;
                }
                Vec::new()
            }
            Overlay::Login { on_top, .. } if *on_top == OnLogin::Help => {
                if !self.help_scrolled(action)
                    && let Overlay::Login { on_top, .. } = &mut self.overlay
                {
                    *on_top = OnLogin::Nothing;
                }
                Vec::new()
            }
            Overlay::Log => {
                self.log_key(action, esc);
                Vec::new()
            }
            Overlay::Login { on_top, .. } if *on_top == OnLogin::ConfirmQuit => {
                if action == Some(Action::Quit) || key == Key::char('y') {
                    return Some(self.quit());
                }
                *on_top = OnLogin::Nothing;
                self.say("still here");
                Vec::new()
            }
            Overlay::Filter => {
                self.filter_key(key);
                Vec::new()
            }
            Overlay::Form(_) => self.form_key(key),
            Overlay::Delete(_) => self.delete_key(key),
            Overlay::ConfirmRefresh(_) => self.confirm_refresh_key(key == Key::char('y')),
            Overlay::None | Overlay::Login { .. } if esc => self.escape(),
            Overlay::Login { .. } => self.login_key(key, action),
            Overlay::None => return action.map(|a| self.act(a)),
        };
        Some(effects)
    }

    /// Text lands where typing would; elsewhere a paste is no command and is dropped
    /// (`false`: nothing changed).
    pub(super) fn paste(&mut self, text: &str) -> bool {
        match &mut self.overlay {
            Overlay::Form(form) => form.paste(text),
            Overlay::Login {
                login,
                on_top: OnLogin::Nothing,
            } => login.paste.paste(text),
            Overlay::Filter => {
                self.filter.extend(text.chars().filter(|c| !c.is_control()));
                self.rebuild_view();
            }
            _ => return false,
        }
        true
    }

    pub(super) fn filter_key(&mut self, key: Key) {
        match key.code {
            KeyCode::Esc => {
                self.filter.clear();
                self.overlay = Overlay::None;
            }
            KeyCode::Enter => self.overlay = Overlay::None,
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Down => self.move_by(1),
            KeyCode::Up => self.move_by(-1),
            KeyCode::Char(c) if key.mods.is_empty() => self.filter.push(c),
            _ => return,
        }
        self.rebuild_view();
    }

    /// Esc backs out of the innermost thing: a running login, then the filter, then detail.
    pub(super) fn escape(&mut self) -> Vec<Effect> {
        if let Some(login) = self.login() {
            let name = login.name.clone();
            let rest = std::mem::take(&mut self.login_queue).len();
            if rest > 0 {
                self.say(format!(
                    "cancelling the login to {name} and the {rest} queued after it"
                ));
            } else {
                self.say(format!("cancelling the login to {name}"));
            }
            return vec![Effect::CancelLogin];
        }
        if !self.filter.is_empty() {
            self.filter.clear();
            self.rebuild_view();
        } else if self.detail {
            self.detail = false;
        }
        Vec::new()
    }

    pub(super) fn act(&mut self, action: Action) -> Vec<Effect> {
        let page = self.page().cast_signed();
        match action {
            Action::MoveDown => self.move_by(1),
            Action::MoveUp => self.move_by(-1),
            Action::PageDown => self.move_by(page),
            Action::PageUp => self.move_by(-page),
            Action::HalfPageDown => self.move_by((page / 2).max(1)),
            Action::HalfPageUp => self.move_by(-(page / 2).max(1)),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::Filter => self.overlay = Overlay::Filter,
            Action::Sort => return self.cycle_sort(),
            Action::SortReverse => return self.reverse_sort(),
            Action::ToggleSelect => self.toggle_mark(),
            Action::SelectAll => self.mark_all_shown(),
            Action::ToggleDetail => {
                self.detail = !self.detail;
            }
            Action::Refresh => return self.refresh_selected(),
            Action::RefreshAll => return self.refresh_all(),
            Action::Login => return self.start_login(),
            Action::CopyToken => return self.copy_marked(What::Token),
            Action::CopyHeader => return self.copy_marked(What::Header),
            Action::Add => self.open_add(),
            Action::Edit => self.open_edit(),
            Action::Delete => self.ask_delete(),
            Action::ToggleAutoRefresh => {
                self.auto_refresh = !self.auto_refresh;
                let state = if self.auto_refresh { "on" } else { "off" };
                self.say(format!("auto-refresh {state}"));
                return self.auto_refresh_due();
            }
            Action::Log => self.open_log(),
            Action::Help => {
                self.overlay_scroll = 0;
                match &mut self.overlay {
                    Overlay::Login { on_top, .. } => *on_top = OnLogin::Help,
                    _ => self.overlay = Overlay::Help,
                }
            }
            Action::Quit => return self.quit(),
        }
        Vec::new()
    }

    /// `c` with rows selected copies the one selected; several tokens in one clipboard is
    /// a footgun, so more than one is refused.
    fn copy_marked(&mut self, what: What) -> Vec<Effect> {
        let marked = self.marked_shown();
        match marked.as_slice() {
            [] => {}
            [one] => self.selected = Some((*one).to_owned()),
            _ => {
                self.warn("select one row to copy (Space unselects, * clears)");
                return Vec::new();
            }
        }
        self.copy_selected(what)
    }

    /// A click on the list (its header sorts, a row takes the cursor) or the wheel (moves
    /// the cursor a few rows). Only where the list has the keys.
    pub(super) fn mouse(&mut self, mouse: Mouse) -> Option<Vec<Effect>> {
        if !matches!(self.overlay, Overlay::None | Overlay::Filter) || self.rows.is_empty() {
            return None;
        }
        let step = SCROLL_CONTEXT.cast_signed();
        match mouse {
            Mouse::WheelDown => self.move_by(step),
            Mouse::WheelUp => self.move_by(-step),
            Mouse::Click { column, row } => {
                let top = self.header_rows();
                return self.click_in_list(column, row.checked_sub(top)?);
            }
        }
        Some(Vec::new())
    }

    /// `l`: the cursor's row, or with rows selected each of them in turn (one modal at a
    /// time; Esc cancels the rest).
    pub(super) fn start_login(&mut self) -> Vec<Effect> {
        if let Some(login) = self.login() {
            let text = format!("a login to {} is running: Esc cancels it", login.name);
            self.say(text);
            return Vec::new();
        }
        let marked: Vec<String> = self.marked_shown().into_iter().map(str::to_owned).collect();
        if !marked.is_empty() {
            self.login_queue = marked.into();
            return self.next_login();
        }
        let Some(index) = self.selected_position().map(|p| self.visible[p]) else {
            return Vec::new();
        };
        self.login_at(index)
    }

    /// The next queued login that can start (a row gone, busy or on client credentials is
    /// passed over); none left: nothing.
    pub(super) fn next_login(&mut self) -> Vec<Effect> {
        while let Some(name) = self.login_queue.pop_front() {
            let Some(index) = self.rows.iter().position(|r| r.name == name) else {
                continue;
            };
            let row = &self.rows[index];
            if row.connection.grant == Grant::ClientCredentials || row.busy() {
                continue;
            }
            self.selected = Some(name);
            return self.login_at(index);
        }
        Vec::new()
    }

    fn login_at(&mut self, index: usize) -> Vec<Effect> {
        let name = self.rows[index].name.clone();
        if self.rows[index].connection.grant == Grant::ClientCredentials {
            self.say(format!(
                "{name} uses client credentials: no login needed (r mints a new token)"
            ));
            return Vec::new();
        }
        if self.rows[index].state == ConnState::Refreshing {
            self.say(format!("{name} is refreshing: log in once it is done"));
            return Vec::new();
        }
        self.rows[index].state = ConnState::LoginRunning;
        self.overlay = Overlay::Login {
            login: LoginInFlight::new(&name, self.now),
            on_top: OnLogin::Nothing,
        };
        let queued = self.login_queue.len();
        if queued > 0 {
            self.say(format!(
                "logging in to {name}: finish in the browser ({queued} more after it; Esc cancels all)"
            ));
        } else {
            self.say(format!(
                "logging in to {name}: finish in the browser (Esc cancels)"
            ));
        }
        vec![Effect::Login(name)]
    }

    pub(super) fn quit(&mut self) -> Vec<Effect> {
        match &mut self.overlay {
            Overlay::Login {
                on_top: OnLogin::ConfirmQuit,
                ..
            } => vec![Effect::CancelLogin, Effect::Quit],
            Overlay::Login { login, on_top } => {
                let text = format!(
                    "a login to {} is running: q again quits and cancels it, any other key stays",
                    login.name
                );
                *on_top = OnLogin::ConfirmQuit;
                self.warn(text);
                Vec::new()
            }
            _ => vec![Effect::Quit],
        }
    }
}
