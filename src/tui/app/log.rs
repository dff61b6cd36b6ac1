//! The message log and the toast rules: every toast is kept with its time (the last
//! [`LOG_LIMIT`]), `L` opens them, and an error on the toast line is not pushed off it by
//! news that is only good until its time is up. Part of [`App::update`], so pure like it.

use std::collections::VecDeque;

use jiff::Timestamp;

use super::{App, Overlay, TOAST_ERROR, TOAST_INFO, Toast};
use crate::tui::action::Action;

/// How many messages the log keeps; older ones fall off the top.
pub const LOG_LIMIT: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub at: Timestamp,
    pub text: String,
    pub error: bool,
}

/// The last [`LOG_LIMIT`] toasts, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageLog {
    entries: VecDeque<LogEntry>,
}

impl MessageLog {
    fn push(&mut self, entry: LogEntry) {
        if self.entries.len() == LOG_LIMIT {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogEntry> + ExactSizeIterator {
        self.entries.iter()
    }
}

impl App {
    pub fn log(&self) -> &MessageLog {
        &self.log
    }

    /// How far the help or the log is scrolled: help lines from its top, log entries from
    /// its newest.
    pub fn overlay_scroll(&self) -> usize {
        self.overlay_scroll
    }

    /// Says `text` on the toast line and keeps it in the log; an error still on the line
    /// keeps it until its time is up or a key is pressed (the news is in the log), so news
    /// from background work cannot hide a failure nobody has looked at. Returns whether the
    /// toast line shows it.
    pub(crate) fn say_shown(&mut self, text: impl Into<String>) -> bool {
        let text = text.into();
        self.keep(&text, false);
        if self
            .toast
            .as_ref()
            .is_some_and(|t| t.error && !t.seen && t.until > self.now)
        {
            return false;
        }
        self.show(text, false);
        true
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.say_shown(text);
    }

    pub(crate) fn warn(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.keep(&text, true);
        self.show(text, true);
    }

    /// The toast line without the log: the copy's countdown rewrites its toast each second.
    pub(super) fn show(&mut self, text: String, error: bool) {
        let lasts = if error { TOAST_ERROR } else { TOAST_INFO };
        self.toast = Some(Toast {
            text,
            error,
            until: self.now + lasts,
            copy_countdown: false,
            seen: false,
        });
    }

    /// A key was pressed: whatever the toast line shows has had its chance to be read.
    pub(super) fn toast_seen(&mut self) {
        if let Some(toast) = &mut self.toast {
            toast.seen = true;
        }
    }

    fn keep(&mut self, text: &str, error: bool) {
        self.log.push(LogEntry {
            at: self.now,
            text: text.to_owned(),
            error,
        });
    }

    pub(super) fn open_log(&mut self) {
        self.overlay_scroll = 0;
        self.overlay = Overlay::Log;
    }

    /// Keys while the log is open: the keymap's moves scroll it (newest at the bottom), Esc,
    /// `q` or its own key close it.
    pub(super) fn log_key(&mut self, action: Option<Action>, esc: bool) {
        if esc || matches!(action, Some(Action::Quit | Action::Log)) {
            self.overlay = Overlay::None;
            return;
        }
        let page = self.overlay_page();
        let last = self.log.len().saturating_sub(page);
        self.overlay_scroll = scrolled(self.overlay_scroll, action, page, last, true);
    }

    /// Lines an overlay that fills the screen shows: all rows but its two borders.
    pub(super) fn overlay_page(&self) -> usize {
        // Before the runtime has told the size there is no page to scroll by yet: one line.
        self.size.map_or(1, |(_, height)| {
            usize::from(height.saturating_sub(2)).max(1)
        })
    }
}

/// The scroll offset after a move, clamped to `0..=last`. `from_bottom`: the offset counts
/// up from the end (the log), so "down" lowers it.
pub(super) fn scrolled(
    offset: usize,
    action: Option<Action>,
    page: usize,
    last: usize,
    from_bottom: bool,
) -> usize {
    let down = |by: usize| {
        if from_bottom {
            offset.saturating_sub(by)
        } else {
            offset.saturating_add(by)
        }
    };
    let up = |by: usize| {
        if from_bottom {
            offset.saturating_add(by)
        } else {
            offset.saturating_sub(by)
        }
    };
    let (start, end) = if from_bottom { (last, 0) } else { (0, last) };
    let moved = match action {
        Some(Action::MoveDown) => down(1),
        Some(Action::MoveUp) => up(1),
        Some(Action::PageDown) => down(page),
        Some(Action::PageUp) => up(page),
        Some(Action::Top) => start,
        Some(Action::Bottom) => end,
        _ => offset,
    };
    moved.min(last)
}

impl App {
    /// The keymap's moves scroll the help; `false`: the key was no move (and closes it).
    pub(super) fn help_scrolled(&mut self, action: Option<Action>) -> bool {
        let moves = matches!(
            action,
            Some(
                Action::MoveDown
                    | Action::MoveUp
                    | Action::PageDown
                    | Action::PageUp
                    | Action::Top
                    | Action::Bottom
            )
        );
        if moves {
            let page = self.overlay_page();
            let last = crate::tui::view::help_lines().saturating_sub(page);
            self.overlay_scroll = scrolled(self.overlay_scroll, action, page, last, false);
        }
        moves
    }
}
