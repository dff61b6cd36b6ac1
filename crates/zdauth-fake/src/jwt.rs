//! Access tokens shaped as Zendesk's are: JWTs with header `typ: at+jwt` (RFC 9068) and an
//! `exp` claim, base64url without padding. The signature is random bytes, which together with
//! the random `jti` makes each token unique and unguessable; the fake never verifies one, it
//! looks tokens up as the opaque strings clients must treat them as.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use rand::RngCore;
use serde_json::{Value, json};

use crate::crypto::random_token;

pub(crate) struct Claims<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) user_id: u64,
    pub(crate) scopes: &'a [String],
    pub(crate) issued_at: Timestamp,
    pub(crate) exp: Value,
}

pub(crate) fn access_token(claims: &Claims) -> String {
    let header = json!({ "alg": "RS256", "kid": "fake-zendesk-1", "typ": "at+jwt" });
    let payload = json!({
        "iss": claims.issuer,
        "sub": claims.user_id.to_string(),
        "aud": claims.issuer,
        "client_id": claims.client_id,
        "scope": claims.scopes.join(" "),
        "iat": claims.issued_at.as_second(),
        "exp": claims.exp,
        "jti": random_token(),
    });
    // An RS256 signature is as long as its 2048-bit key.
    let mut signature = [0u8; 256];
    rand::rng().fill_bytes(&mut signature);
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_at_jwts_with_exp_and_unique() {
        let scopes = ["read".to_owned()];
        let claims = Claims {
            issuer: "http://127.0.0.1:1",
            client_id: "c",
            user_id: 7,
            scopes: &scopes,
            issued_at: Timestamp::UNIX_EPOCH,
            exp: json!(1800),
        };
        let token = access_token(&claims);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert!(!token.contains('='), "no padding");
        let decode = |part: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
        };
        assert_eq!(decode(parts[0])["typ"], "at+jwt");
        assert_eq!(decode(parts[1])["exp"], 1800);
        assert_ne!(token, access_token(&claims));
    }
}
