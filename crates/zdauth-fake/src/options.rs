//! What the demo or a test configures before the fake starts. The fields marked `testing`
//! exist only with that feature: they make the fake unlike Zendesk, and the shipped binary
//! does not carry them (`crate::honest` answers with Zendesk's values instead).

use std::fmt;
use std::time::Duration;

#[cfg(feature = "testing")]
use crate::seams::Hostile;

/// Zendesk's defaults, from the facts file: a token request without `expires_in` gets 30
/// minutes, without `refresh_token_expires_in` 30 days; a code is exchangeable for 120 s.
pub(crate) const ZENDESK_ACCESS_LIFETIME: Duration = Duration::from_secs(1800);
pub(crate) const ZENDESK_REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
pub(crate) const ZENDESK_CODE_LIFETIME: Duration = Duration::from_secs(120);
/// API requests a minute per account on Suite Team, the lowest common plan (Growth and
/// Professional have 400, Enterprise 700, the figure Zendesk's examples show): a client that
/// copes with the fake copes with every plan. Tests that need more set the knob.
pub(crate) const ZENDESK_RATE_LIMIT: u32 = 200;
/// Users, triggers, search results and chats each list this many records: a small account.
pub(crate) const DEFAULT_API_RECORDS: usize = 3;

/// Which Zendesk server a client belongs to: Chat clients do not work on Support endpoints and
/// the other way round, as at Zendesk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FakeKind {
    Support,
    Chat,
}

/// How the authorization endpoint answers a valid request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approval {
    /// 302 straight back to the redirect URI, for tests.
    Auto,
    /// An HTML page with Allow / Deny buttons, for humans running the demo.
    Consent,
}

#[derive(Clone)]
pub struct FakeClient {
    /// The text "unique identifier" Zendesk uses as `client_id`.
    pub identifier: String,
    /// `None` makes a public client, for which PKCE is mandatory.
    pub secret: Option<String>,
    /// Matched as exact strings, as Zendesk is assumed to do.
    pub redirect_uris: Vec<String>,
    pub kind: FakeKind,
    /// `testing`: made before Zendesk had refresh tokens: without `expires_in` in the
    /// request, a token that never expires and no refresh token.
    #[cfg(feature = "testing")]
    pub legacy: bool,
}

impl FakeClient {
    pub fn public(identifier: &str, redirect_uri: &str) -> Self {
        Self {
            identifier: identifier.to_owned(),
            secret: None,
            redirect_uris: vec![redirect_uri.to_owned()],
            kind: FakeKind::Support,
            #[cfg(feature = "testing")]
            legacy: false,
        }
    }

    pub fn confidential(identifier: &str, secret: &str, redirect_uri: &str) -> Self {
        Self {
            secret: Some(secret.to_owned()),
            ..Self::public(identifier, redirect_uri)
        }
    }

    pub fn chat(identifier: &str, redirect_uri: &str) -> Self {
        Self {
            kind: FakeKind::Chat,
            ..Self::public(identifier, redirect_uri)
        }
    }
}

// Hand-written so a client secret can never reach a log through `{:?}`.
impl fmt::Debug for FakeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = f.debug_struct("FakeClient");
        shown
            .field("identifier", &self.identifier)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("redirect_uris", &self.redirect_uris)
            .field("kind", &self.kind);
        #[cfg(feature = "testing")]
        shown.field("legacy", &self.legacy);
        shown.finish()
    }
}

/// An API token of the account (Basic `EMAIL/token:TOKEN`), as Zendesk still accepts them until
/// 2027-04-30; only the OAuth clients endpoints of the fake take them.
#[derive(Clone, PartialEq, Eq)]
pub struct FakeApiToken {
    /// The email of the user the token acts as.
    pub email: String,
    pub token: String,
    /// `admin`, `agent` or `end-user`: only admins may manage OAuth clients.
    pub role: String,
}

impl FakeApiToken {
    pub fn admin(email: &str, token: &str) -> Self {
        Self {
            email: email.to_owned(),
            token: token.to_owned(),
            role: "admin".to_owned(),
        }
    }
}

// Hand-written so an API token can never reach a log through `{:?}`.
impl fmt::Debug for FakeApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeApiToken")
            .field("email", &self.email)
            .field("token", &"[redacted]")
            .field("role", &self.role)
            .finish()
    }
}

/// The one user every grant belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeUser {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub role: String,
}

impl Default for FakeUser {
    fn default() -> Self {
        Self {
            id: 1001,
            name: "Ada Admin".to_owned(),
            email: "ada@acme.test".to_owned(),
            role: "admin".to_owned(),
        }
    }
}

