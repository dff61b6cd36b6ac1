//! What stands in for `crate::testing` when the `testing` feature is off, as in the shipped
//! binary: Zendesk's own behaviour (the facts file), and counting and fault hooks that compile
//! to nothing. Each item has the signature of its twin there, so the handlers read the same in
//! both builds; CI lints this build too (`cargo clippy --workspace --lib --bins`).

// A stand-in ignores what its twin uses; keeping the twin's signature is its whole point.
#![allow(clippy::unused_self)]

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::gate::RequestKind;
use crate::options::{
    DEFAULT_API_RECORDS, FakeClient, FakeOptions, ZENDESK_ACCESS_LIFETIME, ZENDESK_CODE_LIFETIME,
    ZENDESK_RATE_LIMIT, ZENDESK_REFRESH_LIFETIME,
};
use crate::state::{Lifetimes, Shared, State, whole_seconds};

/// Nobody reads counts without the feature.
#[derive(Default)]
pub(crate) struct Counters {}

impl Counters {
    pub(crate) fn request(&mut self, _kind: RequestKind) {}
    pub(crate) fn post_for(&mut self, _grant_id: &str) {}
    pub(crate) fn code_exchanged(&mut self) {}
    pub(crate) fn refreshed(&mut self) {}
    pub(crate) fn minted(&mut self) {}
    pub(crate) fn reuse_detected(&mut self) {}
    pub(crate) fn grant_revoked(&mut self) {}
    pub(crate) fn token_revoked(&mut self) {}
    pub(crate) fn api_call(&mut self, _method: &Method, _route: &str) {}
    pub(crate) fn rate_limited(&mut self) {}
}

pub(crate) struct InFlight;

impl InFlight {
    pub(crate) fn start(_shared: &Arc<Shared>) -> Self {
        Self
    }
}

pub(crate) struct ApiInFlight;

impl ApiInFlight {
    pub(crate) fn start(_shared: &Arc<Shared>, _client_id: Option<String>) -> Self {
        Self
    }
}

/// Without the injector nothing asks for a denial, and the type says so: it has no value.
#[derive(Clone)]
pub(crate) enum DenyThis {}

/// Every request is answered as it came.
pub(crate) struct Plan;

impl Plan {
    pub(crate) fn take(_state: &mut State, _kind: RequestKind) -> Self {
        Self
    }

    pub(crate) async fn run(self, _shared: &Arc<Shared>, request: Request, next: Next) -> Response {
        next.run(request).await
    }
}

impl FakeOptions {
    pub(crate) fn default_lifetimes(&self) -> Lifetimes {
        Lifetimes {
            access_secs: whole_seconds(ZENDESK_ACCESS_LIFETIME),
            refresh_secs: whole_seconds(ZENDESK_REFRESH_LIFETIME),
        }
    }

    pub(crate) fn code_valid_for(&self) -> Duration {
        ZENDESK_CODE_LIFETIME
    }

    pub(crate) fn granted_access_secs(&self, asked: u64) -> u64 {
        asked
    }

    pub(crate) fn granted_refresh_secs(&self, asked: u64) -> u64 {
        asked
    }

    pub(crate) fn chained_refresh_expiry(
        &self,
        _spent_expires_at: Timestamp,
        fresh_expires_at: Timestamp,
    ) -> Timestamp {
        fresh_expires_at
    }

    pub(crate) fn issues_jwts(&self) -> bool {
        true
    }

    pub(crate) fn answers_expires_in(&self) -> bool {
        true
    }

    pub(crate) fn answers_refresh_expires_in(&self) -> bool {
        true
    }

    pub(crate) fn success_code(&self) -> StatusCode {
        StatusCode::CREATED
    }

    pub(crate) fn revokes_grant_on_reuse(&self) -> bool {
        true
    }

    pub(crate) fn jwt_exp(&self, expires_at: Timestamp) -> Value {
        expires_at.as_second().into()
    }

    pub(crate) fn rewrite_answer(&self, _body: &mut Map<String, Value>) {}

    // The twin's `None` (no limit) is a test knob; the signature is the twin's.
    #[allow(clippy::unnecessary_wraps)]
    pub(crate) fn api_rate_limit(&self) -> Option<u32> {
        Some(ZENDESK_RATE_LIMIT)
    }

    pub(crate) fn sends_retry_after(&self) -> bool {
        true
    }

    pub(crate) fn api_records(&self) -> usize {
        DEFAULT_API_RECORDS
    }
}

impl FakeClient {
    pub(crate) fn is_legacy(&self) -> bool {
        false
    }
}
