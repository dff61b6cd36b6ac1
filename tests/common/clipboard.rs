//! Running `zdauth copy` for the clipboard tests, and waiting for its background helper.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::world::World;

/// What decides `clipboard = "auto"`, removed so that each test sets its own.
pub const PLACE_VARS: &[&str] = &[
    "TMUX",
    "SSH_TTY",
    "SSH_CONNECTION",
    "DISPLAY",
    "WAYLAND_DISPLAY",
];

/// `zdauth ARGS` with none of the variables `auto` looks at.
pub fn zdauth_here(w: &World, args: &[&str]) -> Command {
    zdauth_here_through(w, &[], args)
}

/// [`zdauth_here`] started by `launcher`, as [`super::Sandbox::zdauth_through`] does.
pub fn zdauth_here_through(w: &World, launcher: &[&str], args: &[&str]) -> Command {
    let mut command = w.sb.zdauth_through(launcher, args);
    for var in PLACE_VARS {
        command.env_remove(var);
    }
    command
}

/// The `clipboard-serve` helpers of this sandbox still running.
pub fn helpers(w: &World) -> Vec<PathBuf> {
    let dir = w.sb.dir().display().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|proc| {
            let argv = std::fs::read(proc.join("cmdline")).unwrap_or_default();
            let argv = String::from_utf8_lossy(&argv);
            argv.contains("clipboard-serve") && argv.contains(&dir)
        })
        .collect()
}

pub fn helper_running(w: &World) -> bool {
    !helpers(w).is_empty()
}

/// Waits (bounded) for the helper to finish its clear.
pub fn wait_for_helper(w: &World) {
    let started = Instant::now();
    while helper_running(w) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the helper never finished"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} never happened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
