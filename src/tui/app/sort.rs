//! The sort: `s` cycles the key, `S` reverses, a click on a column header sorts by it (again:
//! reverses). Every change asks the runtime to remember it in the state dir, where the next
//! start reads it back. Part of [`App::update`], so pure like it.

use serde::{Deserialize, Serialize};

use super::{App, Effect, SortMode};

/// The sort as remembered in `tui-state.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortOrder {
    pub key: SortMode,
    #[serde(default)]
    pub reverse: bool,
}

impl Default for SortOrder {
    fn default() -> Self {
        Self {
            key: SortMode::Name,
            reverse: false,
        }
    }
}

impl App {
    pub fn sort_order(&self) -> SortOrder {
        SortOrder {
            key: self.sort,
            reverse: self.reverse,
        }
    }

    pub(super) fn cycle_sort(&mut self) -> Vec<Effect> {
        self.sort = self.sort.next();
        self.reverse = false;
        self.sorted()
    }

    pub(super) fn reverse_sort(&mut self) -> Vec<Effect> {
        self.reverse = !self.reverse;
        self.sorted()
    }

    pub(super) fn sort_by_column(&mut self, mode: SortMode) -> Vec<Effect> {
        if self.sort == mode {
            self.reverse = !self.reverse;
        } else {
            self.sort = mode;
            self.reverse = false;
        }
        self.sorted()
    }

    fn sorted(&mut self) -> Vec<Effect> {
        self.rebuild_view();
        let order = if self.reverse { ", reversed" } else { "" };
        self.say(format!("sorted by {}{order}", self.sort.label()));
        vec![Effect::SaveSort(self.sort_order())]
    }
}
