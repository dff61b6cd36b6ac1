//! Logs go to a file (never the terminal, which belongs to the TUI and to scripts' stdout).
//! Nothing secret is logged: secrets are `Secret`, whose `Debug` is `[redacted]`.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// `RUST_LOG` wins; else `debug` with `--verbose`, `warn` without. A log that cannot be
/// opened is skipped: logging must never stop a command.
pub fn init(log_file: &Path, verbose: bool) {
    if let Some(dir) = log_file.parent()
        && crate::paths::create_private_dir(dir).is_err()
    {
        return;
    }
    let Ok(file) = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(log_file)
    else {
        return;
    };
    let default = if verbose {
        "zdauth=debug"
    } else {
        "zdauth=warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
}
