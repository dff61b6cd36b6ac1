//! Logs go to a file (never the terminal, which belongs to the TUI and to scripts' stdout).
//! Nothing secret is logged: secrets are `Secret`, whose `Debug` is `[redacted]`.
//!
//! The file is opened at the first event, and only in a place that is zdauth's: a
//! `--config-dir` that holds no zdauth files (a shared dir, a typo) gets no log. A log that
//! cannot be written (a full disk) drops its lines quietly: stderr is the user's.

use std::fs::File;
use std::io::{self, Write};
use std::sync::{Mutex, PoisonError};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use zdauth_core::paths::{Paths, create_private_dir};
use zdauth_core::safe_file::{self, check_own_dir};

/// `RUST_LOG` wins; else `debug` with `--verbose`, `warn` without.
pub fn init(paths: &Paths, verbose: bool) {
    let default = if verbose {
        "zdauth=debug"
    } else {
        "zdauth=warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .log_internal_errors(false)
        .with_writer(LogFile::new(paths.clone()))
        .try_init();
}

pub struct LogFile {
    paths: Paths,
    state: Mutex<State>,
}

enum State {
    NotYet,
    Open(Open),
    /// No place for a log: logging is skipped, it must never stop a command.
    Off,
}

struct Open {
    file: File,
    /// Lines lost since the last one written, and why the first was lost.
    dropped: u64,
    cause: Option<String>,
}

impl LogFile {
    pub fn new(paths: Paths) -> Self {
        Self {
            paths,
            state: Mutex::new(State::NotYet),
        }
    }

    fn open(&self) -> State {
        let dir = self.paths.log_dir();
        if dir == self.paths.dir() {
            // Asked again at the next event: `init` may be making it zdauth's.
            if !self.paths.is_zdauth_dir() {
                return State::NotYet;
            }
        } else {
            // The state dir is zdauth's by its name, made on demand.
            let own = create_private_dir(dir).is_ok()
                && std::fs::metadata(dir).is_ok_and(|meta| check_own_dir(dir, &meta).is_ok());
            if !own {
                return State::Off;
            }
        }
        match safe_file::open_own(&self.paths.log_file(), true) {
            Ok(file) => State::Open(Open {
                file,
                dropped: 0,
                cause: None,
            }),
            Err(_) => State::Off,
        }
    }

    fn append(&self, line: &[u8]) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let State::NotYet = *state {
            *state = self.open();
        }
        let State::Open(open) = &mut *state else {
            return;
        };
        if open.dropped > 0 {
            let note = format!(
                "zdauth: {} log line(s) before this one could not be written ({})\n",
                open.dropped,
                open.cause.as_deref().unwrap_or("unknown cause")
            );
            if open.file.write_all(note.as_bytes()).is_ok() {
                open.dropped = 0;
                open.cause = None;
            }
        }
        if let Err(e) = open.file.write_all(line) {
            open.dropped += 1;
            open.cause.get_or_insert_with(|| e.to_string());
        }
    }
}

impl<'a> MakeWriter<'a> for LogFile {
    type Writer = LogLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LogLine(self)
    }
}

/// One event: the fmt layer writes each formatted event in one call.
pub struct LogLine<'a>(&'a LogFile);

impl Write for LogLine<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line that cannot be written is dropped without an error, and the next line that can
    /// be written says how many were lost and why.
    #[test]
    fn lost_lines_are_noted_once_the_log_is_writable_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zdauth.log");
        std::fs::write(&path, "").unwrap();
        let log = LogFile::new(Paths::at(dir.path()));
        // Opened read-only: every write fails, as on a full disk.
        let read_only = File::open(&path).unwrap();
        *log.state.lock().unwrap() = State::Open(Open {
            file: read_only,
            dropped: 0,
            cause: None,
        });
        let mut writer = log.make_writer();
        assert_eq!(writer.write(b"first\n").unwrap(), 6);
        writer.write_all(b"second\n").unwrap();
        if let State::Open(open) = &mut *log.state.lock().unwrap() {
            assert_eq!(open.dropped, 2);
            open.file = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap();
        }
        log.make_writer().write_all(b"third\n").unwrap();
        log.make_writer().write_all(b"fourth\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[0].starts_with("zdauth: 2 log line(s) before this one could not be written ("),
            "{text}"
        );
        assert_eq!(&lines[1..], ["third", "fourth"]);
    }
}
