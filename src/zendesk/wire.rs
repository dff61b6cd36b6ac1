//! The JSON Zendesk sends, as zdauth reads it.

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::secret::Secret;
use crate::vault::{Tokens, User};

#[derive(Deserialize)]
pub struct TokenResponse {
    pub access_token: Secret,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
    /// Unconfirmed for Zendesk: read when present, else learned from tokens/current.json.
    #[serde(default)]
    pub refresh_token_expires_in: Option<i64>,
}

impl TokenResponse {
    /// `asked_scopes` stand in when the server does not echo `scope`.
    pub fn into_tokens(self, now: Timestamp, asked_scopes: &[String]) -> Tokens {
        let after = |seconds: Option<i64>| {
            seconds
                .filter(|s| *s > 0)
                .map(|s| now + SignedDuration::from_secs(s))
        };
        Tokens {
            access_token: self.access_token,
            refresh_token: self.refresh_token,
            // Both are shown (status, the TUI): cleaned as they come in (checklist item 29).
            token_type: self
                .token_type
                .map_or_else(|| "bearer".into(), |t| crate::text::display(&t)),
            scopes: self.scope.map_or_else(
                || asked_scopes.to_vec(),
                |s| {
                    let shown = crate::text::display(&s);
                    shown.split_whitespace().map(str::to_owned).collect()
                },
            ),
            obtained_at: now,
            expires_at: after(self.expires_in),
            refresh_expires_at: after(self.refresh_token_expires_in),
        }
    }
}

#[derive(Deserialize)]
pub struct OAuthErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

#[derive(Deserialize)]
pub struct UserEnvelope {
    pub user: WireUser,
}

#[derive(Deserialize)]
pub struct WireUser {
    /// Null for the anonymous user Zendesk answers to a token it does not accept.
    pub id: Option<u64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
}

impl WireUser {
    /// Cleaned as it comes in (checklist item 29): the vault never stores an escape code.
    pub fn into_user(self) -> Option<User> {
        let shown = |field: Option<String>| crate::text::display(&field.unwrap_or_default());
        Some(User {
            id: self.id?,
            name: shown(self.name),
            email: shown(self.email),
            role: shown(self.role),
        })
    }
}

#[derive(Deserialize)]
pub struct CurrentTokenEnvelope {
    pub token: CurrentToken,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CurrentToken {
    /// Zendesk sends a number; taken as text so either form works.
    #[serde(deserialize_with = "number_or_string")]
    pub id: String,
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    #[serde(default)]
    pub refresh_token_expires_at: Option<Timestamp>,
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(u64),
        Text(String),
    }
    Ok(match Id::deserialize(deserializer)? {
        Id::Number(n) => n.to_string(),
        Id::Text(t) => t,
    })
}
