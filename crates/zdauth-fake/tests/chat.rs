//! The Chat (Zopim) endpoints: their own clients, no PKCE, and rotation.

use reqwest::StatusCode;

use crate::support::{
    CHAT, PUBLIC, REDIRECT, get_authorize, location, options, post_form, refresh, start, text,
};

#[tokio::test]
async fn chat_endpoints_have_their_own_clients_and_rotate() {
    let fake = start(options()).await;
    let base = [
        ("response_type", "code"),
        ("client_id", CHAT),
        ("redirect_uri", REDIRECT),
        ("scope", "read write chat"),
    ];
    let response = get_authorize(&fake, "/oauth2/authorizations/new", &base).await;
    assert_eq!(
        location(&response).1["error"],
        "invalid_request",
        "subdomain is required"
    );
    let mut query = base.to_vec();
    query.push(("subdomain", "acme"));
    let response = get_authorize(&fake, "/oauth2/authorizations/new", &query).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let code = location(&response).1["code"].clone();
    let (status, tokens) = post_form(
        &fake,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", CHAT),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{tokens}");
    assert_eq!(tokens["scope"], "read write chat");
    let old = text(&tokens, "refresh_token");
    let (status, _) = post_form(
        &fake,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", old),
            ("client_id", CHAT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, error) = post_form(
        &fake,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", old),
            ("client_id", CHAT),
        ],
    )
    .await;
    assert_eq!(text(&error, "error"), "invalid_grant");
    assert_eq!(fake.counters().reuse_detections, 1);

    let (status, _) = refresh(&fake, CHAT, "anything").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "Chat clients do not work on Support"
    );
    let query = [
        ("response_type", "code"),
        ("client_id", PUBLIC),
        ("redirect_uri", REDIRECT),
        ("subdomain", "acme"),
    ];
    let response = get_authorize(&fake, "/oauth2/authorizations/new", &query).await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "Support clients do not work on Chat"
    );
}
