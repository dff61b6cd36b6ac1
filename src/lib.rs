//! The zdauth app: the doors (`cli`, `demo`) and the face (`tui`) over the engine in
//! `zdauth-core`, with the process concerns (exit codes, logging set-up) that only an app has,
//! and `seed`, the connection worlds the demo, the benches and the tests stand on.

pub mod cli;
pub mod demo;
pub mod exit;
pub mod logging;
pub mod seed;
pub mod tui;
