//! `a`, `e` and `d`: the form and the delete dialog, their keys and their results. Part of
//! [`App::update`], so pure like it: the writes are Effects the loop runs.

use std::collections::HashMap;

use crossterm::event::KeyCode;

use super::{App, Deleting, Effect, Overlay};
use super::{DELETE_AND_REVOKE, DELETE_HERE_ONLY, KEEP};
use crate::tui::form::{ConnectionForm, FormStep};
use crate::tui::keymap::Key;
use crate::tui::msg::{DeleteFailure, Deleted};
use crate::tui::row::{Row, RowData};
use zdauth_core::config::Config;

impl App {
    /// Opens the empty add form (also what the welcome screen's "add" leads to).
    pub fn open_add(&mut self) {
        let taken = self.rows.iter().map(|r| r.name.clone()).collect();
        let form = ConnectionForm::add_with(taken, &self.options.add_defaults);
        self.overlay = Overlay::Form(Box::new(form));
    }

    pub(crate) fn open_edit(&mut self) {
        let Some(row) = self.selected_row() else {
            return self.say("nothing to edit: a adds a connection");
        };
        self.overlay = Overlay::Form(Box::new(ConnectionForm::edit(&row.connection)));
    }

    /// `d`: the cursor's row, or with rows marked all of them, asked about once.
    pub(crate) fn ask_delete(&mut self) {
        let marked: Vec<String> = self.marked_shown().into_iter().map(str::to_owned).collect();
        match marked.as_slice() {
            [] => {}
            [one] => self.selected = Some(one.clone()),
            _ => return self.ask_delete_many(marked),
        }
        let Some(row) = self.selected_row() else {
            return self.say("nothing to delete");
        };
        if row.busy() {
            let text = format!(
                "{} is busy: delete it once its refresh or login ends",
                row.name
            );
            return self.say(text);
        }
        self.overlay = Overlay::Delete(Deleting::one(&row.name, row.data.tokens.is_some()));
    }

    pub(crate) fn form_key(&mut self, key: Key) -> Vec<Effect> {
        let Overlay::Form(form) = &mut self.overlay else {
            return Vec::new();
        };
        let started_from = form.editing.clone().map(Box::new);
        let adding = started_from.is_none();
        let step = form.key(key);
        match step {
            FormStep::Stay => Vec::new(),
            FormStep::Cancel => {
                self.overlay = Overlay::None;
                self.say(if adding {
                    "nothing added"
                } else {
                    "nothing changed"
                });
                Vec::new()
            }
            FormStep::Submit { connection, secret } => vec![Effect::SaveConnection {
                connection,
                secret,
                started_from,
            }],
        }
    }

    pub(crate) fn delete_key(&mut self, key: Key) -> Vec<Effect> {
        let Overlay::Delete(deleting) = &mut self.overlay else {
            return Vec::new();
        };
        if deleting.running.is_some() {
            return Vec::new();
        }
        let revoke = match key.code {
            KeyCode::Char(DELETE_AND_REVOKE) if key.mods.is_empty() => deleting.has_tokens,
            KeyCode::Char(DELETE_HERE_ONLY) if key.mods.is_empty() => false,
            KeyCode::Char(KEEP) | KeyCode::Esc => {
                let text = match deleting.many.len() {
                    0 => format!("kept {}", deleting.name),
                    n => format!("kept all {n}"),
                };
                self.overlay = Overlay::None;
                self.say(text);
                return Vec::new();
            }
            _ => return Vec::new(),
        };
        if !deleting.many.is_empty() {
            return self.start_deletes(revoke);
        }
        deleting.running = Some(revoke);
        let name = deleting.name.clone();
        self.say(if revoke {
            format!("revoking {name}'s token at Zendesk…")
        } else {
            format!("deleting {name}…")
        });
        vec![Effect::DeleteConnection { name, revoke }]
    }

    pub(crate) fn saved(&mut self, name: &str, result: Result<Config, String>) {
        let Overlay::Form(form) = &mut self.overlay else {
            return;
        };
        let adding = form.editing.is_none();
        let old_redirect = form
            .editing
            .as_ref()
            .map(zdauth_core::config::Connection::redirect_uri);
        match result {
            Err(message) => {
                form.failed(message);
            }
            Ok(config) => {
                self.overlay = Overlay::None;
                self.apply_config(&config);
                self.selected = Some(name.to_owned());
                let redirect = config
                    .connection(name)
                    .map(zdauth_core::config::Connection::redirect_uri)
                    .unwrap_or_default();
                self.say(if adding {
                    format!("added {name}: register {redirect} in Zendesk, then press l to log in")
                } else if old_redirect.as_ref() != Some(&redirect) {
                    format!("saved {name}: register its new redirect URI {redirect} in Zendesk")
                } else {
                    format!("saved {name}")
                });
            }
        }
    }

    /// A delete's result; one of a selection's asks for the next.
    pub(crate) fn deleted(
        &mut self,
        name: &str,
        result: Result<Deleted, DeleteFailure>,
    ) -> Vec<Effect> {
        if self.in_delete_chain(name) {
            return self.deleted_in_chain(name, result);
        }
        let revoke = matches!(
            self.overlay,
            Overlay::Delete(Deleting {
                running: Some(true),
                ..
            })
        );
        if let Overlay::Delete(_) = self.overlay {
            self.overlay = Overlay::None;
        }
        match result {
            Ok(Deleted {
                config,
                vault_kept: Some(message),
                ..
            }) => {
                self.apply_config(&config);
                self.warn(format!(
                    "deleted {name} from config.toml, but its tokens stay in vault.age (`zdauth remove {name}` deletes them): {message}"
                ));
            }
            Ok(deleted) => {
                self.apply_config(&deleted.config);
                self.say(match (deleted.revoked, deleted.had_tokens) {
                    (true, _) => format!("deleted {name} and revoked its token at Zendesk"),
                    (false, true) => format!(
                        "deleted {name}; its tokens stay valid at Zendesk until they expire"
                    ),
                    (false, false) => format!("deleted {name}"),
                });
            }
            // The next step first: a long error is cut at the screen's edge.
            Err(DeleteFailure {
                revoked: true,
                message,
            }) => self.warn(format!(
                "revoked {name} at Zendesk, but deleting it here failed (d then {DELETE_HERE_ONLY} tries again): {message}"
            )),
            Err(DeleteFailure { message, .. }) if revoke => self.warn(format!(
                "revoking {name} failed, nothing deleted, tokens kept (d then {DELETE_HERE_ONLY} deletes it here only): {message}"
            )),
            Err(DeleteFailure { message, .. }) => {
                self.warn(format!("deleting {name} failed (d tries again): {message}"));
            }
        }
        Vec::new()
    }

    /// Rows follow the config; the ones that stay keep their tokens and what they are doing.
    pub(super) fn apply_config(&mut self, config: &Config) {
        let mut old: HashMap<String, Row> =
            self.rows.drain(..).map(|r| (r.name.clone(), r)).collect();
        self.rows = config
            .connections
            .iter()
            .map(|c| match old.remove(&c.name) {
                Some(row) => Row {
                    state: row.state,
                    auto_fired_for: row.auto_fired_for,
                    ..Row::new(c, row.data)
                },
                None => Row::new(c, RowData::default()),
            })
            .collect();
        self.rebuild_view();
    }
}
