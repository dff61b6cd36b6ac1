//! What the doors print. `println!` panics when stdout is a closed pipe (`zdauth list |
//! head -1`: exit 101 and a panic message). Here a write that fails is remembered and
//! printing stops, the command still finishes its work (an `init` or a refresh is never
//! left half-done because a reader went away), and the process then exits with 141, what a
//! shell reports for a command ended by SIGPIPE, and says nothing about it.
//!
//! SIGPIPE itself stays ignored, as Rust sets it: sockets must keep getting EPIPE as an
//! error to handle, not a signal that kills the process in the middle of a refresh.

use std::fmt;
use std::io::{self, ErrorKind, Write};
use std::sync::Mutex;

/// 128 + SIGPIPE.
pub const CLOSED_PIPE: u8 = 141;

/// The first failed write to stdout, if any.
static FAILED: Mutex<Option<io::Error>> = Mutex::new(None);

fn failed() -> std::sync::MutexGuard<'static, Option<io::Error>> {
    FAILED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes to stdout, unless an earlier write failed.
pub fn stdout(args: fmt::Arguments) {
    let mut failed = failed();
    if failed.is_none()
        && let Err(e) = io::stdout().lock().write_fmt(args)
    {
        *failed = Some(e);
    }
}

pub fn stdout_bytes(bytes: &[u8]) {
    let mut failed = failed();
    if failed.is_none()
        && let Err(e) = io::stdout().lock().write_all(bytes)
    {
        *failed = Some(e);
    }
}

/// Whether a write to stdout failed: a command with more to print can stop asking for it.
pub fn stdout_failed() -> bool {
    failed().is_some()
}

/// Progress and errors: best effort, since there is nowhere left to report a failure.
pub fn stderr(args: fmt::Arguments) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// The exit code once the command is done: 141 if stdout was a closed pipe; otherwise 1 with
/// a line on stderr if stdout failed some other way (a full disk); else the command's own.
pub fn finish(code: u8) -> u8 {
    let flushed = io::stdout().lock().flush();
    let mut failed = failed();
    if failed.is_none()
        && let Err(e) = flushed
    {
        *failed = Some(e);
    }
    match failed.take() {
        None => code,
        Some(e) if e.kind() == ErrorKind::BrokenPipe => CLOSED_PIPE,
        Some(e) => {
            stderr(format_args!(
                "zdauth: cannot write the output ({e}); check where stdout goes (a full disk?)\n"
            ));
            crate::exit::OTHER
        }
    }
}

macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::stdout(format_args!($($arg)*))
    };
}

macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::out::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}
