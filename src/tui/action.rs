//! What a key can ask for. Data, so a `[keys]` table in config.toml can map key strings to
//! these names (`j = "move_down"`).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    MoveDown,
    MoveUp,
    Top,
    Bottom,
    PageDown,
    PageUp,
    HalfPageDown,
    HalfPageUp,
    Filter,
    Sort,
    SortReverse,
    /// Marks the row under the cursor for `r`, `l`, `c` (or unmarks it).
    ToggleSelect,
    /// Marks every row shown (again: clears).
    SelectAll,
    ToggleDetail,
    Refresh,
    RefreshAll,
    Login,
    CopyToken,
    CopyHeader,
    Add,
    Edit,
    Delete,
    ToggleAutoRefresh,
    /// The message log.
    Log,
    Help,
    Quit,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: [Action; 26] = [
        Action::MoveDown,
        Action::MoveUp,
        Action::Top,
        Action::Bottom,
        Action::PageDown,
        Action::PageUp,
        Action::HalfPageDown,
        Action::HalfPageUp,
        Action::Filter,
        Action::Sort,
        Action::SortReverse,
        Action::ToggleSelect,
        Action::SelectAll,
        Action::ToggleDetail,
        Action::Refresh,
        Action::RefreshAll,
        Action::Login,
        Action::CopyToken,
        Action::CopyHeader,
        Action::Add,
        Action::Edit,
        Action::Delete,
        Action::ToggleAutoRefresh,
        Action::Log,
        Action::Help,
        Action::Quit,
    ];

    /// One line for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::MoveDown => "move down",
            Action::MoveUp => "move up",
            Action::Top => "first connection",
            Action::Bottom => "last connection",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::HalfPageDown => "half a page down",
            Action::HalfPageUp => "half a page up",
            Action::Filter => "filter by name/subdomain/user/tag, tag:prod exact (Esc clears)",
            Action::Sort => "sort: name, time left, state, refresh expiry; or click a title",
            Action::SortReverse => "reverse the sort",
            Action::ToggleSelect => "select the row for r, l, c (again: unselect)",
            Action::SelectAll => "select all shown (again: clear)",
            Action::ToggleDetail => "detail pane",
            Action::Refresh => "refresh the selected rows (or the one under the cursor)",
            Action::RefreshAll => "refresh all shown expiring or expired (or all)",
            Action::Login => "log in through the browser (selected: one after another)",
            Action::CopyToken => "copy the token (in a login: its URL)",
            Action::CopyHeader => "copy Authorization: Bearer <token>",
            Action::Add => "add a connection",
            Action::Edit => "edit the connection",
            Action::Delete => "delete the connection",
            Action::ToggleAutoRefresh => "auto-refresh on entering the margin",
            Action::Log => "every message so far, with its time (scrolls; Esc closes)",
            Action::Help => "this help",
            Action::Quit => "quit",
        }
    }

    /// A word or two for the footer.
    pub fn label(self) -> &'static str {
        match self {
            Action::MoveDown => "down",
            Action::MoveUp => "up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::HalfPageDown => "half down",
            Action::HalfPageUp => "half up",
            Action::Filter => "filter",
            Action::Sort => "sort",
            Action::SortReverse => "reverse",
            Action::ToggleSelect => "select",
            Action::SelectAll => "select all",
            Action::ToggleDetail => "detail",
            Action::Refresh => "refresh",
            Action::RefreshAll => "refresh all",
            Action::Login => "login",
            Action::CopyToken => "copy",
            Action::CopyHeader => "copy header",
            Action::Add => "add",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::ToggleAutoRefresh => "auto",
            Action::Log => "log",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case() {
        #[derive(Deserialize)]
        struct Keys {
            keys: std::collections::BTreeMap<String, Action>,
        }
        let parsed: Keys = toml::from_str(
            "[keys]\nj = \"move_down\"\nR = \"refresh_all\"\nA = \"toggle_auto_refresh\"",
        )
        .unwrap();
        assert_eq!(parsed.keys["j"], Action::MoveDown);
        assert_eq!(parsed.keys["R"], Action::RefreshAll);
        assert_eq!(parsed.keys["A"], Action::ToggleAutoRefresh);
        assert!(toml::from_str::<Keys>("[keys]\nj = \"moveDown\"").is_err());
    }
}
