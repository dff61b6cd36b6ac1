//! The TUI's pure core: state, messages, keys and screens. Nothing here does terminal I/O,
//! reads the clock or touches the network: the event loop feeds [`Msg`]s to
//! [`App::update`], runs the [`Effect`]s it returns, and draws [`App`] with [`view::draw`].

pub mod action;
pub mod app;
mod app_keys;
mod app_manage;
mod app_results;
mod copier;
mod effects;
pub mod field;
pub mod first_run;
pub mod form;
pub mod format;
pub mod gate;
pub mod keymap;
pub mod msg;
pub mod row;
pub mod run;
pub mod unlock;
pub mod view;
mod watch;

#[cfg(test)]
mod app_config_tests;
#[cfg(test)]
mod app_expiry_tests;
#[cfg(test)]
mod app_grant_tests;
#[cfg(test)]
mod app_manage_tests;
#[cfg(test)]
mod app_tests;
#[cfg(test)]
mod testdata;

pub use action::Action;
pub use app::{App, CopyDone, CopyWhat, Effect, Options, SortMode};
pub use keymap::{Key, KeyParseError, Keymap};
pub use msg::{DeleteFailure, Deleted, LoginDone, LoginUpdate, Msg, RefreshFailure};
pub use row::{ConnState, RowData, RowTokens, Snapshot};
