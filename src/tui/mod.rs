//! The TUI's pure core: state, messages, keys and screens. Nothing here does terminal I/O,
//! reads the clock or touches the network: the event loop feeds [`Msg`]s to
//! [`App::update`], runs the [`Effect`]s it returns, and draws [`App`] with [`view::draw`].

pub mod action;
pub mod app;
pub mod effect;
pub mod field;
pub mod first_run;
pub mod form;
pub mod format;
pub mod keymap;
pub mod msg;
pub mod row;
pub mod runtime;
pub mod unlock;
pub mod view;

#[cfg(test)]
mod testdata;

pub use action::Action;
pub use app::{App, Options, SortMode};
pub use effect::{CopyWhat, Effect};
pub use keymap::{Key, KeyParseError, Keymap};
pub use msg::{CopyDone, DeleteFailure, Deleted, LoginDone, LoginUpdate, Msg, RefreshFailure};
pub use row::{ConnState, RowData, RowTokens, Snapshot};
