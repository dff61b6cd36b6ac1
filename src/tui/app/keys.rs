//! Keys and what they ask for: the mode decides who gets a key, then the keymap's Action
//! does its work. Part of [`App::update`], so pure like it.

use crossterm::event::{KeyCode, KeyModifiers};

use super::{App, Effect, LoginInFlight, OnLogin, Overlay};
use crate::tui::action::Action;
use crate::tui::keymap::Key;
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
            self.say(format!("cancelling the login to {name}"));
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
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::Filter => self.overlay = Overlay::Filter,
            Action::Sort => {
                self.sort = self.sort.next();
                self.rebuild_view();
                self.say(format!("sorted by {}", self.sort.label()));
            }
            Action::ToggleDetail => {
                self.detail = !self.detail;
            }
            Action::Refresh => return self.refresh_selected(),
            Action::RefreshAll => return self.refresh_all(),
            Action::Login => return self.start_login(),
            Action::CopyToken => return self.copy_selected(What::Token),
            Action::CopyHeader => return self.copy_selected(What::Header),
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

    pub(super) fn start_login(&mut self) -> Vec<Effect> {
        if let Some(login) = self.login() {
            let text = format!("a login to {} is running: Esc cancels it", login.name);
            self.say(text);
            return Vec::new();
        }
        let Some(index) = self.selected_position().map(|p| self.visible[p]) else {
            return Vec::new();
        };
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
        self.say(format!(
            "logging in to {name}: finish in the browser (Esc cancels)"
        ));
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
