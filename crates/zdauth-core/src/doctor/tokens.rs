//! Each connection's state as the vault holds it: read, never refreshed.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::Check;
use crate::config::Connection;
use crate::expiry::humanize;
use crate::status::TokenStatus;
use crate::vault::Entry;

/// A refresh token this close to its end is worth a warning: one more week of nobody
/// running zdauth and the connection needs a browser again.
const REFRESH_WARNING: SignedDuration = SignedDuration::from_hours(7 * 24);

/// `entry` is the connection's own (tokens issued for what it named before an edit are not).
pub fn token_state(
    connection: &Connection,
    entry: Option<&Entry>,
    now: Timestamp,
    margin: Duration,
) -> Check {
    let name = &connection.name;
    let tokens = entry.and_then(|e| e.tokens.as_ref());
    let refresh_left = tokens
        .filter(|t| t.refresh_token.is_some())
        .and_then(|t| t.refresh_expires_at)
        .map(|at| at.duration_since(now));
    let refresh_text = refresh_left
        .map(|left| format!(", refresh token for {}", humanize(left)))
        .unwrap_or_default();
    let access_text = tokens.and_then(|t| t.expires_at).map_or_else(
        || "an unknown time".to_owned(),
        |at| humanize(at.duration_since(now)),
    );
    let last_error = entry
        .and_then(|e| e.last_error.as_deref())
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    match TokenStatus::of_grant(connection.grant, entry, now, margin) {
        TokenStatus::LoginRequired => Check::fail(
            format!("{name}: login required{last_error}"),
            format!("run `zdauth login {name}`"),
        ),
        TokenStatus::NoToken => Check::warn(
            format!("{name}: never logged in"),
            format!(
                "run `zdauth login {name}` (or `zdauth login --all-needed` for every such one)"
            ),
        ),
        TokenStatus::NoSecret => Check::warn(
            format!("{name}: no client secret stored (client credentials)"),
            format!("run `zdauth edit {name} --secret-stdin` and paste the client's secret"),
        ),
        _ if refresh_left.is_some_and(|left| left < REFRESH_WARNING) => Check::warn(
            format!(
                "{name}: the refresh token lapses in {}",
                refresh_text_only(refresh_left)
            ),
            format!(
                "run `zdauth refresh {name}` (a refresh starts a new refresh lifetime), or keep the agent running"
            ),
        ),
        TokenStatus::Valid => Check::ok(format!(
            "{name}: valid, access token for {access_text}{refresh_text}"
        )),
        TokenStatus::Expiring => Check::ok(format!(
            "{name}: expiring in {access_text}, refreshed on its next use{refresh_text}"
        )),
        TokenStatus::Expired => Check::ok(format!(
            "{name}: access token expired, refreshed on its next use{refresh_text}"
        )),
    }
}

fn refresh_text_only(left: Option<SignedDuration>) -> String {
    left.map(humanize).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Grant, Kind};
    use crate::expiry::ExpirySource;
    use crate::secret::Secret;
    use crate::vault::Tokens;

    fn connection() -> Connection {
        Connection {
            name: "acme".into(),
            subdomain: "acme".into(),
            client_id: "zdauth_acme".into(),
            scopes: vec!["read".into()],
            redirect_port: 19186,
            kind: Kind::Support,
            base_url: None,
            access_token_lifetime: None,
            refresh_token_lifetime: None,
            grant: Grant::AuthorizationCode,
            tags: vec![],
        }
    }

    fn entry(now: Timestamp, access_left: i64, refresh_left: i64) -> Entry {
        Entry {
            tokens: Some(Tokens {
                access_token: Secret::new("access-SECRET"),
                refresh_token: Some(Secret::new("refresh-SECRET")),
                token_type: "bearer".into(),
                scopes: vec!["read".into()],
                obtained_at: now - SignedDuration::from_secs(60),
                expires_at: Some(now + SignedDuration::from_secs(access_left)),
                expiry_source: ExpirySource::Server,
                refresh_expires_at: Some(now + SignedDuration::from_secs(refresh_left)),
            }),
            ..Entry::default()
        }
    }

    const MARGIN: Duration = Duration::from_secs(300);

    #[test]
    fn each_state_has_its_level_and_no_secret_shows() {
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let c = connection();
        let valid = token_state(&c, Some(&entry(now, 1700, 29 * 86400)), now, MARGIN);
        assert_eq!(valid.level, super::super::Level::Ok, "{valid}");
        let lapsing = token_state(&c, Some(&entry(now, 1700, 2 * 86400)), now, MARGIN);
        assert_eq!(lapsing.level, super::super::Level::Warn, "{lapsing}");
        let mut dead = entry(now, -10, -10);
        dead.login_required = true;
        let dead = token_state(&c, Some(&dead), now, MARGIN);
        assert_eq!(dead.level, super::super::Level::Fail, "{dead}");
        assert!(dead.to_string().contains("zdauth login acme"), "{dead}");
        let never = token_state(&c, None, now, MARGIN);
        assert_eq!(never.level, super::super::Level::Warn, "{never}");
        for check in [valid, lapsing, dead, never] {
            assert!(!check.to_string().contains("SECRET"), "{check}");
        }
    }
}
