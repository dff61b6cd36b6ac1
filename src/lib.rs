//! The zdauth app: the doors (`cli`, `demo`) and the face (`tui`) over the engine in
//! `zdauth-core`, with the process concerns (exit codes, logging set-up) that only an app has.

pub mod cli;
pub mod demo;
pub mod exit;
pub mod logging;
pub mod tui;
