//! Runs the App's effects on tokio tasks; each reports back with a Msg, never touching the
//! App itself.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::copier::Copier;
use crate::tui::{
    DeleteFailure, Deleted, Effect, LoginDone, LoginUpdate, Msg, RefreshFailure, RowTokens,
};
use zdauth_core::config::{Config, Connection};
use zdauth_core::error::Error;
use zdauth_core::login::{self, LoginEvent, LoginSettings};
use zdauth_core::manage;
use zdauth_core::refresh::{Refresher, Want};
use zdauth_core::secret::Secret;
use zdauth_core::throttle::{DEFAULT_JOBS, Throttle};

/// What a refresh or login of a name config.toml no longer has answers.
const GONE: &str = "the connection is no longer in config.toml";

pub struct Runner {
    refresher: Arc<Refresher>,
    sender: mpsc::UnboundedSender<Msg>,
    throttle: Throttle,
    /// Refreshes, copies, logins, saves and deletes in flight: quitting waits for them, since
    /// a refresh dropped between its POST and its save would lose the rotated refresh token.
    pub work: TaskTracker,
    pub login: Option<CancellationToken>,
    /// Where the login modal's pasted addresses go, while a login runs.
    login_paste: Option<mpsc::Sender<String>>,
    pub copier: Copier,
    connections: HashMap<String, Connection>,
}

impl Runner {
    pub fn new(
        refresher: Arc<Refresher>,
        config: &Config,
        sender: mpsc::UnboundedSender<Msg>,
    ) -> Self {
        let work = TaskTracker::new();
        let mut runner = Self {
            copier: Copier::new(config.settings.clone(), refresher.clone(), work.clone()),
            work,
            refresher,
            sender,
            // As many at once as `zdauth refresh --all`.
            throttle: Throttle::new(DEFAULT_JOBS),
            login: None,
            login_paste: None,
            connections: HashMap::new(),
        };
        runner.set_config(config);
        runner
    }

    /// After a save or delete: later effects act on the connections as they are now.
    pub fn set_config(&mut self, config: &Config) {
        self.copier.set_settings(config.settings.clone());
        self.connections = config
            .connections
            .iter()
            .map(|c| (c.name.clone(), c.clone()))
            .collect();
    }

    /// Starts the effect's work; returns whether it asks to quit.
    pub fn run(&mut self, effect: Effect) -> bool {
        match effect {
            Effect::Refresh(name) => self.refresh(name),
            Effect::Login(name) => self.login(name),
            Effect::CancelLogin => {
                self.login_paste = None;
                if let Some(login) = self.login.take() {
                    login.cancel();
                }
            }
            Effect::LoginPaste(pasted) => {
                // Full or gone: the login ended or has not read the last one; the modal's
                // next news says which.
                if let Some(lines) = &self.login_paste {
                    let _ = lines.try_send(pasted.expose().to_owned());
                }
            }
            Effect::SaveConnection {
                connection,
                secret,
                started_from,
            } => self.save(connection, secret, started_from),
            Effect::DeleteConnection { name, revoke } => self.delete(name, revoke),
            Effect::Copy { name, what } => {
                if let Some(connection) = self.connections.get(&name).cloned() {
                    self.copier.copy(connection, what, self.sender.clone());
                }
            }
            Effect::SaveSort(order) => {
                let path = super::state_file::path(self.refresher.vault().paths());
                self.work
                    .spawn_blocking(move || super::state_file::save(&path, order));
            }
            Effect::Quit => return true,
        }
        false
    }

    fn refresh(&self, name: String) {
        let Some(connection) = self.connections.get(&name).cloned() else {
            // Answered all the same: a row or a batch waiting for it must not wait forever.
            let _ = self.sender.send(Msg::Refreshed {
                name,
                result: Err(RefreshFailure {
                    login_required: false,
                    message: GONE.to_owned(),
                }),
            });
            return;
        };
        let refresher = self.refresher.clone();
        let sender = self.sender.clone();
        let throttle = self.throttle.clone();
        self.work.spawn(async move {
            let _slot = throttle.slot(&connection.subdomain).await;
            let result = match refresher.ensure(&connection, Want::Rotate).await {
                Ok(fresh) => Ok(RowTokens::from(&fresh.tokens)),
                Err(e) => Err(RefreshFailure {
                    login_required: matches!(e, Error::LoginRequired { .. }),
                    message: zdauth_core::text::display(&e.to_string()),
                }),
            };
            // The receiver is gone only when the TUI is quitting.
            let _ = sender.send(Msg::Refreshed { name, result });
        });
    }

