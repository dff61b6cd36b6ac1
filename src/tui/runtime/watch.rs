//! config.toml and vault.age change under the TUI: `zdauth add` and `remove`, an editor, and
//! scripts running `zdauth token` write them. Both are looked at four times a second with a
//! stat, and read again only when that changed.
//!
//! Polling rather than inotify (the `notify` crate): both files are replaced by rename, and a
//! config.toml that is a symlink into a dotfiles repo changes in another directory, so a
//! watch would have to follow the link and the parent directories as they change; a stat
//! (which follows the link) sees every one of those cases, on every filesystem, for
//! microseconds per look.
//!
//! With a team store, another machine's refresh changes no file here: the store is read
//! again every few seconds instead of vault.age's stat, off the UI thread, and the list is
//! told only when what it shows changed.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::tui::{Msg, row};
use zdauth_core::config::{Config, ConfigError};
use zdauth_core::refresh::Refresher;

const POLL: Duration = Duration::from_millis(250);
/// How often the team store is read again: one request per connection, so not at the
/// stat's pace; a change made by another machine shows within this.
const STORE_POLL: Duration = Duration::from_secs(5);

/// What a stat says about a file: a rename, a rewrite in place or a truncation changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        device: meta.dev(),
        inode: meta.ino(),
        len: meta.len(),
        modified: (meta.mtime(), meta.mtime_nsec()),
        changed: (meta.ctime(), meta.ctime_nsec()),
    })
}

/// Reports changes as [`Msg::ConfigReloaded`], [`Msg::ConfigInvalid`] and
/// [`Msg::VaultReloaded`]. `config` is the one the TUI shows (its own saves update it).
pub(super) async fn watch_files(
    config: watch::Receiver<Config>,
    refresher: Arc<Refresher>,
    sender: mpsc::UnboundedSender<Msg>,
    stop: CancellationToken,
) {
    let config_path: PathBuf = refresher.vault().paths().config();
    let vault_path = refresher.vault().paths().vault();
    let (mut config_seen, mut vault_seen) = (stamp(&config_path), stamp(&vault_path));
    let mut invalid = false;
    let shared = refresher.vault().store().is_some();
    let mut store_read = tokio::time::Instant::now();
    let mut store_seen: Option<row::Snapshot> = None;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(POLL) => {}
        }
        let mut msg = None;
        let config_now = stamp(&config_path);
        if config_now != config_seen {
            config_seen = config_now;
            let path = config_path.clone();
            let Ok(loaded) = tokio::task::spawn_blocking(move || Config::load(&path)).await else {
                continue;
            };
            match loaded {
                // Its own saves come back here too: nothing to tell then.
                Ok(new) if !invalid && new == *config.borrow() => {}
                Ok(new) => {
                    invalid = false;
                    // Which stored tokens count as a connection's own depends on the config.
                    vault_seen = stamp(&vault_path);
                    let snapshot = load_snapshot(&refresher, &new).await;
                    msg = Some(Msg::ConfigReloaded {
                        config: new,
                        snapshot,
                    });
                }
                Err(e) => {
                    invalid = true;
                    msg = Some(Msg::ConfigInvalid(short(&e)));
                }
            }
        }
        if shared {
            if msg.is_none() && store_read.elapsed() >= STORE_POLL {
                store_read = tokio::time::Instant::now();
                let shown = config.borrow().clone();
                // Unreachable for now: the list keeps what it has, the next read may do.
                if let Some(snapshot) = load_snapshot(&refresher, &shown).await
                    && store_seen.as_ref() != Some(&snapshot)
                {
                    store_seen = Some(snapshot.clone());
                    msg = Some(Msg::VaultReloaded(snapshot));
                }
            }
        } else if msg.is_none() {
            let vault_now = stamp(&vault_path);
            if vault_now != vault_seen {
                vault_seen = vault_now;
                let shown = config.borrow().clone();
                msg = load_snapshot(&refresher, &shown)
                    .await
                    .map(Msg::VaultReloaded);
            }
        }
        if let Some(msg) = msg
            && sender.send(msg).is_err()
        {
            return;
        }
    }
}

/// The screen names the file already; a long path would push the reason off its edge.
fn short(error: &ConfigError) -> String {
    match error {
        ConfigError::Invalid {
            line, key, message, ..
        } if key.is_empty() => format!("line {line}: {message}"),
        ConfigError::Invalid {
            line, key, message, ..
        } => format!("line {line}: {key}: {message}"),
        other => other.to_string(),
    }
}

async fn load_snapshot(refresher: &Refresher, config: &Config) -> Option<row::Snapshot> {
    let vault = refresher.vault().clone();
    let data = tokio::task::spawn_blocking(move || vault.load())
        .await
        .ok()?
        .ok()?;
    Some(row::snapshot(config, &data))
}
