use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::SignedDuration;
use serde_json::json;

use super::*;

const E: &str = "the token endpoint";

fn now() -> Timestamp {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

fn read_json(value: &Value) -> Result<Tokens, ZendeskError> {
    read(E, value.to_string().as_bytes(), now(), &["read".to_owned()])
}

fn jwt_with_exp(exp: &Value) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"typ":"at+jwt","alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(json!({ "exp": exp }).to_string())
    )
}

// Compared with `Tokens`' optional expiries, so it is an `Option` itself.
#[allow(clippy::unnecessary_wraps)]
fn secs(n: i64) -> Option<Timestamp> {
    Some(now() + SignedDuration::from_secs(n))
}

#[test]
fn expires_in_then_the_jwt_then_the_default() {
    let jwt = jwt_with_exp(&json!(now().as_second() + 600));
    let t =
        read_json(&json!({"access_token": jwt, "refresh_token": "r", "expires_in": 1200})).unwrap();
    assert_eq!(
        (t.expires_at, t.expiry_source),
        (secs(1200), ExpirySource::Server)
    );
    let t = read_json(&json!({"access_token": jwt, "refresh_token": "r"})).unwrap();
    assert_eq!(
        (t.expires_at, t.expiry_source),
        (secs(600), ExpirySource::Jwt)
    );
    let t = read_json(&json!({"access_token": "opaque", "refresh_token": "r"})).unwrap();
    assert_eq!(
        (t.expires_at, t.expiry_source),
        (secs(1800), ExpirySource::Assumed)
    );
}

#[test]
fn unusable_lifetimes_fall_back_and_huge_ones_are_clamped() {
    for bad in [
        json!(0),
        json!(-5),
        json!("1800"),
        json!(1.5),
        json!(null),
        json!([1]),
        json!(1e300),
    ] {
        let t = read_json(
            &json!({"access_token": "a", "expires_in": bad, "refresh_token_expires_in": bad}),
        )
        .unwrap();
        assert_eq!(t.expiry_source, ExpirySource::Assumed, "{bad}");
    }
    for huge in [
        json!(1_000_000_000_000_i64),
        json!(i64::MAX),
        json!(u64::MAX),
    ] {
        let t = read_json(&json!({
            "access_token": "a", "refresh_token": "r",
            "expires_in": huge, "refresh_token_expires_in": huge,
        }))
        .unwrap();
        assert_eq!(t.expires_at, secs(172_800), "{huge}");
        assert_eq!(t.refresh_expires_at, secs(7_776_000), "{huge}");
        assert_eq!(t.expiry_source, ExpirySource::Server);
    }
    // A JWT whose exp is past, absurd or not a number is no expiry either.
    for exp in [
        json!(0),
        json!(-1e300),
        json!("soon"),
        json!(now().as_second()),
    ] {
        let t = read_json(&json!({"access_token": jwt_with_exp(&exp)})).unwrap();
        assert_eq!(t.expiry_source, ExpirySource::Assumed, "{exp}");
    }
    let t = read_json(&json!({"access_token": jwt_with_exp(&json!(1e300))})).unwrap();
    assert_eq!(
        (t.expires_at, t.expiry_source),
        (secs(172_800), ExpirySource::Jwt)
    );
}

#[test]
fn malformed_access_tokens_are_refused_and_a_good_refresh_token_is_salvaged() {
    for bad in [
        json!(""),
        json!("a\nb"),
        json!("a b"),
        json!("\u{1b}[2J"),
        json!("é"),
        json!(5),
        json!({"x": 1}),
        json!("="),
    ] {
        let error = read_json(&json!({"access_token": bad, "refresh_token": "new-rt", "refresh_token_expires_in": 2_592_000}))
            .unwrap_err();
        let (message, salvage) = error.into_salvage().expect("salvaged");
        assert!(message.contains("unusable access token"), "{message}");
        let Salvage::RefreshToken {
            refresh_token,
            refresh_expires_at,
        } = salvage
        else {
            panic!("the refresh token is what remains");
        };
        assert_eq!(refresh_token.expose(), "new-rt");
        assert_eq!(refresh_expires_at, secs(2_592_000));

        let alone = read_json(&json!({"access_token": bad})).unwrap_err();
        assert!(matches!(alone, ZendeskError::Malformed { .. }), "{bad}");
    }
    let missing = read_json(&json!({"refresh_token": "r"})).unwrap_err();
    assert!(missing.to_string().contains("missing"), "{missing}");
    for body in ["[]", "null", "{", "\"x\""] {
        assert!(matches!(
            read(E, body.as_bytes(), now(), &[]),
            Err(ZendeskError::Malformed { .. })
        ));
    }
}

#[test]
fn a_malformed_refresh_token_leaves_the_access_token_without_one() {
    let error = read_json(
        &json!({"access_token": "good.token~", "refresh_token": "bad\r\n", "expires_in": 600}),
    )
    .unwrap_err();
    let Ok((_, Salvage::AccessToken(tokens))) = error.into_salvage() else {
        panic!("the access token is what remains");
    };
    assert_eq!(tokens.access_token.expose(), "good.token~");
    assert!(tokens.refresh_token.is_none());
    assert!(tokens.refresh_expires_at.is_none());
    assert_eq!(tokens.expires_at, secs(600));
}

#[test]
fn shown_fields_carry_no_control_characters() {
    let t = read_json(&json!({
        "access_token": "a+/b==", "token_type": "bearer\u{1b}[31m",
        "scope": "read \u{1b}]52;c;eA==\u{7} write tickets:read \"q\"",
    }))
    .unwrap();
    assert_eq!(t.token_type, "bearer");
    assert_eq!(t.scopes, ["read", "write", "tickets:read"]);
    assert!(t.refresh_token.is_none());
    let t = read_json(&json!({"access_token": "a", "scope": 5, "token_type": "Bearer"})).unwrap();
    assert_eq!(t.scopes, ["read"], "asked scopes stand in");
    assert_eq!(t.token_type, "Bearer");
}

proptest::proptest! {
    #[test]
    fn no_bytes_make_the_reader_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        let _ = read(E, &body, now(), &[]);
    }

    #[test]
    fn no_token_or_number_makes_the_reader_panic(
        token in ".{0,80}",
        exp in proptest::num::f64::ANY,
        secs in proptest::num::i64::ANY,
        big in proptest::num::u64::ANY,
    ) {
        for access in [token.clone(), jwt_with_exp(&json!(exp)), jwt_with_exp(&json!(secs)), format!("{token}.{token}.{token}")] {
            let body = json!({
                "access_token": access, "refresh_token": token,
                "expires_in": secs, "refresh_token_expires_in": big,
                "scope": token, "token_type": token,
            });
            if let Ok(tokens) = read_json(&body) {
                let left = tokens.expires_at.unwrap().duration_since(now()).as_secs();
                proptest::prop_assert!(left <= 172_800);
            }
        }
    }
}
