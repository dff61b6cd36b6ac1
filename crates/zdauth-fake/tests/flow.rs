//! The whole Support flow over loopback HTTP, rotation that deletes the previous pair, and
//! what a replayed or stolen refresh token gets.

use reqwest::StatusCode;
use serde_json::json;
use zdauth_fake::{FakeClient, FakeOptions};

use crate::support::{
    PUBLIC, REDIRECT, code_for, exchange, get_api, grant_of, options, post_form, refresh, start,
    text, verifier,
};

#[tokio::test]
async fn full_flow_pkce_token_me_current_rotation_and_strict_reuse() {
    let fake = start(options()).await;
    let verifier = verifier();
    let code = code_for(&fake, PUBLIC, &verifier).await;
    let (status, first) = exchange(&fake, &code, &verifier).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["token_type"], "bearer");
    assert_eq!(first["scope"], "read write");
    // As Zendesk: no expires_in unless the request asked for a lifetime.
    assert!(first.get("expires_in").is_none(), "{first}");
    assert_eq!(first["refresh_token_expires_in"], 30 * 24 * 3600);
    let access = text(&first, "access_token").to_owned();
    let refresh_token = text(&first, "refresh_token").to_owned();
    assert!(access.len() >= 32 && refresh_token.len() >= 32 && access != refresh_token);
    let grant = grant_of(&fake);

    let (status, me) = get_api(&fake, "/api/v2/users/me.json", Some(&access)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me["user"],
        json!({"id": 1001, "name": "Ada Admin", "email": "ada@acme.test", "role": "admin"})
    );

    let (status, current) =
        get_api(&fake, "/api/v2/oauth/tokens/current.json", Some(&access)).await;
    assert_eq!(status, StatusCode::OK);
    let token = &current["token"];
    assert_eq!(token["token"], access[..10]);
    assert_eq!(token["refresh_token"], refresh_token[..10]);
    assert_eq!(token["client_id"], PUBLIC);
    assert_eq!(token["user_id"], 1001);
    assert_eq!(token["scopes"], json!(["read", "write"]));
    let expires: jiff::Timestamp = text(token, "refresh_token_expires_at")
        .parse()
        .expect("RFC 3339");
    let left = expires.duration_since(jiff::Timestamp::now()).as_secs();
    assert!((30 * 24 * 3600 - 10..=30 * 24 * 3600).contains(&left));
    text(token, "created_at")
        .parse::<jiff::Timestamp>()
        .expect("RFC 3339");
    text(token, "used_at")
        .parse::<jiff::Timestamp>()
        .expect("used just now");
    let id = token["id"].as_u64().expect("numeric id");
    assert_eq!(
        token["url"],
        format!("{}/api/v2/oauth/tokens/{id}.json", fake.base_url())
    );

    let (status, second) = refresh(&fake, PUBLIC, &refresh_token).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let new_access = text(&second, "access_token").to_owned();
    assert_ne!(new_access, access);
    assert_ne!(text(&second, "refresh_token"), refresh_token);
    assert!(
        !fake.access_token_works(&access),
        "the previous pair is deleted"
    );
    let (status, error) = get_api(&fake, "/api/v2/users/me.json", Some(&access)).await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    assert!(fake.access_token_works(&new_access));

    let (status, error) = refresh(&fake, PUBLIC, &refresh_token).await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert!(
        !fake.grant_alive(&grant),
        "strict mode revokes the grant on reuse"
    );
    assert!(!fake.access_token_works(&new_access));
    let counters = fake.counters();
    assert_eq!(counters.reuse_detections, 1);
    assert_eq!(counters.revoked_grants, 1);
    assert_eq!(
        (
            counters.code_exchanges,
            counters.refreshes,
            counters.token_posts
        ),
        (1, 1, 3)
    );
    assert_eq!(counters.token_posts_per_grant[&grant], 3);
    assert_eq!(counters.authorize_requests, 1);
    assert_eq!(counters.api_requests, 3);
    let (_, error) = refresh(&fake, PUBLIC, text(&second, "refresh_token")).await;
    assert_eq!(
        text(&error, "error"),
        "invalid_grant",
        "the newest refresh token died too"
    );
}

#[tokio::test]
async fn lenient_rotation_rejects_replay_but_keeps_the_grant() {
    let fake = start(FakeOptions {
        strict_rotation: false,
        ..options()
    })
    .await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    let (status, next) = refresh(&fake, PUBLIC, &issued.refresh_token).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, error) = refresh(&fake, PUBLIC, &issued.refresh_token).await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert!(fake.grant_alive(&issued.grant_id));
    assert!(fake.access_token_works(text(&next, "access_token")));
    assert_eq!(fake.counters().reuse_detections, 0);
}

#[tokio::test]
async fn refresh_tokens_are_bound_to_their_client() {
    let fake = start(options()).await;
    fake.add_client(FakeClient::public("other_public", REDIRECT));
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    let (status, error) = refresh(&fake, "other_public", &issued.refresh_token).await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    let (_, error) = refresh(&fake, PUBLIC, "unknown-refresh-token").await;
    assert_eq!(text(&error, "error"), "invalid_grant");
    fake.expire_refresh_token(&issued.grant_id);
    let (_, error) = refresh(&fake, PUBLIC, &issued.refresh_token).await;
    assert_eq!(
        text(&error, "error"),
        "invalid_grant",
        "expired refresh token"
    );
    let (status, error) = post_form(
        &fake,
        "/oauth/tokens",
        &[("grant_type", "password"), ("client_id", PUBLIC)],
    )
    .await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::BAD_REQUEST, "unsupported_grant_type")
    );
}

#[tokio::test]
async fn issued_tokens_debug_hides_secrets() {
    let fake = start(options()).await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    let shown = format!("{issued:?} {fake:?}");
    assert!(!shown.contains(&issued.access_token));
    assert!(!shown.contains(&issued.refresh_token));
    assert!(shown.contains(&issued.grant_id));
}
