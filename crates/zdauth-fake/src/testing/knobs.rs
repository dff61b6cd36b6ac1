//! The options that make the fake unlike Zendesk, as the handlers read them. Their defaults
//! are Zendesk's; `crate::honest` answers the same questions with Zendesk's values only.

use std::time::Duration;

use axum::http::StatusCode;
use jiff::Timestamp;

use crate::options::{FakeClient, FakeOptions};
use crate::state::{Lifetimes, whole_seconds};

impl FakeOptions {
    /// The lifetimes of a token request that asks for none.
    pub(crate) fn default_lifetimes(&self) -> Lifetimes {
        Lifetimes {
            access_secs: whole_seconds(self.access_lifetime),
            refresh_secs: whole_seconds(self.refresh_lifetime),
        }
    }

    pub(crate) fn code_valid_for(&self) -> Duration {
        self.code_lifetime
    }

    /// What a server policy grants of the access lifetime asked for.
    pub(crate) fn granted_access_secs(&self, asked: u64) -> u64 {
        match self.max_access_lifetime {
            Some(max) => asked.min(whole_seconds(max)),
            None => asked,
        }
    }

    /// What a server policy grants of the refresh lifetime asked for.
    pub(crate) fn granted_refresh_secs(&self, asked: u64) -> u64 {
        match self.max_refresh_lifetime {
            Some(max) => asked.min(whole_seconds(max)),
            None => asked,
        }
    }

    /// When a new refresh token that replaces one expiring at `spent_expires_at` expires, if
    /// not at `fresh_expires_at` as asked.
    pub(crate) fn chained_refresh_expiry(
        &self,
        spent_expires_at: Timestamp,
        fresh_expires_at: Timestamp,
    ) -> Timestamp {
        if self.capped_refresh_chain {
            fresh_expires_at.min(spent_expires_at)
        } else {
            fresh_expires_at
        }
    }

    pub(crate) fn issues_jwts(&self) -> bool {
        !self.opaque_tokens
    }

    /// Whether an answer says `expires_in` when the request asked for a lifetime.
    pub(crate) fn answers_expires_in(&self) -> bool {
        !self.omit_expires_in
    }

    pub(crate) fn answers_refresh_expires_in(&self) -> bool {
        self.include_refresh_expires_in
    }

    pub(crate) fn success_code(&self) -> StatusCode {
        StatusCode::from_u16(self.success_status).unwrap_or(StatusCode::CREATED)
    }

    pub(crate) fn revokes_grant_on_reuse(&self) -> bool {
        self.strict_rotation
    }

    pub(crate) fn api_rate_limit(&self) -> Option<u32> {
        self.rate_limit_per_minute
    }

    pub(crate) fn sends_retry_after(&self) -> bool {
        !self.omit_retry_after
    }

    pub(crate) fn api_records(&self) -> usize {
        self.api_records
    }
}

impl FakeClient {
    /// A public client of the kind made before Zendesk had refresh tokens.
    pub fn legacy(identifier: &str, redirect_uri: &str) -> Self {
        Self {
            legacy: true,
            ..Self::public(identifier, redirect_uri)
        }
    }

    pub(crate) fn is_legacy(&self) -> bool {
        self.legacy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts file's Zendesk, which `crate::honest` hard-wires for the shipped binary.
    #[test]
    fn the_defaults_are_zendesks() {
        let options = FakeOptions::default();
        let lifetimes = options.default_lifetimes();
        assert_eq!(
            (lifetimes.access_secs, lifetimes.refresh_secs),
            (1800, 2_592_000)
        );
        assert_eq!(options.code_valid_for(), Duration::from_secs(120));
        assert_eq!(options.granted_access_secs(172_799), 172_799);
        assert_eq!(options.granted_refresh_secs(7_775_999), 7_775_999);
        let (spent, fresh) = (Timestamp::UNIX_EPOCH, Timestamp::MAX);
        assert_eq!(options.chained_refresh_expiry(spent, fresh), fresh);
        assert!(options.issues_jwts());
        assert!(options.answers_expires_in());
        assert!(options.answers_refresh_expires_in());
        assert_eq!(options.success_code(), StatusCode::CREATED);
        assert!(options.revokes_grant_on_reuse());
        assert!(options.hostile.is_none() && !options.echo_requests_in_errors);
        assert_eq!(options.api_rate_limit(), Some(200));
        assert!(options.sends_retry_after());
        assert_eq!(options.api_records(), 3);
        assert!(!FakeClient::public("c", "http://127.0.0.1/").is_legacy());
    }
}
