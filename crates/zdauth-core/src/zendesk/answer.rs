//! A token endpoint's success answer, read as hostile input (checklist items 26 and 28).
//!
//! By the time this runs a refresh token or code has been spent, so nothing here may panic or
//! throw away a part of the answer that can still be used: every field is taken as whatever
//! JSON it is, lifetimes are clamped before they meet the clock, and a malformed access token
//! does not cost a well-formed refresh token (nor the other way round).

use std::fmt;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::error::ZendeskError;
use super::jwt;
use crate::expiry::{self, ExpirySource, Which};
use crate::secret::Secret;
use crate::vault::Tokens;

/// What of an answer could be used when one of its two tokens could not.
#[derive(Debug, Clone)]
pub enum Salvage {
    /// The access token was malformed; the new refresh token is fine.
    RefreshToken {
        refresh_token: Secret,
        refresh_expires_at: Option<Timestamp>,
    },
    /// The refresh token was malformed; the access token is fine (stored without one).
    AccessToken(Tokens),
}

impl ZendeskError {
    /// The error's one-line message and what its answer still holds, for a partly unusable
    /// answer; any other error back as it was.
    pub(crate) fn into_salvage(self) -> Result<(String, Salvage), ZendeskError> {
        let message = self.to_string();
        match self {
            ZendeskError::PartlyUnusable { salvage, .. } => Ok((message, *salvage)),
            other => Err(other),
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    access_token: Field,
    #[serde(default)]
    refresh_token: Field,
    #[serde(default)]
    token_type: Option<Value>,
    #[serde(default)]
    scope: Option<Value>,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    refresh_token_expires_in: Option<Value>,
}

/// A token field as sent: text, or anything else JSON can hold.
#[derive(Default)]
enum Field {
    #[default]
    Absent,
    Text(Secret),
    NotText,
}

/// Whether `token` is a plain RFC 6750 bearer token, safe to print, export or send.
pub fn is_plain_token(token: &str) -> bool {
    shape_problem(token).is_none()
}

/// Why a token is unusable; safe to show (it never quotes the token).
fn shape_problem(token: &str) -> Option<&'static str> {
    if token.is_empty() {
        return Some("it is empty");
    }
    // RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let body = token.trim_end_matches('=');
    let plain = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
    (!plain).then_some("it holds characters a bearer token cannot have")
}

impl Field {
    /// `Ok(None)`: not sent.
    fn check(self) -> Result<Option<Secret>, &'static str> {
        match self {
            Field::Absent => Ok(None),
            Field::NotText => Err("it is not text"),
            Field::Text(token) => match shape_problem(token.expose()) {
                Some(problem) => Err(problem),
                None => Ok(Some(token)),
            },
        }
    }
}

/// `asked_scopes` stand in when the server does not echo `scope`.
pub(super) fn read(
    endpoint: &'static str,
    body: &[u8],
    now: Timestamp,
    asked_scopes: &[String],
) -> Result<Tokens, ZendeskError> {
    let Raw {
        access_token,
        refresh_token,
        token_type,
        scope,
        expires_in,
        refresh_token_expires_in,
    } = serde_json::from_slice(body).map_err(|_| ZendeskError::Malformed {
        endpoint,
        reason: "not a JSON object holding a token".into(),
    })?;
    let rest = Rest {
        token_type,
        scope,
        expires_in,
        now,
        asked_scopes,
    };
    let refresh_expires_at = lifetime(
        refresh_token_expires_in.as_ref(),
        "refresh_token_expires_in",
    )
    .map(|secs| expiry::after(now, secs, Which::RefreshToken));
    let malformed = |why: &str| ZendeskError::Malformed {
        endpoint,
        reason: format!("the access token is unusable: {why}"),
    };
    match (access_token.check(), refresh_token.check()) {
        (Ok(Some(access)), Ok(refresh)) => Ok(rest.tokens(access, refresh, refresh_expires_at)),
        (Ok(Some(access)), Err(why)) => {
            tracing::warn!(
                endpoint,
                why,
                "an unusable refresh token beside a usable access token"
            );
            Err(ZendeskError::PartlyUnusable {
                endpoint,
                part: "refresh token",
                reason: why,
                salvage: Box::new(Salvage::AccessToken(rest.tokens(access, None, None))),
            })
        }
        (Ok(None), _) => Err(malformed("it is missing")),
        (Err(why), Ok(Some(refresh_token))) => {
            tracing::warn!(
                endpoint,
                why,
                "an unusable access token beside a usable refresh token"
            );
            Err(ZendeskError::PartlyUnusable {
                endpoint,
                part: "access token",
                reason: why,
                salvage: Box::new(Salvage::RefreshToken {
                    refresh_token,
                    refresh_expires_at,
                }),
            })
        }
        (Err(why), _) => Err(malformed(why)),
    }
}

