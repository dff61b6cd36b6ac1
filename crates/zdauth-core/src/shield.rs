//! What a process holding tokens does about its own death and its own memory.
//!
//! Signals (checklist item 32): a refresh token is spent the moment Zendesk answers, so a
//! process that dies between the POST and the stored pair loses the grant. While a refresh is
//! on the wire, SIGINT, SIGTERM and SIGHUP only take note; when the last one is stored the
//! process ends by that signal (the shell shows 130, 143 or 129). With nothing on the wire a
//! signal ends the process at once, as it always did. Only SIGKILL can still cost a grant.
//!
//! Memory: the process is made non-dumpable, so it leaves no core dump and a process of the
//! same user can neither ptrace it nor read its /proc/PID/mem or environ.

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering::SeqCst};

use crate::error::Error;
use crate::sys::{self, SIGHUP, SIGINT, SIGTERM, Signal};

/// Refreshes between their POST and their stored pair.
static ON_THE_WIRE: AtomicUsize = AtomicUsize::new(0);
/// The signal that came while one was; 0 for none.
static PENDING: AtomicI32 = AtomicI32::new(0);

const DEFERRED: [Signal; 3] = [SIGINT, SIGTERM, SIGHUP];

/// No core dumps, no same-user ptrace or /proc/PID/mem. Returns whether the kernel agreed.
pub fn non_dumpable() -> bool {
    sys::set_non_dumpable()
}

/// Makes SIGINT, SIGTERM and SIGHUP wait for refreshes on the wire. For the commands that
/// refresh and then end (`token`, `refresh`, `copy`, `export`, `exec`); the TUI has its own
/// quit that waits for work in flight, and `exec`'s command gets the default handlers back
/// from execve.
pub fn defer_signals_during_refresh() {
    defer(&DEFERRED);
}

/// SIGTERM and SIGHUP wait for a login's code exchange (a single-use code bought the pair);
/// SIGINT stays with the login, which cancels its wait for the browser on it and lets an
/// exchange already on the wire finish.
pub fn defer_signals_during_login() {
    defer(&[SIGTERM, SIGHUP]);
}

fn defer(signals: &[Signal]) {
    for &signal in signals {
        sys::catch_signal(signal, on_signal);
    }
}

extern "C" fn on_signal(signal: Signal) {
    // Noted before looking, so that a refresh finishing in between sees it (see `Drop`).
    PENDING.store(signal, SeqCst);
    if ON_THE_WIRE.load(SeqCst) == 0 {
        sys::end_by(signal);
    }
}

/// Held from just before a POST that spends a refresh token until its answer is stored.
#[must_use]
pub(crate) struct Spending {
    name: String,
}

/// Marks a refresh of `name` as on the wire; refused once a signal has asked to stop, so that
/// `refresh --all` starts no new one while the others finish.
pub(crate) fn spending(name: &str) -> Result<Spending, Error> {
    ON_THE_WIRE.fetch_add(1, SeqCst);
    let held = Spending {
        name: name.to_owned(),
    };
    if PENDING.load(SeqCst) != 0 {
        drop(held);
        return Err(Error::Interrupted(name.to_owned()));
    }
    Ok(held)
}

impl Drop for Spending {
    fn drop(&mut self) {
        if ON_THE_WIRE.fetch_sub(1, SeqCst) != 1 {
            return;
        }
        let signal = PENDING.load(SeqCst);
        if signal != 0 {
            tracing::warn!(connection = %self.name, signal, "stopping after the refresh finished");
            let shown = match signal {
                SIGINT => "SIGINT",
                SIGTERM => "SIGTERM",
                _ => "SIGHUP",
            };
            eprintln!(
                "zdauth: stopped by {shown} once the new pair of {} was stored",
                self.name
            );
            sys::end_by(signal);
        }
    }
}
