//! What state a connection's tokens are in, at a given instant.

use std::time::Duration;

use jiff::Timestamp;

use crate::config::Grant;
use crate::vault::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// Not due for a refresh yet.
    Valid,
    /// Still valid (as far as is known), but due for a refresh: inside the margin, past half
    /// of a lifetime shorter than twice the margin, or of unknown expiry.
    Expiring,
    /// The access token is dead; the refresh token can still get a new one.
    Expired,
    /// Nothing left that can get a token without the browser.
    LoginRequired,
    /// Never logged in.
    NoToken,
    /// A client credentials connection without its client secret: nothing can mint a token.
    NoSecret,
}

impl TokenStatus {
    /// As `TokenStatus::of`, for a connection with `grant`. A client credentials connection
    /// never has a refresh token and never needs a login: its state is its access token's, and
    /// whether the secret that mints the next one is stored.
    pub fn of_grant(grant: Grant, entry: Option<&Entry>, now: Timestamp, margin: Duration) -> Self {
        if grant == Grant::AuthorizationCode {
            return Self::of(entry, now, margin);
        }
        if entry.is_none_or(|e| e.client_secret.is_none()) {
            return TokenStatus::NoSecret;
        }
        // No token yet counts as expired: the next use mints one, no person needed.
        let Some(tokens) = entry.and_then(|e| e.tokens.as_ref()) else {
            return TokenStatus::Expired;
        };
        if tokens.expires_at.is_some_and(|at| at <= now) {
            TokenStatus::Expired
        } else if crate::expiry::is_due(tokens, now, margin) {
            TokenStatus::Expiring
        } else {
            TokenStatus::Valid
        }
    }

    pub(crate) fn of(entry: Option<&Entry>, now: Timestamp, margin: Duration) -> Self {
        let Some(tokens) = entry.and_then(|e| e.tokens.as_ref()) else {
            return TokenStatus::NoToken;
        };
        if entry.is_some_and(|e| e.login_required) {
            return TokenStatus::LoginRequired;
        }
        let expired = tokens.expires_at.is_some_and(|at| at <= now);
        if !expired {
            // Due by the one rule every door refreshes by (crate::expiry).
            return if crate::expiry::is_due(tokens, now, margin) {
                TokenStatus::Expiring
            } else {
                TokenStatus::Valid
            };
        }
        let refresh_alive =
            tokens.refresh_token.is_some() && tokens.refresh_expires_at.is_none_or(|at| at > now);
        if refresh_alive {
            TokenStatus::Expired
        } else {
            TokenStatus::LoginRequired
        }
    }

    /// The word scripts see in `list --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Valid => "valid",
            TokenStatus::Expiring => "expiring",
            TokenStatus::Expired => "expired",
            TokenStatus::LoginRequired => "login_required",
            TokenStatus::NoToken => "no_token",
            TokenStatus::NoSecret => "no_secret",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::vault::Tokens;
    use jiff::SignedDuration;

    const MARGIN: Duration = Duration::from_secs(300);

    fn now() -> Timestamp {
        "2026-11-28T12:00:00Z".parse().unwrap()
    }

    fn entry(access_left_s: i64, refresh: Option<i64>) -> Entry {
        Entry {
            tokens: Some(Tokens {
                access_token: Secret::new("a"),
                refresh_token: refresh.map(|_| Secret::new("r")),
                token_type: "bearer".into(),
                scopes: vec![],
                // Half an hour ago: long-lived enough that the margin rule applies.
                obtained_at: now() - SignedDuration::from_secs(1800),
                expires_at: Some(now() + SignedDuration::from_secs(access_left_s)),
                expiry_source: crate::expiry::ExpirySource::Server,
                refresh_expires_at: refresh.map(|s| now() + SignedDuration::from_secs(s)),
            }),
            ..Entry::default()
        }
    }

    #[test]
    fn each_state() {
        let cases = [
            (None, TokenStatus::NoToken),
            (Some(Entry::default()), TokenStatus::NoToken),
            (Some(entry(301, Some(86400))), TokenStatus::Valid),
            (Some(entry(300, Some(86400))), TokenStatus::Expiring),
            (Some(entry(1, Some(86400))), TokenStatus::Expiring),
            (Some(entry(0, Some(86400))), TokenStatus::Expired),
            (Some(entry(-10, Some(86400))), TokenStatus::Expired),
            (Some(entry(-10, Some(-1))), TokenStatus::LoginRequired),
            (Some(entry(-10, None)), TokenStatus::LoginRequired),
        ];
        for (entry, status) in cases {
            let got = TokenStatus::of(entry.as_ref(), now(), MARGIN);
            assert_eq!(got, status, "{entry:?}");
        }
    }

    #[test]
    fn a_refused_refresh_token_means_login_required_even_with_time_left() {
        let mut e = entry(3600, Some(86400));
        e.login_required = true;
        assert_eq!(
            TokenStatus::of(Some(&e), now(), MARGIN),
            TokenStatus::LoginRequired
        );
    }

    #[test]
    fn client_credentials_states_are_about_the_access_token_and_the_secret() {
        let cc = |e: Option<Entry>| {
            TokenStatus::of_grant(Grant::ClientCredentials, e.as_ref(), now(), MARGIN)
        };
        let with_secret = |mut e: Entry| {
            e.client_secret = Some(Secret::new("s"));
            Some(e)
        };
        assert_eq!(cc(None), TokenStatus::NoSecret);
        assert_eq!(cc(Some(entry(3600, None))), TokenStatus::NoSecret);
        assert_eq!(cc(with_secret(Entry::default())), TokenStatus::Expired);
        assert_eq!(cc(with_secret(entry(3600, None))), TokenStatus::Valid);
        assert_eq!(cc(with_secret(entry(60, None))), TokenStatus::Expiring);
        // No refresh token and an expired access token: minted again, never "login required".
        assert_eq!(cc(with_secret(entry(-60, None))), TokenStatus::Expired);
        assert_eq!(TokenStatus::NoSecret.as_str(), "no_secret");
    }

    #[test]
    fn a_token_without_expiry_is_valid_only_without_a_refresh_token() {
        let mut e = entry(0, None);
        e.tokens.as_mut().unwrap().expires_at = None;
        assert_eq!(TokenStatus::of(Some(&e), now(), MARGIN), TokenStatus::Valid);
        // Stored by an older zdauth from an answer without expires_in: due, never "valid".
        let mut e = entry(0, Some(86400));
        e.tokens.as_mut().unwrap().expires_at = None;
        assert_eq!(
            TokenStatus::of(Some(&e), now(), MARGIN),
            TokenStatus::Expiring
        );
    }

    #[test]
    fn a_short_lived_pair_is_valid_until_half_its_life() {
        let mut e = entry(120, Some(86400));
        e.tokens.as_mut().unwrap().obtained_at = now();
        assert_eq!(TokenStatus::of(Some(&e), now(), MARGIN), TokenStatus::Valid);
        let later = now() + SignedDuration::from_secs(60);
        assert_eq!(
            TokenStatus::of(Some(&e), later, MARGIN),
            TokenStatus::Expiring
        );
    }
}
