//! The fake's token answers are Zendesk's by default (the facts file): `expires_in` only when
//! asked, `refresh_token_expires_in` always, 201, JWT access tokens; and its knobs for legacy
//! clients, hostile answers and a server-side lifetime cap.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk, Hostile};

const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const PUBLIC: &str = "zdauth_public";
const LEGACY: &str = "zdauth_legacy";

async fn start(configure: impl FnOnce(&mut FakeOptions)) -> FakeZendesk {
    let mut options = FakeOptions {
        clients: vec![
            FakeClient::public(PUBLIC, REDIRECT),
            FakeClient::legacy(LEGACY, REDIRECT),
        ],
        ..FakeOptions::default()
    };
    configure(&mut options);
    FakeZendesk::start(options).await.expect("fake starts")
}

async fn refresh(
    fake: &FakeZendesk,
    client: &str,
    token: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", token),
        ("client_id", client),
    ];
    form.extend_from_slice(extra);
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/oauth/tokens", fake.base_url()))
        .form(&form)
        .send()
        .await
        .expect("answers");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

fn jwt_part(token: &str, at: usize) -> Value {
    let part = token.split('.').nth(at).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

#[tokio::test]
async fn expires_in_only_when_asked_and_tokens_are_at_jwts() {
    let fake = start(|_| {}).await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    let (status, body) = refresh(&fake, PUBLIC, &issued.refresh_token, &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(body.get("expires_in").is_none(), "{body}");
    assert_eq!(body["refresh_token_expires_in"], 30 * 86_400);
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(jwt_part(access, 0)["typ"], "at+jwt");
    let exp = jwt_part(access, 1)["exp"].as_i64().unwrap();
    let left = exp - jiff::Timestamp::now().as_second();
    assert!((1790..=1800).contains(&left), "{left}");
    assert_eq!(access.split('.').count(), 3);
    assert!(!access.contains('='));

    let next = body["refresh_token"].as_str().unwrap().to_owned();
    let (_, body) = refresh(&fake, PUBLIC, &next, &[("expires_in", "600")]).await;
    assert_eq!(body["expires_in"], 600, "the lifetime asked for, echoed");
}

#[tokio::test]
async fn a_legacy_client_gets_a_refresh_token_only_when_it_asks_for_expires_in() {
    let fake = start(|_| {}).await;
    let issued = fake.issue_grant(LEGACY, &["read"]);
    let (_, body) = refresh(
        &fake,
        LEGACY,
        &issued.refresh_token,
        &[("expires_in", "1800")],
    )
    .await;
    assert!(body["refresh_token"].is_string(), "{body}");
    assert_eq!(body["expires_in"], 1800);
    let next = body["refresh_token"].as_str().unwrap().to_owned();
    let (_, body) = refresh(&fake, LEGACY, &next, &[]).await;
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body.get("expires_in").is_none(), "{body}");
    let access = body["access_token"].as_str().unwrap();
    assert!(!access.contains('.'), "the old kind of token is opaque");
    assert!(fake.access_token_works(access));
}

#[tokio::test]
async fn hostile_answers_follow_a_real_rotation_and_the_cap_is_said() {
    let fake =
        start(|options| options.max_access_lifetime = Some(std::time::Duration::from_secs(10)))
            .await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    assert_eq!(issued.expires_in, 10);
    let (_, body) = refresh(
        &fake,
        PUBLIC,
        &issued.refresh_token,
        &[("expires_in", "1800")],
    )
    .await;
    assert_eq!(
        body["expires_in"], 10,
        "the lifetime granted, not the one asked"
    );

    fake.set_hostile(Some(Hostile::AccessToken(json!("a\nb"))));
    let spent = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, body) = refresh(&fake, PUBLIC, &spent, &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["access_token"], "a\nb");
    fake.set_hostile(None);
    let (status, _) = refresh(&fake, PUBLIC, &spent, &[]).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the refresh token was spent"
    );
}
