//! The app's integration tests, one binary (`cargo test --test tests`): each suite is a
//! module named after what it proves, `common` holds the sandbox, the fake-backed world and
//! the ways of running the real binary. A suite that needs a process-wide change (limits,
//! a session, a terminal) makes it in a child process, never in this one: see `common`.

mod common;

mod age_vectors;
mod agent;
mod api;
mod bad_input;
mod cli;
mod client_create;
mod client_credentials;
mod client_credentials_answers;
mod clipboard;
mod clipboard_desktop;
mod clipboard_osc52;
mod completion;
mod concurrency;
mod crash;
mod dead_grant;
mod disk_full;
mod doctor;
mod echoed_secrets;
mod edit;
mod expiry;
mod export;
mod faults;
mod files;
mod grant_switch;
mod health;
mod hostile;
mod identity;
mod import;
mod keepalive;
mod leaks;
mod login_catcher;
mod login_crowd;
mod login_many;
mod manage;
mod messages;
mod oauth;
mod properties;
mod refresh;
mod remove;
mod security_map;
mod server_text;
mod service;
mod shield;
mod soak;
mod store;
mod store_args;
mod tags;
mod tui_config;
mod tui_dialogs;
mod tui_rows;
mod tui_tmux;
mod unauthorized;
mod vault;
