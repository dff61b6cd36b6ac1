//! The fake's `grant_type=client_credentials` over real loopback HTTP, as the facts file has
//! Zendesk's: confidential clients only, no refresh token, `expires_in` only when asked, the
//! scopes asked for, 201, and a token that users/me takes as the admin's.

use reqwest::{Client, StatusCode, redirect};
use serde_json::Value;
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk, Fault, FaultTarget, Hostile};

const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const PUBLIC: &str = "zdauth_public";
const CONFIDENTIAL: &str = "zdauth_ci";
const SECRET: &str = "ci-secret-value";
const CHAT: &str = "zdauth_chat";

async fn start() -> FakeZendesk {
    let options = FakeOptions {
        clients: vec![
            FakeClient::public(PUBLIC, REDIRECT),
            FakeClient::confidential(CONFIDENTIAL, SECRET, REDIRECT),
            FakeClient {
                secret: Some(SECRET.into()),
                ..FakeClient::chat(CHAT, REDIRECT)
            },
        ],
        ..FakeOptions::default()
    };
    FakeZendesk::start(options).await.unwrap()
}

fn http() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .redirect(redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

async fn post(fake: &FakeZendesk, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http()
        .post(format!("{}{path}", fake.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn mint(fake: &FakeZendesk, extra: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", CONFIDENTIAL),
        ("client_secret", SECRET),
    ];
    form.extend_from_slice(extra);
    post(fake, "/oauth/tokens", &form).await
}

async fn users_me(fake: &FakeZendesk, token: &str) -> (StatusCode, Value) {
    let response = http()
        .get(format!("{}/api/v2/users/me.json", fake.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_confidential_client_gets_a_token_and_no_refresh_token() {
    let fake = start().await;
    let (status, body) = mint(&fake, &[("scope", "read write"), ("expires_in", "1800")]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["scope"], "read write");
    assert_eq!(body["expires_in"], 1800);
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body.get("refresh_token_expires_in").is_none(), "{body}");
    let token = body["access_token"].as_str().unwrap();
    let (status, me) = users_me(&fake, token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me["user"]["role"], "admin",
        "the token acts as the client's admin"
    );
    let counters = fake.counters();
    assert_eq!((counters.token_posts, counters.client_credentials), (1, 1));
    assert_eq!(counters.refreshes, 0);
}

#[tokio::test]
async fn expires_in_is_answered_only_when_asked_for() {
    let fake = start().await;
    let (status, body) = mint(&fake, &[("scope", "read")]).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(body.get("expires_in").is_none(), "{body}");
    let (_, body) = mint(&fake, &[("scope", "read"), ("expires_in", "7200")]).await;
    assert_eq!(body["expires_in"], 7200);
    // Zendesk's bounds hold here as for the other grants.
    let (status, body) = mint(&fake, &[("scope", "read"), ("expires_in", "60")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}

#[tokio::test]
async fn the_scopes_asked_for_are_the_scopes_granted() {
    let fake = start().await;
    let (_, body) = mint(&fake, &[("scope", "tickets:read")]).await;
    assert_eq!(body["scope"], "tickets:read");
    let token = body["access_token"].as_str().unwrap();
    // Without read or users:read, users/me is refused as Zendesk refuses a missing scope.
    assert_eq!(users_me(&fake, token).await.0, StatusCode::FORBIDDEN);
    let (status, body) = mint(&fake, &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "scope is required"
    );
}

#[tokio::test]
async fn a_public_client_or_a_wrong_secret_is_invalid_client() {
    let fake = start().await;
    let (status, body) = post(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", PUBLIC),
            ("scope", "read"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, body) = post(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CONFIDENTIAL),
            ("client_secret", "not-the-secret"),
            ("scope", "read"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    assert_eq!(fake.counters().client_credentials, 0);
    assert_eq!(fake.counters().token_posts, 2, "refused POSTs count too");
}

#[tokio::test]
async fn chat_has_no_client_credentials() {
    let fake = start().await;
    let (status, body) = post(
        &fake,
        "/oauth2/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CHAT),
            ("client_secret", SECRET),
            ("scope", "read"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn each_mint_is_a_new_token_and_the_earlier_one_lives_on() {
    let fake = start().await;
    let (_, first) = mint(&fake, &[("scope", "read")]).await;
    let (_, second) = mint(&fake, &[("scope", "read")]).await;
    let (first, second) = (
        first["access_token"].as_str().unwrap(),
        second["access_token"].as_str().unwrap(),
    );
    assert_ne!(first, second);
    assert!(fake.access_token_works(first) && fake.access_token_works(second));
}

/// The knobs the 401 tests use: a token dropped early while its refresh token works, a 401
/// fault, and a request held until released.
#[tokio::test]
async fn knobs_for_a_token_zendesk_refuses_while_it_looks_valid() {
    let fake = start().await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    fake.forget_access_token(&issued.grant_id);
    assert_eq!(
        users_me(&fake, &issued.access_token).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = post(
        &fake,
        "/oauth/tokens",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &issued.refresh_token),
            ("client_id", PUBLIC),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "the refresh token still works");

    let live = fake.issue_grant(PUBLIC, &["read"]);
    fake.push_fault(FaultTarget::Api, Fault::Unauthorized, 1);
    let (status, body) = users_me(&fake, &live.access_token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
    assert_eq!(users_me(&fake, &live.access_token).await.0, StatusCode::OK);

    fake.push_fault(FaultTarget::Api, Fault::Hold, 1);
    let held = tokio::spawn({
        let url = format!("{}/api/v2/users/me.json", fake.base_url());
        let token = live.access_token.clone();
        async move {
            http()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    for _ in 0..3000 {
        if fake.counters().api_requests >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(!held.is_finished(), "held until released");
    fake.release_held();
    assert_eq!(held.await.unwrap(), StatusCode::OK);
}

/// The knobs every token answer follows apply to a mint too: a test of zdauth's mint against
/// a hostile or `expires_in`-less answer must get one.
#[tokio::test]
async fn a_mint_answer_follows_the_hostile_and_omit_expires_in_knobs() {
    let fake = start().await;
    fake.set_hostile(Some(Hostile::AccessToken(Value::from("\u{1b}[31m"))));
    let (_, body) = mint(&fake, &[("scope", "read"), ("expires_in", "1800")]).await;
    assert_eq!(body["access_token"], "\u{1b}[31m", "{body}");
    fake.set_hostile(Some(Hostile::Lifetimes {
        expires_in: Value::from(-5),
        refresh_token_expires_in: Value::from(-5),
    }));
    let (_, body) = mint(&fake, &[("scope", "read"), ("expires_in", "1800")]).await;
    assert_eq!(body["expires_in"], -5, "{body}");
    fake.set_hostile(None);
    let (_, body) = mint(&fake, &[("scope", "read"), ("expires_in", "1800")]).await;
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert_eq!(body["expires_in"], 1800, "{body}");
}
