//! The TUI. Everything here but [`runtime`] is the pure core: state ([`App`]), messages
//! ([`Msg`]), the one transition [`App::update`], keys and screens ([`view`]). Nothing outside
//! `runtime/` does I/O, reads the clock, spawns a task or touches the network: time and news
//! arrive as messages, work leaves as [`Effect`]s. The runtime owns the terminal, feeds the
//! `Msg`s to `update`, runs the `Effect`s it returns, and draws with [`view::draw`] when
//! [`App::generation`] moved.

pub mod action;
pub mod app;
pub mod columns;
pub mod effect;
pub mod field;
pub mod first_run;
pub mod form;
pub mod format;
pub mod keymap;
pub mod lapse;
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
pub use msg::{
    CopyDone, DeleteFailure, Deleted, LoginDone, LoginUpdate, Mouse, Msg, RefreshFailure,
};
pub use row::{ConnState, RowData, RowTokens, Snapshot};
