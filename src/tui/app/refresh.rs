//! `r`, `R` and auto-refresh: which rows to refresh, each marked refreshing until its
//! result comes back. Part of [`App::update`], so pure like it.

use super::{App, Effect};
use crate::tui::row::{ConnState, Shown};
use zdauth_core::status::TokenStatus;

impl App {
    /// `r`: the marked rows the filter shows when any is marked, else the cursor's row.
    pub(super) fn refresh_selected(&mut self) -> Vec<Effect> {
        let marked = self.marked_shown();
        if !marked.is_empty() {
            let (now, margin) = (self.now, self.margin);
            let (ready, skipped): (Vec<&str>, Vec<&str>) = marked.into_iter().partition(|n| {
                self.rows
                    .iter()
                    .any(|r| r.name == *n && !r.busy() && r.refreshable(now, margin))
            });
            let ready: Vec<String> = ready.into_iter().map(str::to_owned).collect();
            let skipped = skipped.len();
            if ready.is_empty() {
                self.warn(format!(
                    "none of the {skipped} selected can refresh now (busy, or a login is needed)"
                ));
                return Vec::new();
            }
            let effects = self.start_batch(ready);
            if skipped > 0 {
                let text = self
                    .toast
                    .as_ref()
                    .map(|t| t.text.clone())
                    .unwrap_or_default();
                self.say(format!(
                    "{text} ({skipped} skipped: busy or a login is needed)"
                ));
            }
            return effects;
        }
        self.refresh_cursor_row()
    }

    fn refresh_cursor_row(&mut self) -> Vec<Effect> {
        let Some(index) = self.selected_position().map(|p| self.visible[p]) else {
            return Vec::new();
        };
        let (now, margin) = (self.now, self.margin);
        let row = &self.rows[index];
        let name = row.name.clone();
        match &row.state {
            ConnState::Refreshing => self.say(format!("{name} is already refreshing")),
            ConnState::LoginRunning => self.say(format!("{name} is logging in")),
            _ if !row.refreshable(now, margin) => {
                if row.shown(now, margin) == Shown::NoSecret {
                    self.warn(format!(
                        "{name} has no client secret stored: press e to store it"
                    ));
                } else {
                    self.warn(format!("{name} needs a login: press l"));
                }
            }
            _ => {
                self.rows[index].state = ConnState::Refreshing;
                return vec![Effect::Refresh(name)];
            }
        }
        Vec::new()
    }

    /// The visible rows that are expiring or expired; when none is, every visible row that
    /// can be refreshed. Rows already refreshing are never started twice.
    pub(super) fn refresh_all(&mut self) -> Vec<Effect> {
        let (now, margin) = (self.now, self.margin);
        let refreshable: Vec<usize> = self
            .visible
            .iter()
            .copied()
            .filter(|&i| self.rows[i].refreshable(now, margin))
            .collect();
        let is_due = |i: &usize| {
            matches!(
                self.rows[*i].token_status(now, margin),
                TokenStatus::Expiring | TokenStatus::Expired
            )
        };
        // Due rows already refreshing still count as due: a second `R` must not widen to all.
        let any_due = refreshable.iter().any(is_due);
        let idle = refreshable.into_iter().filter(|&i| !self.rows[i].busy());
        let targets: Vec<usize> = if any_due {
            idle.filter(is_due).collect()
        } else {
            idle.collect()
        };
        if targets.is_empty() {
            self.say("nothing to refresh");
            return Vec::new();
        }
        let names: Vec<String> = targets.iter().map(|&i| self.rows[i].name.clone()).collect();
        self.refresh_many(names)
    }

    /// Rows that entered the margin (or expired) since auto-refresh last looked, once per pair.
    pub(super) fn auto_refresh_due(&mut self) -> Vec<Effect> {
        if !self.auto_refresh {
            return Vec::new();
        }
        let (now, margin) = (self.now, self.margin);
        let mut names = Vec::new();
        for row in &mut self.rows {
            let due = matches!(
                row.token_status(now, margin),
                TokenStatus::Expiring | TokenStatus::Expired
            );
            let already = row.auto_fired_for == Some(row.expires_at());
            if due && !already && !row.busy() && row.refreshable(now, margin) {
                row.auto_fired_for = Some(row.expires_at());
                row.state = ConnState::Refreshing;
                names.push(row.name.clone());
            }
        }
        names.into_iter().map(Effect::Refresh).collect()
    }
}
