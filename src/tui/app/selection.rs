//! The list as shown: which rows pass the filter, in which order, which one is selected,
//! and how the selection moves. Part of [`App::update`], so pure like it.

use super::{App, CHROME_HEIGHT, DETAIL_HEIGHT, SortMode};
use crate::tui::row::Row;

impl App {
    /// Position of the selection among the visible rows.
    pub fn selected_position(&self) -> Option<usize> {
        if self.visible.is_empty() {
            return None;
        }
        let by_name = self.selected.as_ref().and_then(|name| {
            self.visible
                .iter()
                .position(|&i| self.rows[i].name == *name)
        });
        Some(by_name.unwrap_or(0))
    }

    pub fn selected_name(&self) -> Option<&str> {
        self.selected_row().map(|r| r.name.as_str())
    }

    pub(crate) fn selected_row(&self) -> Option<&Row> {
        self.selected_position()
            .map(|p| &self.rows[self.visible[p]])
    }

    /// Filters and sorts; the selection follows its name.
    pub(crate) fn rebuild_view(&mut self) {
        let needle = self.filter.to_lowercase();
        let (now, margin) = (self.now, self.margin);
        let mut visible: Vec<usize> = (0..self.rows.len())
            .filter(|&i| self.rows[i].matches(&needle))
            .collect();
        let rows = &self.rows;
        match self.sort {
            SortMode::Name => visible.sort_by(|&a, &b| rows[a].name.cmp(&rows[b].name)),
            SortMode::TimeLeft => visible.sort_by(|&a, &b| {
                // No token at all sorts last: it has no time to run out.
                let key = |i: usize| (rows[i].expires_at().is_none(), rows[i].expires_at());
                key(a).cmp(&key(b)).then(rows[a].name.cmp(&rows[b].name))
            }),
            SortMode::State => visible.sort_by(|&a, &b| {
                rows[a]
                    .shown(now, margin)
                    .cmp(&rows[b].shown(now, margin))
                    .then(rows[a].name.cmp(&rows[b].name))
            }),
            SortMode::RefreshLeft => visible.sort_by(|&a, &b| {
                // Unknown last: no refresh token, or its expiry was never told.
                let key = |i: usize| {
                    let at = rows[i].refresh_expires_at();
                    (at.is_none(), at)
                };
                key(a).cmp(&key(b)).then(rows[a].name.cmp(&rows[b].name))
            }),
        }
        self.visible = visible;
        if self.selected.is_none() {
            self.selected = self.visible.first().map(|&i| self.rows[i].name.clone());
        }
    }

    /// Rows a page key moves by: the list's height on the current terminal.
    pub(super) fn page(&self) -> usize {
        let detail = if self.detail { DETAIL_HEIGHT } else { 0 };
        let chrome = CHROME_HEIGHT - 1 + self.header_rows();
        usize::from(self.size.1.saturating_sub(chrome + detail)).max(1)
    }

    pub(super) fn move_by(&mut self, delta: isize) {
        let Some(current) = self.selected_position() else {
            return;
        };
        let last = self.visible.len() - 1;
        let target = current.saturating_add_signed(delta).min(last);
        let name = self.rows[self.visible[target]].name.clone();
        if self.selected.as_deref() != Some(&name) {
            self.selected = Some(name);
        }
    }
}