// Each flag is one behaviour a test switches on its own; they are the tests' vocabulary.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug)]
pub struct FakeOptions {
    pub clients: Vec<FakeClient>,
    /// `false` enforces Zendesk's bounds on requested lifetimes; `true` accepts any positive
    /// value so the demo and tests can watch tokens expire within seconds.
    pub lenient_lifetimes: bool,
    pub approval: Approval,
    /// Added before every answer.
    pub latency: Duration,
    pub user: FakeUser,
    /// The account's API tokens; none by default (no new ones can be made since 2026-10-27).
    pub api_tokens: Vec<FakeApiToken>,
    /// `testing`: used when a token request carries no `expires_in` (Zendesk: 30 minutes).
    #[cfg(feature = "testing")]
    pub access_lifetime: Duration,
    /// `testing`: used when a token request carries no `refresh_token_expires_in` (30 days).
    #[cfg(feature = "testing")]
    pub refresh_lifetime: Duration,
    /// `testing`: how long an authorization code stays exchangeable (Zendesk: 120 s).
    #[cfg(feature = "testing")]
    pub code_lifetime: Duration,
    /// `testing`: `true` (Zendesk's stand-in): a replayed, already rotated refresh token
    /// revokes the whole grant (RFC 9700 §4.14.2). `false`: it only gets `invalid_grant`.
    #[cfg(feature = "testing")]
    pub strict_rotation: bool,
    /// `testing`: Zendesk sends `refresh_token_expires_in` beside every refresh token;
    /// `false` makes a server that does not (zdauth then asks tokens/current.json).
    #[cfg(feature = "testing")]
    pub include_refresh_expires_in: bool,
    /// `testing`: `true`: never `expires_in` in an answer, even when asked (the JWT's `exp`
    /// and tokens/current.json still tell). Zendesk sends it when asked.
    #[cfg(feature = "testing")]
    pub omit_expires_in: bool,
    /// `testing`: `true`: access tokens are opaque random strings, not JWTs.
    #[cfg(feature = "testing")]
    pub opaque_tokens: bool,
    /// `testing`: a server policy: access tokens live at most this long, whatever was asked,
    /// and `expires_in` says the lifetime granted. For tests that need rotations every few
    /// seconds, which a client that asks for Zendesk's bounds cannot ask for.
    #[cfg(feature = "testing")]
    pub max_access_lifetime: Option<Duration>,
    /// `testing`: the same policy for refresh tokens (`refresh_token_expires_in` says the
    /// lifetime granted): keep-alive tests need grants that lapse within seconds, which a
    /// client asking within Zendesk's bounds cannot ask for.
    #[cfg(feature = "testing")]
    pub max_refresh_lifetime: Option<Duration>,
    /// `testing`: `true`: a refresh's new refresh token expires when the spent one did (a
    /// chain of refreshes capped at its first token's expiry). Whether Zendesk caps a chain
    /// is not documented; `false` (each refresh starts a new lifetime) is what it says.
    #[cfg(feature = "testing")]
    pub capped_refresh_chain: bool,
    /// `testing`: answers no honest server sends; see [`Hostile`]. Can be changed while running.
    #[cfg(feature = "testing")]
    pub hostile: Option<Hostile>,
    /// `testing`: Zendesk documents 201; clients must accept any 2xx, so tests may pick 200.
    #[cfg(feature = "testing")]
    pub success_status: u16,
    /// `testing`: `true`: every error answer carries the raw request (body, method and query,
    /// headers) in its `error_description`, as a debugging server or a chatty proxy does.
    #[cfg(feature = "testing")]
    pub echo_requests_in_errors: bool,
    /// `testing`: API requests let in per minute; `None` switches the limit off (200).
    #[cfg(feature = "testing")]
    pub rate_limit_per_minute: Option<u32>,
    /// `testing`: `true`: a 429 comes without `Retry-After`, as Zendesk's sometimes do.
    #[cfg(feature = "testing")]
    pub omit_retry_after: bool,
    /// `testing`: how many records each list endpoint holds (3).
    #[cfg(feature = "testing")]
    pub api_records: usize,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            clients: vec![FakeClient::public(
                "zdauth_test",
                "http://127.0.0.1:8765/callback",
            )],
            lenient_lifetimes: false,
            approval: Approval::Auto,
            latency: Duration::ZERO,
            user: FakeUser::default(),
            api_tokens: Vec::new(),
            #[cfg(feature = "testing")]
            access_lifetime: ZENDESK_ACCESS_LIFETIME,
            #[cfg(feature = "testing")]
            refresh_lifetime: ZENDESK_REFRESH_LIFETIME,
            #[cfg(feature = "testing")]
            code_lifetime: ZENDESK_CODE_LIFETIME,
            #[cfg(feature = "testing")]
            strict_rotation: true,
            #[cfg(feature = "testing")]
            include_refresh_expires_in: true,
            #[cfg(feature = "testing")]
            omit_expires_in: false,
            #[cfg(feature = "testing")]
            opaque_tokens: false,
            #[cfg(feature = "testing")]
            max_access_lifetime: None,
            #[cfg(feature = "testing")]
            max_refresh_lifetime: None,
            #[cfg(feature = "testing")]
            capped_refresh_chain: false,
            #[cfg(feature = "testing")]
            hostile: None,
            #[cfg(feature = "testing")]
            success_status: 201,
            #[cfg(feature = "testing")]
            echo_requests_in_errors: false,
            #[cfg(feature = "testing")]
            rate_limit_per_minute: Some(ZENDESK_RATE_LIMIT),
            #[cfg(feature = "testing")]
            omit_retry_after: false,
            #[cfg(feature = "testing")]
            api_records: DEFAULT_API_RECORDS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_client_secrets() {
        let options = FakeOptions {
            clients: vec![FakeClient::confidential("c", "s3cr3t-value", "http://x/")],
            ..FakeOptions::default()
        };
        let options = FakeOptions {
            api_tokens: vec![FakeApiToken::admin("a@b.test", "apitok-value")],
            ..options
        };
        let shown = format!("{options:?}");
        assert!(!shown.contains("s3cr3t-value"));
        assert!(!shown.contains("apitok-value"));
        assert!(shown.contains("[redacted]"));
    }
}