    fn login(&mut self, name: String) {
        let Some(connection) = self.connections.get(&name).cloned() else {
            // Answered all the same, so that the modal closes and a chain of logins goes on.
            let _ = self.sender.send(Msg::Login {
                name,
                update: LoginUpdate::Finished(Err(GONE.to_owned())),
            });
            return;
        };
        let cancel = CancellationToken::new();
        self.login = Some(cancel.clone());
        let (lines, pasted) = mpsc::channel(4);
        self.login_paste = Some(lines);
        let refresher = self.refresher.clone();
        let sender = self.sender.clone();
        if let Some(ssh) = std::env::var("SSH_CONNECTION")
            .ok()
            .filter(|s| !s.is_empty())
        {
            let _ = sender.send(Msg::Login {
                name: name.clone(),
                update: LoginUpdate::Ssh {
                    connection: ssh,
                    user: std::env::var("USER").ok(),
                },
            });
        }
        self.work.spawn(async move {
            let report = |update: LoginUpdate| {
                let _ = sender.send(Msg::Login {
                    name: name.clone(),
                    update,
                });
            };
            let settings = LoginSettings {
                timeout: crate::tui::app::LOGIN_TIMEOUT,
                open_browser: true,
            };
            let result = login::login(
                refresher.vault(),
                refresher.client(),
                &connection,
                settings,
                Some(pasted),
                cancel,
                |event| match event {
                    LoginEvent::Url(url) => report(LoginUpdate::Url(url.to_owned())),
                    // The modal shows the URL above the note, whose text points up to it.
                    LoginEvent::BrowserFailed(e) => report(LoginUpdate::Note(e.to_string())),
                    LoginEvent::PasteRejected(e) => report(LoginUpdate::Note(e.to_string())),
                    LoginEvent::Exchanging => report(LoginUpdate::Exchanging),
                },
            )
            .await;
            let finished = result
                .map(|done| LoginDone {
                    tokens: RowTokens::from(&done.tokens),
                    email: done.user.map(|u| zdauth_core::text::display(&u.email)),
                })
                .map_err(|e| zdauth_core::text::display(&e.to_string()));
            report(LoginUpdate::Finished(finished));
        });
    }

    /// config.toml and the vault under the engine's locks, off the UI thread (a lock may wait).
    fn save(
        &self,
        connection: Connection,
        secret: Option<Secret>,
        started_from: Option<Box<Connection>>,
    ) {
        let vault = self.refresher.vault().clone();
        let sender = self.sender.clone();
        self.work.spawn(async move {
            let name = connection.name.clone();
            let result = tokio::task::spawn_blocking(move || match started_from {
                None => manage::add(vault.paths(), &connection, secret.map(|s| (&vault, s))),
                Some(started) => manage::update(&vault, &started, &connection, secret),
            })
            .await;
            let result = flatten(result);
            let _ = sender.send(Msg::Saved { name, result });
        });
    }

    /// Revokes first when asked: a failed revoke deletes nothing and keeps the tokens.
    fn delete(&self, name: String, revoke: bool) {
        let connection = self.connections.get(&name).cloned();
        let refresher = self.refresher.clone();
        let sender = self.sender.clone();
        self.work.spawn(async move {
            let result = async {
                let failed =
                    |revoked: bool| move |message: String| DeleteFailure { revoked, message };
                if revoke {
                    let connection = connection
                        .ok_or_else(|| Error::UnknownConnection(name.clone()).to_string())
                        .map_err(failed(false))?;
                    manage::revoke(&refresher, &connection)
                        .await
                        .map_err(|e| failed(false)(e.to_string()))?;
                }
                let vault = refresher.vault().clone();
                let removing = name.clone();
                let removed =
                    tokio::task::spawn_blocking(move || manage::remove(&vault, &removing)).await;
                flatten(removed)
                    .map(|removed| Deleted {
                        config: removed.config,
                        had_tokens: removed.had_tokens,
                        revoked: revoke,
                        vault_kept: removed.vault_kept.map(|e| e.to_string()),
                    })
                    .map_err(failed(revoke))
            }
            .await;
            let _ = sender.send(Msg::Deleted { name, result });
        });
    }
}

/// A blocking task's result as the message carries it: engine errors are free of secrets.
fn flatten<T>(joined: Result<Result<T, Error>, tokio::task::JoinError>) -> Result<T, String> {
    match joined {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(format!("the task stopped: {e}")),
    }
}
