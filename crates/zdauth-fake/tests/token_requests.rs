//! What a token request may carry: lifetimes within Zendesk's bounds (or any, leniently),
//! and JSON or form bodies.

use std::time::Duration;

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use zdauth_fake::FakeOptions;

use crate::support::{
    PUBLIC, REDIRECT, code_for, get_api, http, options, post_form, refresh, start, text, verifier,
};

#[tokio::test]
async fn lifetime_bounds_strict_and_lenient() {
    let fake = start(options()).await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    for (name, value) in [
        ("expires_in", "300"),
        ("expires_in", "172800"),
        ("expires_in", "0"),
        ("expires_in", "ten"),
        ("refresh_token_expires_in", "604800"),
        ("refresh_token_expires_in", "7776000"),
    ] {
        let (status, error) = post_form(
            &fake,
            "/oauth/tokens",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &issued.refresh_token),
                ("client_id", PUBLIC),
                (name, value),
            ],
        )
        .await;
        assert_eq!(
            (status, text(&error, "error")),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{name}={value}"
        );
    }
    let (status, tokens) = post_form(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &issued.refresh_token),
            ("client_id", PUBLIC),
            ("expires_in", "301"),
            ("refresh_token_expires_in", "7775999"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a rejected lifetime did not burn the token"
    );
    assert_eq!(
        (
            tokens["expires_in"].as_u64(),
            tokens["refresh_token_expires_in"].as_u64()
        ),
        (Some(301), Some(7_775_999))
    );

    let lenient = start(FakeOptions {
        lenient_lifetimes: true,
        ..options()
    })
    .await;
    let issued = lenient.issue_grant(PUBLIC, &["read"]);
    let (status, tokens) = post_form(
        &lenient,
        "/oauth/tokens",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &issued.refresh_token),
            ("client_id", PUBLIC),
            ("expires_in", "1"),
            ("refresh_token_expires_in", "2"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(tokens["expires_in"], 1);
    let access = text(&tokens, "access_token");
    assert!(lenient.access_token_works(access));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(!lenient.access_token_works(access), "expired after 1 s");
    let (status, _) = get_api(&lenient, "/api/v2/users/me.json", Some(access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn json_and_form_bodies_are_both_accepted() {
    let fake = start(FakeOptions {
        success_status: 200,
        include_refresh_expires_in: false,
        ..options()
    })
    .await;
    let v = verifier();
    let code = code_for(&fake, PUBLIC, &v).await;
    let response = http()
        .post(format!("{}/oauth/tokens", fake.base_url()))
        .json(&json!({
            "grant_type": "authorization_code", "code": code, "client_id": PUBLIC,
            "redirect_uri": REDIRECT, "code_verifier": v, "expires_in": 600,
        }))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK, "success_status knob");
    let tokens: Value = response.json().await.expect("JSON");
    assert_eq!(tokens["expires_in"], 600, "JSON numbers are read");
    assert!(
        tokens.get("refresh_token_expires_in").is_none(),
        "knob drops the field"
    );
    let (status, _) = refresh(&fake, PUBLIC, text(&tokens, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK);

    let response = http()
        .post(format!("{}/oauth/tokens", fake.base_url()))
        .header(header::CONTENT_TYPE, "text/plain")
        .body("grant_type=refresh_token")
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (status, error) = post_form(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "refresh_token"),
            ("grant_type", "refresh_token"),
        ],
    )
    .await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::BAD_REQUEST, "invalid_request"),
        "repeated parameter"
    );
}
