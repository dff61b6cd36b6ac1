//! The agent through the real binary (issue 13 §6, keep-alive aside): unlock once and every
//! command goes through it; lock, timeout, other users, other config dirs, a killed agent,
//! the TUI, the socket's directory, and what crosses the socket.

mod crash;
mod daily;
mod isolation;
mod lifecycle;
mod reach;
mod wire;

use crate::common::world::World;
use crate::common::{PASSPHRASE, Run};

/// Writes log lines at debug (scrypt runs, agent requests) for the tests to count.
pub const DEBUG: (&str, &str) = ("RUST_LOG", "zdauth=debug");
pub const WITH_PASSPHRASE: (&str, &str) = ("ZDAUTH_PASSPHRASE", PASSPHRASE);

/// A world on the fake whose identity is sealed in identity.age, with `acme` and `globex`
/// stored; `settings` as for [`World::with_settings`].
pub fn sealed_world(settings: &str) -> World {
    let w = World::with_settings(settings, |_| {});
    w.seed();
    w.add_seeded("globex", "globex");
    w.sb.seal_identity();
    w
}

/// `zdauth unlock` with the passphrase in the environment (no terminal).
pub fn unlock(w: &World) -> Run {
    w.sb.run_with(&["unlock"], &[WITH_PASSPHRASE, DEBUG], None)
        .success()
}

/// Log lines of the config dir's zdauth.log that contain `words`.
pub fn log_lines(w: &World, words: &str) -> usize {
    std::fs::read_to_string(w.sb.paths().log_file())
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(words))
        .count()
}
