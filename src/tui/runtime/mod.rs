//! Everything the TUI does to the world: the terminal (raw mode, events, drawing), the clock,
//! the files it watches, the tokio tasks that run the [`Effect`](super::Effect)s, the
//! clipboard and the network. The rest of `tui/` is pure; this is the only place that is not.
//!
//! - `run`: the list's event loop (events and ticks in, `App::update`, effects out, redraw
//!   when the frame is dirty).
//! - `gate`: the screens before the vault is open (unlock, first run) and their loop.
//! - `effects`: starts each effect on a task that reports back with a `Msg`.
//! - `copier`: the copy, its pending clear, and the clear on quitting.
//! - `watch`: config.toml and vault.age changing under the TUI.
//! - `agent`: the agent's state for the header, asked every few seconds.
//! - `state_file`: the sort remembered between runs, in the state dir.

mod agent;
mod copier;
mod effects;
pub mod gate;
pub mod run;
mod state_file;
mod watch;
