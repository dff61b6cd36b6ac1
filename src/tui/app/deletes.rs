//! `d` on a selection of several rows: ONE question for all of them (the count and the first
//! names), then the deletes one after another through the same `Effect::DeleteConnection` as
//! a single delete, a failure not stopping the rest, and ONE summary at the end, kept in the
//! log: `deleted 11, 1 failed (acme: …)`. Part of [`App::update`], so pure like it.

use std::collections::VecDeque;

use super::batch::summary_of;
use super::{App, Deleting, Effect, Overlay, plural};
use crate::tui::msg::{DeleteFailure, Deleted};

/// Names the question shows; the rest are counted.
const NAMED_IN_QUESTION: usize = 3;

/// The deletes of a selection still to run, and what the ones run so far came to.
#[derive(Debug, Default)]
pub(crate) struct DeleteChain {
    queue: VecDeque<String>,
    /// The choice made: revoke at Zendesk first (for the rows that hold a token).
    revoke: bool,
    ok: usize,
    failed: Vec<(String, String)>,
}

/// `delete 12 connections: acme, globex, initech and 9 more?`
pub fn question(names: &[String]) -> String {
    let first: Vec<&str> = names
        .iter()
        .take(NAMED_IN_QUESTION)
        .map(String::as_str)
        .collect();
    let more = names.len().saturating_sub(NAMED_IN_QUESTION);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "delete {}: {}{more}?",
        plural(names.len(), "connection"),
        first.join(", ")
    )
}

impl App {
    /// `d` with several rows marked: asks once for all of them. A busy one (refreshing,
    /// logging in) holds the question back, as it does for one row.
    pub(super) fn ask_delete_many(&mut self, names: Vec<String>) {
        let busy: Vec<&str> = names
            .iter()
            .filter(|n| self.rows.iter().any(|r| r.name == **n && r.busy()))
            .map(String::as_str)
            .collect();
        if let [first, ..] = busy.as_slice() {
            let text = format!(
                "{first} is busy: delete the selection once its refresh or login ends (Space unmarks it)"
            );
            return self.say(text);
        }
        let has_tokens = names.iter().any(|n| {
            self.rows
                .iter()
                .any(|r| r.name == *n && r.data.tokens.is_some())
        });
        self.overlay = Overlay::Delete(Deleting {
            name: names[0].clone(),
            has_tokens,
            running: None,
            many: names,
            done: 0,
        });
    }

    /// The answer to the question about a selection: the deletes start, one at a time.
    pub(super) fn start_deletes(&mut self, revoke: bool) -> Vec<Effect> {
        let Overlay::Delete(deleting) = &mut self.overlay else {
            return Vec::new();
        };
        deleting.running = Some(revoke);
        let names = deleting.many.clone();
        self.say(if revoke {
            format!(
                "revoking at Zendesk and deleting {}…",
                plural(names.len(), "connection")
            )
        } else {
            format!("deleting {}…", plural(names.len(), "connection"))
        });
        self.deletes = Some(DeleteChain {
            queue: names.into(),
            revoke,
            ..DeleteChain::default()
        });
        self.next_delete()
    }

    /// The next delete of the chain (a row gone or busy meanwhile is counted as failed and
    /// passed over); none left: the dialog closes with the summary.
    fn next_delete(&mut self) -> Vec<Effect> {
        let Some(chain) = self.deletes.as_mut() else {
            return Vec::new();
        };
        while let Some(name) = chain.queue.pop_front() {
            let why = match self.rows.iter().find(|r| r.name == name) {
                None => "no longer in config.toml",
                Some(row) if row.busy() => "busy: a refresh or login was running",
                Some(row) => {
                    let revoke = chain.revoke && row.data.tokens.is_some();
                    if let Overlay::Delete(deleting) = &mut self.overlay {
                        deleting.name.clone_from(&name);
                        deleting.running = Some(revoke);
                    }
                    return vec![Effect::DeleteConnection { name, revoke }];
                }
            };
            chain.failed.push((name, why.to_owned()));
            if let Overlay::Delete(deleting) = &mut self.overlay {
                deleting.done += 1;
            }
        }
        let Some(chain) = self.deletes.take() else {
            return Vec::new();
        };
        self.overlay = Overlay::None;
        let text = summary_of("deleted", chain.ok, &chain.failed);
        if chain.failed.is_empty() {
            self.say(text);
        } else {
            self.warn(text);
        }
        Vec::new()
    }

    /// Whether a delete's result belongs to the chain: the one it is waiting for.
    pub(super) fn in_delete_chain(&self, name: &str) -> bool {
        self.deletes.is_some()
            && matches!(&self.overlay, Overlay::Delete(d) if d.name == name && !d.many.is_empty())
    }

    /// One of the chain's deletes came back: counted (no toast of its own), then the next.
    pub(super) fn deleted_in_chain(
        &mut self,
        name: &str,
        result: Result<Deleted, DeleteFailure>,
    ) -> Vec<Effect> {
        let revoke = matches!(
            self.overlay,
            Overlay::Delete(Deleting {
                running: Some(true),
                ..
            })
        );
        if let Overlay::Delete(deleting) = &mut self.overlay {
            deleting.done += 1;
        }
        let failure = match result {
            Ok(deleted) => {
                self.apply_config(&deleted.config);
                self.marked.remove(name);
                deleted.vault_kept.map(|message| {
                    format!(
                        "gone from config.toml, but its tokens stay in vault.age (`zdauth remove {name}` deletes them): {message}"
                    )
                })
            }
            Err(DeleteFailure {
                revoked: true,
                message,
            }) => Some(format!(
                "revoked at Zendesk, but deleting it here failed: {message}"
            )),
            Err(DeleteFailure { message, .. }) if revoke => Some(format!(
                "revoking failed, nothing deleted, tokens kept: {message}"
            )),
            Err(DeleteFailure { message, .. }) => Some(message),
        };
        if let Some(chain) = self.deletes.as_mut() {
            match failure {
                Some(why) => chain.failed.push((name.to_owned(), why)),
                None => chain.ok += 1,
            }
        }
        self.next_delete()
    }
}
