//! The list as shown: which rows pass the filter, in which order, which one the cursor is
//! on, which are marked (multi-select), how the cursor moves and the window scrolls. Part
//! of [`App::update`], so pure like it.

use std::ops::Range;

use super::{App, CHROME_HEIGHT, DETAIL_HEIGHT, Effect, SortMode};
use crate::tui::columns::Column;
use crate::tui::row::Row;

/// Rows kept visible above and below the cursor while it moves, where the list is tall
/// enough: the line scrolls before the cursor reaches the edge.
pub const SCROLL_CONTEXT: usize = 3;

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
        if self.reverse {
            visible.reverse();
        }
        self.visible = visible;
        if self.selected.is_none() {
            self.selected = self.visible.first().map(|&i| self.rows[i].name.clone());
        }
        // A connection that is gone is marked no more.
        let rows = &self.rows;
        self.marked
            .retain(|name| rows.iter().any(|r| r.name == *name));
    }

    /// Rows of the list on the current terminal (its table header left out); `None` before
    /// the runtime told the size, which it does before the first frame.
    pub fn list_rows(&self) -> Option<usize> {
        let (_, height) = self.size?;
        let detail = if self.detail { DETAIL_HEIGHT } else { 0 };
        let chrome = CHROME_HEIGHT - 1 + self.header_rows();
        Some(usize::from(height.saturating_sub(chrome + detail)).max(1))
    }

    /// Rows a page key moves by: the list's real height.
    pub(super) fn page(&self) -> usize {
        self.list_rows().unwrap_or(1)
    }

    /// Which of the visible rows a list `height` rows tall shows: from the scroll offset,
    /// moved only as far as needed to keep the cursor on screen (the view may be drawn
    /// at a height `update` was not told, as in a snapshot).
    pub fn window(&self, height: usize) -> Range<usize> {
        let height = height.max(1);
        let len = self.visible.len();
        let cursor = self.selected_position().unwrap_or(0);
        let top = self
            .scroll
            .min(cursor)
            .max((cursor + 1).saturating_sub(height))
            .min(len.saturating_sub(height));
        top..(top + height).min(len)
    }

    /// Moves the scroll offset so the cursor has [`SCROLL_CONTEXT`] rows around it (fewer on
    /// a short list), without scrolling past either end. Run after every change.
    pub(super) fn follow_cursor(&mut self) {
        let Some(height) = self.list_rows() else {
            return;
        };
        let len = self.visible.len();
        let cursor = self.selected_position().unwrap_or(0);
        let context = SCROLL_CONTEXT.min(height.saturating_sub(1) / 2);
        if cursor < self.scroll + context {
            self.scroll = cursor.saturating_sub(context);
        } else if cursor + context >= self.scroll + height {
            self.scroll = cursor + context + 1 - height;
        }
        self.scroll = self.scroll.min(len.saturating_sub(height));
    }

    /// `12/45`: the cursor's place among the rows shown.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.selected_position()
            .map(|p| (p + 1, self.visible.len()))
    }

    /// The marked rows the filter shows, in screen order: what `r`, `l`, `c` act on.
    pub fn marked_shown(&self) -> Vec<&str> {
        self.visible
            .iter()
            .map(|&i| self.rows[i].name.as_str())
            .filter(|name| self.marked.contains(*name))
            .collect()
    }

    pub fn is_marked(&self, name: &str) -> bool {
        self.marked.contains(name)
    }

    /// Space: marks the row under the cursor, or unmarks it.
    pub(super) fn toggle_mark(&mut self) {
        let Some(name) = self.selected_name().map(str::to_owned) else {
            return;
        };
        if !self.marked.remove(&name) {
            self.marked.insert(name);
        }
    }

    /// `*`: marks every row shown; when they all are already, unmarks them.
    pub(super) fn mark_all_shown(&mut self) {
        let shown: Vec<String> = self
            .visible
            .iter()
            .map(|&i| self.rows[i].name.clone())
            .collect();
        if !shown.is_empty() && shown.iter().all(|n| self.marked.contains(n)) {
            for name in &shown {
                self.marked.remove(name);
            }
            self.say("selection cleared");
        } else {
            self.marked.extend(shown);
            self.say(format!("{} selected", self.marked.len()));
        }
    }

    /// A click at `row` (0 is the list's first line, its table header) and `x` from the
    /// list's left edge: on the header, sorts by that column (again: reverses); on a row,
    /// puts the cursor there. `None`: nothing there.
    pub(super) fn click_in_list(&mut self, x: u16, row: u16) -> Option<Vec<Effect>> {
        let height = self.list_rows()?;
        if row == 0 {
            let width = self.size.map_or(0, |(w, _)| w);
            let height = u16::try_from(height + 1).unwrap_or(u16::MAX);
            let columns = crate::tui::columns::for_list(self, width, height);
            let mode = crate::tui::columns::at(&columns, x).and_then(Column::sort)?;
            return Some(self.sort_by_column(mode));
        }
        let window = self.window(height);
        let at = window.start + usize::from(row - 1);
        if at >= window.end {
            return None;
        }
        self.selected = Some(self.rows[self.visible[at]].name.clone());
        Some(Vec::new())
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
