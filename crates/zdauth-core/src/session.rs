//! A process's working parts as the settings shape them: the HTTP client (`http_timeout`) and
//! how long one process waits for another's refresh of the same connection. Every door (the
//! CLI, the TUI, the demo) builds them here, so no two doors can disagree on them.

use std::time::Duration;

use crate::config::Settings;
use crate::refresh::Refresher;
use crate::vault::Vault;
use crate::zendesk::{ATTEMPTS, Timeouts, ZendeskClient};

/// A connect that takes longer than this will not succeed, whatever `http_timeout` allows.
const LONGEST_CONNECT: Duration = Duration::from_secs(10);
/// The Retry-After waits and backoff pauses a refresh may sit through between its tries.
const RETRY_PAUSES: Duration = Duration::from_secs(90);

/// An HTTP client whose requests take at most `settings.http_timeout`.
pub fn client(settings: &Settings) -> ZendeskClient {
    ZendeskClient::new(Timeouts {
        connect: settings.http_timeout.min(LONGEST_CONNECT),
        total: settings.http_timeout,
        ..Timeouts::default()
    })
}

/// Long enough to outwait another process's slowest refresh: every try the client makes at
/// the HTTP timeout, plus the pauses between them.
pub fn connection_lock_timeout(settings: &Settings) -> Duration {
    settings.http_timeout * ATTEMPTS + RETRY_PAUSES
}

/// The refresh transaction over `vault`, with the client and the lock timeout `settings` make.
pub fn refresher(vault: Vault, settings: &Settings) -> Refresher {
    Refresher::new(
        vault.with_connection_lock_timeout(connection_lock_timeout(settings)),
        client(settings),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::Paths;
    use crate::vault::Keys;

    #[test]
    fn the_refreshers_vault_outwaits_the_slowest_refresh_the_settings_allow() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::new(Paths::at(dir.path()), Keys::generate());
        let settings = Settings {
            http_timeout: Duration::from_secs(100),
            ..Settings::default()
        };
        let refresher = refresher(vault, &settings);
        // 3 tries of 100 s and 90 s of pauses: more than the vault's own 120 s floor.
        assert_eq!(
            refresher.vault().connection_lock_timeout(),
            Duration::from_secs(390)
        );
    }
}
