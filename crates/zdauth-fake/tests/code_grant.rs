//! Codes are single-use and bound to their client, redirect URI, verifier and lifetime;
//! confidential clients must prove their secret.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk};

use crate::support::{
    CONFIDENTIAL, PUBLIC, REDIRECT, SECRET, code_for, exchange, get_authorize, grant_of, http,
    location, options, post_form, refresh, start, text, verifier,
};

#[tokio::test]
async fn code_replay_fails_and_revokes_what_it_issued() {
    let fake = start(options()).await;
    let verifier = verifier();
    let code = code_for(&fake, PUBLIC, &verifier).await;
    let (status, tokens) = exchange(&fake, &code, &verifier).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, error) = exchange(&fake, &code, &verifier).await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert!(!fake.access_token_works(text(&tokens, "access_token")));
    assert!(!fake.grant_alive(&grant_of(&fake)));
}

#[tokio::test]
async fn code_is_bound_to_redirect_uri_verifier_client_and_lifetime() {
    let fake = start(FakeOptions {
        code_lifetime: Duration::from_millis(300),
        ..options()
    })
    .await;
    fake.add_client(FakeClient::public("other_public", REDIRECT));
    let v = verifier();

    let code = code_for(&fake, PUBLIC, &v).await;
    let (status, error) = post_form(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", PUBLIC),
            ("redirect_uri", "http://127.0.0.1:8766/callback"),
            ("code_verifier", &v),
        ],
    )
    .await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );

    let code = code_for(&fake, PUBLIC, &v).await;
    let (_, error) = exchange(&fake, &code, &verifier()).await;
    assert_eq!(text(&error, "error"), "invalid_grant", "wrong verifier");
    let (_, error) = exchange(&fake, &code, &v).await;
    assert_eq!(
        text(&error, "error"),
        "invalid_grant",
        "a code gets one attempt"
    );

    let code = code_for(&fake, PUBLIC, &v).await;
    let (_, error) = post_form(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(text(&error, "error"), "invalid_grant", "missing verifier");

    let code = code_for(&fake, PUBLIC, &v).await;
    let (_, error) = post_form(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "other_public"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &v),
        ],
    )
    .await;
    assert_eq!(
        text(&error, "error"),
        "invalid_grant",
        "another client's code"
    );
    let (status, _) = exchange(&fake, &code, &v).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "another client cannot burn the code"
    );

    let code = code_for(&fake, PUBLIC, &v).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, error) = exchange(&fake, &code, &v).await;
    assert_eq!(text(&error, "error"), "invalid_grant", "expired code");
    assert_eq!(fake.counters().code_exchanges, 1);
}

/// A confidential client's code exchange without PKCE, with or without a secret.
async fn confidential_exchange(fake: &FakeZendesk, secret: Option<&str>) -> (StatusCode, Value) {
    // PKCE is optional for confidential clients: this one goes without.
    let response = get_authorize(
        fake,
        "/oauth/authorizations/new",
        &[
            ("response_type", "code"),
            ("client_id", CONFIDENTIAL),
            ("redirect_uri", REDIRECT),
            ("scope", "read"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let code = location(&response).1["code"].clone();
    let mut form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code),
        ("client_id", CONFIDENTIAL.to_owned()),
        ("redirect_uri", REDIRECT.to_owned()),
    ];
    if let Some(secret) = secret {
        form.push(("client_secret", secret.to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_form(fake, "/oauth/tokens", &form).await
}

#[tokio::test]
async fn confidential_clients_must_authenticate() {
    let fake = start(options()).await;
    let (status, error) = confidential_exchange(&fake, None).await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let (status, error) = confidential_exchange(&fake, Some("wrong-secret")).await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let (status, tokens) = confidential_exchange(&fake, Some(SECRET)).await;
    assert_eq!(status, StatusCode::CREATED);

    let refresh_token = text(&tokens, "refresh_token");
    let (status, _) = refresh(&fake, CONFIDENTIAL, refresh_token).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "refresh needs the secret too"
    );
    let response = http()
        .post(format!("{}/oauth/tokens", fake.base_url()))
        .basic_auth(CONFIDENTIAL, Some(SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .expect("answers");
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "HTTP Basic client auth works"
    );

    let (status, error) = post_form(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", "nobody"),
        ],
    )
    .await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let (status, _) = post_form(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", PUBLIC),
            ("client_secret", "invented"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a public client has no secret"
    );
}