/// The fields besides the two tokens.
struct Rest<'a> {
    token_type: Option<Value>,
    scope: Option<Value>,
    expires_in: Option<Value>,
    now: Timestamp,
    asked_scopes: &'a [String],
}

impl Rest<'_> {
    fn tokens(
        self,
        access_token: Secret,
        refresh_token: Option<Secret>,
        refresh_expires_at: Option<Timestamp>,
    ) -> Tokens {
        let now = self.now;
        let (expires_at, expiry_source) = match lifetime(self.expires_in.as_ref(), "expires_in") {
            Some(secs) => (
                expiry::after(now, secs, Which::AccessToken),
                ExpirySource::Server,
            ),
            None => match jwt_expiry(&access_token, now) {
                Some(at) => (at, ExpirySource::Jwt),
                // tokens/current.json may tell better; it is asked only after the pair is
                // stored, and until then this default stands.
                None => (
                    expiry::after(now, default_secs(), Which::AccessToken),
                    ExpirySource::Assumed,
                ),
            },
        };
        Tokens {
            access_token,
            refresh_expires_at: refresh_token.as_ref().and(refresh_expires_at),
            refresh_token,
            token_type: token_type(self.token_type),
            scopes: scopes(self.scope).unwrap_or_else(|| self.asked_scopes.to_vec()),
            obtained_at: now,
            expires_at: Some(expires_at),
            expiry_source,
        }
    }
}

fn default_secs() -> i64 {
    expiry::DEFAULT_ACCESS_LIFETIME.as_secs().cast_signed()
}

/// A lifetime in whole seconds, or `None` when it is absent, not an integer, or not positive.
fn lifetime(value: Option<&Value>, field: &'static str) -> Option<i64> {
    let value = value.filter(|v| !v.is_null())?;
    let secs = match value {
        // Beyond i64 is still a (huge) integer: clamped later like any other.
        Value::Number(n) => n.as_i64().or_else(|| n.as_u64().map(|_| i64::MAX)),
        _ => None,
    };
    match secs {
        Some(secs) if secs > 0 => Some(secs),
        _ => {
            tracing::warn!(field, "not a positive whole number of seconds: ignored");
            None
        }
    }
}

/// The JWT's own `exp`, if it lies ahead; beyond Zendesk's bound it is clamped like
/// `expires_in`.
fn jwt_expiry(access_token: &Secret, now: Timestamp) -> Option<Timestamp> {
    let exp = jwt::access_token_exp(access_token.expose())?;
    let left = exp.saturating_sub(now.as_second());
    if left <= 0 {
        tracing::warn!("the access token's own exp is not ahead: ignored");
        return None;
    }
    Some(expiry::after(now, left, Which::AccessToken))
}

/// `bearer` unless the server sent a plain word: the value is shown on screen.
fn token_type(value: Option<Value>) -> String {
    match value {
        Some(Value::String(t))
            if !t.is_empty()
                && t.len() <= 32
                && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            t
        }
        _ => "bearer".into(),
    }
}

/// RFC 6749 §3.3 scope tokens only (printable ASCII, no quote or backslash): they are shown
/// on screen, so escape codes never get through. `None`: not sent as text.
fn scopes(value: Option<Value>) -> Option<Vec<String>> {
    let Some(Value::String(text)) = value else {
        return None;
    };
    let (kept, dropped): (Vec<&str>, Vec<&str>) = text.split_whitespace().partition(|word| {
        word.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
    });
    if !dropped.is_empty() {
        tracing::warn!(
            dropped = dropped.len(),
            "scope words that are not RFC 6749 scope tokens were dropped"
        );
    }
    Some(kept.into_iter().map(str::to_owned).collect())
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        Ok(Field::Text(Secret::new(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Field, E> {
        Ok(Field::Text(Secret::new(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Field, E> {
        Ok(Field::Absent)
    }

    fn visit_none<E: de::Error>(self) -> Result<Field, E> {
        Ok(Field::Absent)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Field, E> {
        Ok(Field::NotText)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Field, E> {
        Ok(Field::NotText)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Field, E> {
        Ok(Field::NotText)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Field, E> {
        Ok(Field::NotText)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::NotText)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::NotText)
    }
}

#[cfg(test)]
mod tests;
