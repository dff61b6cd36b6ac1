//! The loop's side of copying: the refresh-first text, the copy itself off the async threads,
//! the one pending clear (a newer copy supersedes it: the clipboard holds one thing), and the
//! clear on quitting.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;

use crate::tui::{CopyDone, CopyWhat, Msg};
use zdauth_core::clipboard::{self, Copied, Surroundings};
use zdauth_core::config::{Connection, Settings};
use zdauth_core::refresh::Refresher;
use zdauth_core::secret::Secret;

pub(super) struct Copier {
    settings: Settings,
    refresher: Arc<Refresher>,
    /// The copy may refresh first: quitting waits for it like for any refresh.
    work: TaskTracker,
    pending: Arc<Mutex<Option<Pending>>>,
    next_id: u64,
}

struct Pending {
    id: u64,
    copied: Copied,
}

impl Copier {
    pub(super) fn new(settings: Settings, refresher: Arc<Refresher>, work: TaskTracker) -> Self {
        Self {
            settings,
            refresher,
            work,
            pending: Arc::new(Mutex::new(None)),
            next_id: 0,
        }
    }

    /// After a save: later copies follow the settings as they are now.
    pub(super) fn set_settings(&mut self, settings: Settings) {
        self.settings = settings;
    }

    pub(super) fn copy(
        &mut self,
        connection: Connection,
        what: CopyWhat,
        sender: mpsc::UnboundedSender<Msg>,
    ) {
        self.next_id += 1;
        let id = self.next_id;
        let settings = self.settings.clone();
        let refresher = self.refresher.clone();
        let pending = self.pending.clone();
        self.work.spawn(async move {
            let name = connection.name.clone();
            let described = what.describe();
            let text = match what {
                CopyWhat::LoginUrl(url) => Ok(Secret::new(url)),
                CopyWhat::Token(w) => {
                    let margin = settings.refresh_margin;
                    zdauth_core::refresh::fresh_text(&refresher, &connection, margin, w)
                        .await
                        .map_err(|e| e.to_string())
                }
            };
            let clear = settings.clipboard_clear;
            let copied = match text {
                Ok(text) => {
                    let pending = pending.clone();
                    tokio::task::spawn_blocking(move || {
                        // The copy and its pending clear under one lock: the last copy to
                        // reach the clipboard is the one whose clear is pending, so a
                        // quicker second `c` cannot leave its token behind uncleared.
                        let mut slot = pending.lock().expect("not poisoned");
                        let copied = clipboard::copy(&settings, &Surroundings::from_env(), text)
                            .map_err(|e| e.to_string())?;
                        let placed = (copied.place(), copied.note.clone());
                        // Replaces (and so drops) an older copy's pending clear.
                        *slot = Some(Pending { id, copied });
                        Ok(placed)
                    })
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r)
                }
                Err(message) => Err(message),
            };
            let (place, note) = match copied {
                Ok(placed) => placed,
                Err(message) => {
                    let _ = sender.send(Msg::Copied {
                        name,
                        result: Err(message),
                    });
                    return;
                }
            };
            let done = CopyDone {
                what: described,
                place,
                clears_in: (!clear.is_zero()).then_some(clear),
                note,
            };
            let _ = sender.send(Msg::Copied {
                name: name.clone(),
                result: Ok(done),
            });
            if clear.is_zero() {
                return;
            }
            // Not part of the tracked work: quitting clears the pending copy itself rather
            // than waiting out the delay.
            tokio::spawn(async move {
                tokio::time::sleep(clear).await;
                let mine = {
                    let mut slot = pending.lock().expect("not poisoned");
                    match slot.as_ref() {
                        Some(p) if p.id == id => slot.take(),
                        _ => None,
                    }
                };
                let Some(Pending { mut copied, .. }) = mine else {
                    return;
                };
                let outcome = tokio::task::spawn_blocking(move || copied.clear_if_ours())
                    .await
                    .unwrap_or_else(|e| clipboard::ClearOutcome::Failed(e.to_string()));
                let _ = sender.send(Msg::CopyCleared {
                    name,
                    what: described,
                    outcome,
                });
            });
        });
    }

    /// On quitting: the pending copy is cleared now rather than left behind.
    pub(super) async fn clear_now(&self) {
        if self.settings.clipboard_clear.is_zero() {
            return;
        }
        let Some(Pending { mut copied, .. }) = self.pending.lock().expect("not poisoned").take()
        else {
            return;
        };
        // Bounded: a hung clipboard tool must not hold the terminal hostage.
        let clear = tokio::task::spawn_blocking(move || copied.clear_if_ours());
        let _ = tokio::time::timeout(Duration::from_secs(5), clear).await;
    }
}
