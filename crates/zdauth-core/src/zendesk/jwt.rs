//! The `exp` of a JWT access token (RFC 9068, header `typ: at+jwt`), the first fallback when
//! a token answer gives no usable `expires_in`.
//!
//! Read without checking the signature: the value only decides when zdauth refreshes, never
//! whether a token is trusted, and nothing else in the token is looked at. Hand-written
//! rather than taken from a JWT crate: those are built to verify, and the two base64 decodes
//! and one JSON field needed here are less code than a crate's insecure-decode path.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

/// Longer than any access token Zendesk issues; a longer one is not decoded at all.
const MAX_TOKEN: usize = 16 * 1024;

const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Seconds since the epoch at which the token says it expires, if it is an `at+jwt` with a
/// numeric `exp`. Any other input, of any bytes, gives `None`.
// A float `exp` beyond i64 saturates in the cast, which is the clamp wanted: the caller bounds
// every lifetime anyway.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn access_token_exp(token: &str) -> Option<i64> {
    if token.len() > MAX_TOKEN {
        return None;
    }
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header = object(header)?;
    let typ = header.get("typ")?.as_str()?;
    if !typ.eq_ignore_ascii_case("at+jwt") && !typ.eq_ignore_ascii_case("application/at+jwt") {
        return None;
    }
    let exp = object(payload)?.get("exp")?.clone();
    // RFC 7519 §2: a NumericDate may have a fraction.
    match exp {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.floor() as i64)
        }),
        _ => None,
    }
}

fn object(segment: &str) -> Option<serde_json::Map<String, Value>> {
    let bytes = BASE64URL.decode(segment).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_exp_of_an_at_jwt() {
        let typ = r#"{"alg":"RS256","typ":"at+jwt"}"#;
        assert_eq!(
            access_token_exp(&jwt(typ, r#"{"exp":1800000000}"#)),
            Some(1_800_000_000)
        );
        assert_eq!(
            access_token_exp(&jwt(typ, r#"{"exp":1800000000.7}"#)),
            Some(1_800_000_000)
        );
        let app = r#"{"typ":"application/at+jwt"}"#;
        assert_eq!(access_token_exp(&jwt(app, r#"{"exp":5}"#)), Some(5));
    }

    #[test]
    fn anything_else_is_none() {
        let typ = r#"{"typ":"at+jwt"}"#;
        for token in [
            String::new(),
            "opaque-token".into(),
            "a.b.c".into(),
            "..".into(),
            jwt(r#"{"typ":"JWT"}"#, r#"{"exp":5}"#),
            jwt(r#"{"alg":"none"}"#, r#"{"exp":5}"#),
            jwt(typ, r#"{"exp":"5"}"#),
            jwt(typ, r#"{"exp":null}"#),
            jwt(typ, r#"{"iat":5}"#),
            jwt(typ, r"[1]"),
            jwt(typ, r#"{"exp":1e999}"#),
            jwt("[]", r#"{"exp":5}"#),
            format!("{}.x", jwt(typ, r#"{"exp":5}"#)),
            format!("{}{}", "a".repeat(MAX_TOKEN), jwt(typ, r#"{"exp":5}"#)),
        ] {
            assert_eq!(access_token_exp(&token), None, "{token}");
        }
        // Huge numbers are data, cast without a panic.
        assert_eq!(
            access_token_exp(&jwt(typ, r#"{"exp":1e300}"#)),
            Some(i64::MAX)
        );
        assert_eq!(
            access_token_exp(&jwt(typ, r#"{"exp":-1e300}"#)),
            Some(i64::MIN)
        );
    }
}
