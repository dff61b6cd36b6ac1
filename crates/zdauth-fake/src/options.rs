//! What a test (or the demo) configures before the fake starts.

use std::fmt;
use std::time::Duration;

use super::hostile::Hostile;

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
    /// Made before Zendesk had refresh tokens: without `expires_in` in the request, a token
    /// that never expires and no refresh token.
    pub legacy: bool,
}

impl FakeClient {
    pub fn public(identifier: &str, redirect_uri: &str) -> Self {
        Self {
            identifier: identifier.to_owned(),
            secret: None,
            redirect_uris: vec![redirect_uri.to_owned()],
            kind: FakeKind::Support,
            legacy: false,
        }
    }

    /// A public client of the kind made before Zendesk had refresh tokens.
    pub fn legacy(identifier: &str, redirect_uri: &str) -> Self {
        Self {
            legacy: true,
            ..Self::public(identifier, redirect_uri)
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
        f.debug_struct("FakeClient")
            .field("identifier", &self.identifier)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("redirect_uris", &self.redirect_uris)
            .field("kind", &self.kind)
            .field("legacy", &self.legacy)
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

impl FakeUser {
    /// A user whose every field tries to drive the terminal: an OSC 52 clipboard write, a
    /// screen clear, 8-bit CSI, DEL, and bidi overrides, isolates and marks.
    pub fn with_terminal_tricks() -> Self {
        Self {
            id: 1002,
            name: "Eve\u{1b}]52;c;cHduZWQ=\u{7} \u{202e}nimdA\u{202c} Evil".to_owned(),
            email: "eve\u{1b}[2J@acme\u{9b}31m.test\u{7f}\u{2066}\u{200f}".to_owned(),
            role: "ad\u{1b}[1mmin\u{8}\u{2067}\u{200e}\u{61c}\u{202a}".to_owned(),
        }
    }
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

#[derive(Clone, Debug)]
pub struct FakeOptions {
    pub clients: Vec<FakeClient>,
    /// Used when a token request carries no `expires_in`.
    pub access_lifetime: Duration,
    /// Used when a token request carries no `refresh_token_expires_in`.
    pub refresh_lifetime: Duration,
    /// How long an authorization code stays exchangeable (Zendesk: 120 s); tests shorten it.
    pub code_lifetime: Duration,
    /// `false` enforces Zendesk's bounds on requested lifetimes; `true` accepts any positive
    /// value so the demo and tests can watch tokens expire within seconds.
    pub lenient_lifetimes: bool,
    pub approval: Approval,
    /// `true`: a replayed, already rotated refresh token revokes the whole grant (RFC 9700
    /// §4.14.2). `false`: it only gets `invalid_grant`.
    pub strict_rotation: bool,
    /// Zendesk sends `refresh_token_expires_in` beside every refresh token; `false` makes a
    /// server that does not (zdauth then asks tokens/current.json).
    pub include_refresh_expires_in: bool,
    /// `true`: never `expires_in` in an answer, even when asked (the JWT's `exp` and
    /// tokens/current.json still tell). Zendesk sends it when asked.
    pub omit_expires_in: bool,
    /// `true`: access tokens are opaque random strings, not JWTs.
    pub opaque_tokens: bool,
    /// A server policy: access tokens live at most this long, whatever was asked, and
    /// `expires_in` says the lifetime granted. For tests that need rotations every few
    /// seconds, which a client that asks for Zendesk's bounds cannot ask for.
    pub max_access_lifetime: Option<Duration>,
    /// Answers no honest server sends; see [`Hostile`]. Can be changed while running.
    pub hostile: Option<Hostile>,
    /// Zendesk documents 201; clients must accept any 2xx, so tests may pick 200.
    pub success_status: u16,
    /// Added before every answer.
    pub latency: Duration,
    pub user: FakeUser,
    /// `true`: every error answer carries the raw request (body, method and query, headers) in
    /// its `error_description`, as a debugging server or a chatty proxy does.
    pub echo_requests_in_errors: bool,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            clients: vec![FakeClient::public(
                "zdauth_test",
                "http://127.0.0.1:8765/callback",
            )],
            access_lifetime: Duration::from_secs(1800),
            refresh_lifetime: Duration::from_secs(30 * 24 * 3600),
            code_lifetime: Duration::from_secs(120),
            lenient_lifetimes: false,
            approval: Approval::Auto,
            strict_rotation: true,
            include_refresh_expires_in: true,
            omit_expires_in: false,
            opaque_tokens: false,
            max_access_lifetime: None,
            hostile: None,
            success_status: 201,
            latency: Duration::ZERO,
            user: FakeUser::default(),
            echo_requests_in_errors: false,
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
        let shown = format!("{options:?}");
        assert!(!shown.contains("s3cr3t-value"));
        assert!(shown.contains("[redacted]"));
    }
}
