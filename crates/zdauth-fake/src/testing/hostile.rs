//! Answers no honest server sends, for proving that zdauth survives them: whatever the token
//! endpoint says, the rotation behind it is real (the refresh token sent is spent), so a
//! client that cannot take the answer loses the grant.

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::options::{FakeOptions, FakeUser};

/// Set with `FakeZendesk::set_hostile` or `FakeOptions::hostile`; applies to every token
/// answer until cleared.
#[derive(Clone, Debug, PartialEq)]
pub enum Hostile {
    /// `expires_in` and `refresh_token_expires_in` in the answer are these values, whatever
    /// was granted: 10^12, -5, "soon", 1.5, null, `u64::MAX` …
    Lifetimes {
        expires_in: Value,
        refresh_token_expires_in: Value,
    },
    /// The answer's `access_token` is this value instead of the token issued: "", a newline,
    /// an escape sequence, a number …
    AccessToken(Value),
    /// The answer's `refresh_token` is this value instead of the token issued.
    RefreshToken(Value),
    /// New access tokens carry this `exp` claim in their JWT payload (the token itself still
    /// works until its real expiry).
    JwtExp(Value),
}

impl FakeOptions {
    /// The `exp` claim of a new access token that really expires at `expires_at`.
    pub(crate) fn jwt_exp(&self, expires_at: Timestamp) -> Value {
        match &self.hostile {
            Some(Hostile::JwtExp(value)) => value.clone(),
            _ => expires_at.as_second().into(),
        }
    }

    /// Replaces values of a token answer already built, after the fact.
    pub(crate) fn rewrite_answer(&self, body: &mut Map<String, Value>) {
        match &self.hostile {
            Some(Hostile::Lifetimes {
                expires_in,
                refresh_token_expires_in,
            }) => {
                body.insert("expires_in".into(), expires_in.clone());
                body.insert(
                    "refresh_token_expires_in".into(),
                    refresh_token_expires_in.clone(),
                );
            }
            Some(Hostile::AccessToken(value)) => {
                body.insert("access_token".into(), value.clone());
            }
            Some(Hostile::RefreshToken(value)) => {
                body.insert("refresh_token".into(), value.clone());
            }
            Some(Hostile::JwtExp(_)) | None => {}
        }
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_hostile_answer_replaces_only_its_fields() {
        let options = FakeOptions {
            hostile: Some(Hostile::RefreshToken(json!(7))),
            ..FakeOptions::default()
        };
        let mut body = Map::new();
        body.insert("access_token".into(), json!("a"));
        body.insert("refresh_token".into(), json!("r"));
        options.rewrite_answer(&mut body);
        assert_eq!(body["refresh_token"], json!(7));
        assert_eq!(body["access_token"], json!("a"));
        let at = Timestamp::from_second(1_000).unwrap();
        assert_eq!(options.jwt_exp(at), json!(1_000));
    }
}
