//! The JSON Zendesk sends, as zdauth reads it.

use jiff::Timestamp;
use serde::Deserialize;

use crate::vault::User;

#[derive(Deserialize)]
pub(crate) struct OAuthErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct UserEnvelope {
    pub user: WireUser,
}

#[derive(Deserialize)]
pub(crate) struct WireUser {
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
    /// Cleaned as it comes in (checklist item 29): the vault never stores an escape code, and
    /// no field is longer than a name or an address can be (a 256 KiB name would flood the
    /// terminal on every `whoami` and `status`).
    pub(crate) fn into_user(self) -> Option<User> {
        const MAX_FIELD_CHARS: usize = 254;
        let shown = |field: Option<String>| {
            crate::text::display(&field.unwrap_or_default())
                .chars()
                .take(MAX_FIELD_CHARS)
                .collect()
        };
        Some(User {
            id: self.id?,
            name: shown(self.name),
            email: shown(self.email),
            role: shown(self.role),
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct CurrentTokenEnvelope {
    pub token: CurrentToken,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CurrentToken {
    /// Zendesk sends a number; taken as text so either form works.
    #[serde(deserialize_with = "number_or_string")]
    pub id: String,
    /// A value that is not an RFC 3339 time (or is out of range) reads as not given, so a
    /// hostile one cannot fail a revoke that needs only the id.
    #[serde(default, deserialize_with = "lenient_time")]
    pub expires_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub refresh_token_expires_at: Option<Timestamp>,
}

fn lenient_time<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(value.as_str().and_then(|text| text.parse().ok()))
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
