//! Refreshing many rows at once (`R`, or `r` on a selection): the rows' own toasts would
//! scroll past one another, so the batch keeps count and ends with ONE summary, failures
//! named: `refreshed 41, 1 failed (acme: login required)`. `R` over more than
//! [`CONFIRM_OVER`] rows asks first. Part of [`App::update`], so pure like it.

use std::collections::BTreeSet;

use super::{App, Effect, Overlay, plural};
use crate::tui::msg::RefreshFailure;
use crate::tui::row::ConnState;

/// `R` asks (y/N) before refreshing more rows than this at once.
pub const CONFIRM_OVER: usize = 10;
/// Failures named in the summary; the rest are counted.
const NAMED_FAILURES: usize = 3;

#[derive(Debug, Default)]
pub(crate) struct Batch {
    pending: BTreeSet<String>,
    ok: usize,
    failed: Vec<(String, String)>,
}

impl App {
    /// Starts refreshing `names` (rows that can be and are idle) as one batch: a batch
    /// already running takes them on, so its summary covers both.
    pub(super) fn start_batch(&mut self, names: Vec<String>) -> Vec<Effect> {
        for name in &names {
            if let Some(row) = self.row_mut(name) {
                row.state = ConnState::Refreshing;
            }
        }
        let batch = self.batch.get_or_insert_with(Batch::default);
        batch.pending.extend(names.iter().cloned());
        self.say(format!("refreshing {}…", plural(names.len(), "connection")));
        names.into_iter().map(Effect::Refresh).collect()
    }

    /// `R` found `names` to refresh: more than [`CONFIRM_OVER`] asks first.
    pub(super) fn refresh_many(&mut self, names: Vec<String>) -> Vec<Effect> {
        if names.len() > CONFIRM_OVER {
            self.overlay = Overlay::ConfirmRefresh(names);
            return Vec::new();
        }
        self.start_batch(names)
    }

    /// The answer to "refresh N connections? (y/N)": only `y` starts them.
    pub(super) fn confirm_refresh_key(&mut self, yes: bool) -> Vec<Effect> {
        let Overlay::ConfirmRefresh(names) = std::mem::take(&mut self.overlay) else {
            return Vec::new();
        };
        if !yes {
            self.say("nothing refreshed");
            return Vec::new();
        }
        // Rows may have started or gone while the question was open.
        let (now, margin) = (self.now, self.margin);
        let names: Vec<String> = names
            .into_iter()
            .filter(|n| {
                self.rows
                    .iter()
                    .any(|r| r.name == *n && !r.busy() && r.refreshable(now, margin))
            })
            .collect();
        if names.is_empty() {
            self.say("nothing to refresh");
            return Vec::new();
        }
        self.start_batch(names)
    }

    /// Counts a result that belongs to the batch; `true` when it did, so the row's own
    /// toast is left to the summary. The last one in says the summary.
    pub(super) fn batch_result(&mut self, name: &str, result: Result<(), &RefreshFailure>) -> bool {
        let Some(batch) = self.batch.as_mut() else {
            return false;
        };
        if !batch.pending.remove(name) {
            return false;
        }
        match result {
            Ok(()) => batch.ok += 1,
            Err(failure) => {
                let why = if failure.login_required {
                    "login required".to_owned()
                } else {
                    failure.message.clone()
                };
                batch.failed.push((name.to_owned(), why));
            }
        }
        if batch.pending.is_empty()
            && let Some(done) = self.batch.take()
        {
            let text = summary(done.ok, &done.failed);
            if done.failed.is_empty() {
                self.say(text);
            } else {
                self.warn(text);
            }
        }
        true
    }
}

/// `refreshed 41, 1 failed (acme: login required)`.
pub(crate) fn summary(ok: usize, failed: &[(String, String)]) -> String {
    summary_of("refreshed", ok, failed)
}

/// `{done} 41, 1 failed (acme: …)`: a few failures named, the rest counted.
pub(crate) fn summary_of(done: &str, ok: usize, failed: &[(String, String)]) -> String {
    let text = format!("{done} {ok}");
    if failed.is_empty() {
        return text;
    }
    let named: Vec<String> = failed
        .iter()
        .take(NAMED_FAILURES)
        .map(|(name, why)| format!("{name}: {why}"))
        .collect();
    let more = failed.len().saturating_sub(NAMED_FAILURES);
    let more = if more > 0 {
        format!("; {more} more")
    } else {
        String::new()
    };
    format!(
        "{text}, {} failed ({}{more})",
        failed.len(),
        named.join("; ")
    )
}
