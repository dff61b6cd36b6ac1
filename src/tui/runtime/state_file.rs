//! `tui-state.toml` in the state dir (beside the log): what the TUI remembers between runs,
//! the sort for now. Written atomically after each change, read once at start. It is a
//! convenience: a missing file is the defaults, and a broken one is the defaults and a log
//! line, never an error on screen.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::tui::app::SortOrder;
use zdauth_core::paths::Paths;

pub(super) const FILE: &str = "tui-state.toml";
/// The file holds a few short lines: anything longer is not ours.
const MAX_LEN: u64 = 16 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
struct TuiState {
    #[serde(default)]
    sort: SortOrder,
}

pub(super) fn path(paths: &Paths) -> PathBuf {
    paths.log_dir().join(FILE)
}

/// The remembered sort, or the default one when there is none to read.
pub(super) fn load(path: &Path) -> SortOrder {
    match read(path) {
        Ok(Some(state)) => state.sort,
        Ok(None) => SortOrder::default(),
        Err(why) => {
            tracing::warn!(file = %path.display(), %why, "ignoring the TUI's state file");
            SortOrder::default()
        }
    }
}

fn read(path: &Path) -> Result<Option<TuiState>, String> {
    // Never through a link, and never waiting on a FIFO: the terminal is already raw here,
    // where a hang could not even be interrupted (checklist item 30).
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if !file.metadata().map_err(|e| e.to_string())?.is_file() {
        return Err("not a regular file".into());
    }
    let mut text = String::new();
    file.take(MAX_LEN + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_LEN {
        return Err(format!("longer than {MAX_LEN} bytes"));
    }
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| e.message().to_owned())
}

/// Writes the sort (a failure is logged: the next start sorts by name, nothing is lost).
pub(super) fn save(path: &Path, sort: SortOrder) {
    // Two quick changes are two writers: one at a time, so the last sort asked is the one kept.
    static ONE_WRITER: Mutex<()> = Mutex::new(());
    let _one = ONE_WRITER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let result = (|| -> Result<(), String> {
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(
                "it is a link or not a regular file: delete it to let zdauth write it".into(),
            );
        }
        if let Some(dir) = path.parent() {
            zdauth_core::paths::create_private_dir(dir).map_err(|e| e.to_string())?;
        }
        let text = toml::to_string(&TuiState { sort }).map_err(|e| e.to_string())?;
        let text = format!("# zdauth remembers the TUI's sort here; safe to delete.\n{text}");
        zdauth_core::atomic_file::replace(path, text.as_bytes(), None).map_err(|e| e.to_string())
    })();
    if let Err(why) = result {
        tracing::warn!(file = %path.display(), %why, "could not remember the TUI's sort");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::SortMode;

    #[test]
    fn a_link_or_a_fifo_is_neither_read_nor_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "sort = { key = \"state\", reverse = true }\n").unwrap();
        let link = dir.path().join(FILE);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(load(&link), SortOrder::default(), "a link is not followed");
        save(&link, SortOrder::default());
        assert!(
            std::fs::read_to_string(&target).unwrap().contains("state"),
            "nothing is written where the link points"
        );
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Would block forever on a plain open.
        assert_eq!(load(&fifo), SortOrder::default());
    }

    #[test]
    fn the_sort_is_written_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        assert_eq!(load(&path), SortOrder::default(), "no file: the default");
        let order = SortOrder {
            key: SortMode::RefreshLeft,
            reverse: true,
        };
        save(&path, order);
        assert_eq!(load(&path), order);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("key = \"refresh_left\""), "{text}");
    }

    #[test]
    fn a_broken_or_huge_file_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        for text in [
            "[sort]\nkey = \"sideways\"\n".to_owned(),
            "\u{0}\u{1b}[2J not toml".to_owned(),
            format!("# {}\n[sort]\nkey = \"state\"\n", "x".repeat(20_000)),
        ] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(load(&path), SortOrder::default());
        }
        std::fs::write(&path, "[sort]\nkey = \"state\"\n").unwrap();
        assert_eq!(
            load(&path).key,
            SortMode::State,
            "reverse defaults to false"
        );
    }
}
