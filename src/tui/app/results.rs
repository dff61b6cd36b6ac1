//! What background work reports back: refresh results, vault reloads and the login's
//! progress. Part of [`App::update`], so pure like it.

use super::{App, Effect, OnLogin, Overlay};
use crate::tui::format;
use crate::tui::msg::{LoginDone, LoginUpdate, RefreshFailure};
use crate::tui::row::{ConnState, RowData, RowTokens, Snapshot};
use zdauth_core::config::Config;

impl App {
    pub(crate) fn refreshed(&mut self, name: &str, result: Result<RowTokens, RefreshFailure>) {
        let now = self.now;
        let in_batch = self.batch_result(name, result.as_ref().map(|_| ()));
        let Some(row) = self.row_mut(name) else {
            return;
        };
        match result {
            Ok(tokens) => {
                let left = format::countdown(tokens.expires_at, now);
                row.data.tokens = Some(tokens);
                row.data.last_refresh = Some(now);
                row.data.last_error = None;
                row.data.login_required = false;
                row.state = ConnState::Idle;
                if !in_batch {
                    self.say(format!("refreshed {name} — {left} left"));
                }
            }
            Err(failure) => {
                row.data.last_error = Some(failure.message.clone());
                let next = if failure.login_required {
                    row.data.login_required = true;
                    row.state = ConnState::LoginRequired;
                    "press l to log in"
                } else {
                    row.state = ConnState::Failed(failure.message.clone());
                    "r retries; Enter shows the whole error"
                };
                if !in_batch {
                    self.warn(format!(
                        "refresh of {name} failed: {} — {next}",
                        failure.message
                    ));
                }
            }
        }
        self.rebuild_view();
    }

    /// config.toml changed on disk: rows come and go with it, the ones that stay keep what
    /// they are doing. An open form keeps the values it opened with; its save merges.
    pub(crate) fn config_reloaded(&mut self, config: &Config, snapshot: Option<Snapshot>) {
        self.config_error = None;
        self.margin = config.settings.refresh_margin;
        self.keepalive = config.settings.keepalive;
        self.apply_config(config);
        if let Some(snapshot) = snapshot {
            self.reload(snapshot);
        }
    }

    pub(crate) fn reload(&mut self, mut snapshot: Snapshot) {
        for row in &mut self.rows {
            let data = snapshot.remove(&row.name).unwrap_or_default();
            if data == row.data {
                continue;
            }
            let same_pair = data.tokens == row.data.tokens;
            row.data = data;
            if row.busy() {
                continue;
            }
            row.state = if row.data.login_required {
                ConnState::LoginRequired
            } else if same_pair && matches!(row.state, ConnState::Failed(_)) {
                row.state.clone()
            } else {
                ConnState::Idle
            };
        }
        self.rebuild_view();
    }

    /// News of the running login; its end starts the next one queued by `l` on a selection.
    pub(crate) fn login_update(&mut self, name: &str, update: LoginUpdate) -> Vec<Effect> {
        let Overlay::Login { login, on_top } = &mut self.overlay else {
            return Vec::new();
        };
        if login.name != name {
            return Vec::new();
        }
        let now = self.now;
        match update {
            LoginUpdate::Url(url) => login.url = Some(url),
            LoginUpdate::Note(note) => {
                login.checking = false;
                login.note = Some(note);
            }
            LoginUpdate::Exchanging => {
                login.checking = false;
                login.exchanging = true;
            }
            LoginUpdate::Ssh { connection, user } => {
                self.login_tunnel(name, &connection, user.as_deref());
            }
            LoginUpdate::Finished(result) => {
                // The help stays open over the list; the quit question has nothing to ask.
                self.overlay = if *on_top == OnLogin::Help {
                    Overlay::Help
                } else {
                    Overlay::None
                };
                let Some(row) = self.row_mut(name) else {
                    return self.next_login();
                };
                match result {
                    Ok(LoginDone { tokens, email }) => {
                        let left = format::countdown(tokens.expires_at, now);
                        row.data = RowData {
                            tokens: Some(tokens),
                            email: email.or(row.data.email.take()),
                            ..RowData::default()
                        };
                        row.state = ConnState::Idle;
                        self.say(format!("logged in to {name} — {left} left"));
                        self.rebuild_view();
                        self.select_next_needing_login(name);
                    }
                    Err(message) => {
                        row.state = if row.data.login_required {
                            ConnState::LoginRequired
                        } else {
                            ConnState::Idle
                        };
                        self.warn(format!("login to {name} failed: {message} — l tries again"));
                    }
                }
                self.rebuild_view();
                return self.next_login();
            }
        }
        Vec::new()
    }
}
