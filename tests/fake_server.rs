//! The fake Zendesk over real loopback HTTP: each test starts its own server on an ephemeral
//! port and talks to it with reqwest, redirects off, so that 302 Location headers are visible.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use reqwest::{Client, StatusCode, header, redirect};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;
use zdauth_fake::{Approval, FakeClient, FakeOptions, FakeZendesk, Fault, FaultTarget};

const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const PUBLIC: &str = "zdauth_public";
const CONFIDENTIAL: &str = "zdauth_confidential";
const SECRET: &str = "confidential-secret-value";
const CHAT: &str = "zdauth_chat";

fn options() -> FakeOptions {
    FakeOptions {
        clients: vec![
            FakeClient::public(PUBLIC, REDIRECT),
            FakeClient::confidential(CONFIDENTIAL, SECRET, REDIRECT),
            FakeClient::chat(CHAT, REDIRECT),
        ],
        ..FakeOptions::default()
    }
}

async fn start(options: FakeOptions) -> FakeZendesk {
    FakeZendesk::start(options).await.expect("fake starts")
}

fn client_with_timeout(timeout: Duration) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .redirect(redirect::Policy::none())
        // Proxies from the environment would send loopback traffic elsewhere.
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("client builds")
}

fn http() -> Client {
    client_with_timeout(Duration::from_secs(10))
}

fn verifier() -> String {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

async fn get_authorize(
    fake: &FakeZendesk,
    path: &str,
    query: &[(&str, &str)],
) -> reqwest::Response {
    http()
        .get(format!("{}{path}", fake.base_url()))
        .query(query)
        .send()
        .await
        .expect("authorize answers")
}

fn location(response: &reqwest::Response) -> (Url, HashMap<String, String>) {
    let location = response
        .headers()
        .get(header::LOCATION)
        .expect("a Location header")
        .to_str()
        .expect("ASCII Location");
    let url = Url::parse(location).expect("absolute Location");
    let params = url.query_pairs().into_owned().collect();
    (url, params)
}

/// Auto-approved authorization with PKCE; returns the code.
async fn code_for(fake: &FakeZendesk, client_id: &str, verifier: &str) -> String {
    let response = get_authorize(
        fake,
        "/oauth/authorizations/new",
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("scope", "read write"),
            ("state", "st&te=1 x"),
            ("code_challenge", &challenge(verifier)),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (url, params) = location(&response);
    assert_eq!(
        url.as_str().split('?').next(),
        Some(REDIRECT),
        "back to the registered URI"
    );
    assert_eq!(params["state"], "st&te=1 x", "state echoed exactly");
    params["code"].clone()
}

async fn post_form(fake: &FakeZendesk, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http()
        .post(format!("{}{path}", fake.base_url()))
        .form(form)
        .send()
        .await
        .expect("token endpoint answers");
    let status = response.status();
    (status, response.json().await.expect("JSON body"))
}

async fn exchange(fake: &FakeZendesk, code: &str, verifier: &str) -> (StatusCode, Value) {
    post_form(
        fake,
        "/oauth/tokens",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

async fn refresh(fake: &FakeZendesk, client_id: &str, refresh_token: &str) -> (StatusCode, Value) {
    post_form(
        fake,
        "/oauth/tokens",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", client_id),
        ],
    )
    .await
}

async fn get_api(fake: &FakeZendesk, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = http().get(format!("{}{path}", fake.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("API answers");
    let status = response.status();
    (status, response.json().await.expect("JSON body"))
}

fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {body}"))
}

fn grant_of(fake: &FakeZendesk) -> String {
    let counters = fake.counters();
    assert_eq!(counters.token_posts_per_grant.len(), 1);
    counters
        .token_posts_per_grant
        .keys()
        .next()
        .cloned()
        .unwrap_or_default()
}

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
async fn delete_by_id_revokes_and_delete_current_does_not() {
    let fake = start(options()).await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    let (_, current) = get_api(
        &fake,
        "/api/v2/oauth/tokens/current.json",
        Some(&issued.access_token),
    )
    .await;
    let id = current["token"]["id"].as_u64().expect("id");
    let http = http();
    let delete = |path: String| {
        http.delete(format!("{}{path}", fake.base_url()))
            .bearer_auth(&issued.access_token)
            .send()
    };

    let response = delete("/api/v2/oauth/tokens/current.json".into())
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        fake.grant_alive(&issued.grant_id),
        "current.json DELETE is a no-op, as reported"
    );

    let response = delete(format!("/api/v2/oauth/tokens/{}.json", id + 1000))
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = delete("/api/v2/oauth/tokens/nonsense.json".into())
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = delete(format!("/api/v2/oauth/tokens/{id}.json"))
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(!fake.grant_alive(&issued.grant_id));
    assert!(!fake.access_token_works(&issued.access_token));
    let (_, error) = refresh(&fake, PUBLIC, &issued.refresh_token).await;
    assert_eq!(text(&error, "error"), "invalid_grant");
    let counters = fake.counters();
    assert_eq!((counters.revocations, counters.revoked_grants), (1, 1));
    let response = delete(format!("/api/v2/oauth/tokens/{id}.json"))
        .await
        .expect("answers");
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "a revoked bearer cannot call"
    );
}

#[tokio::test]
async fn users_me_anonymous_invalid_and_unscoped() {
    let fake = start(options()).await;
    let (status, me) = get_api(&fake, "/api/v2/users/me.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(me["user"]["id"].is_null());
    let (status, error) = get_api(&fake, "/api/v2/users/me.json", Some("not-a-token")).await;
    assert_eq!(
        (status, text(&error, "error")),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    assert!(error["error_description"].is_string());
    let (status, _) = get_api(&fake, "/api/v2/oauth/tokens/current.json", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let unscoped = fake.issue_grant(PUBLIC, &["tickets:write"]);
    let (status, body) =
        get_api(&fake, "/api/v2/users/me.json", Some(&unscoped.access_token)).await;
    assert_eq!(
        (status, text(&body, "error")),
        (StatusCode::FORBIDDEN, "Forbidden")
    );

    let expired = fake.issue_grant(PUBLIC, &["read"]);
    fake.expire_access_token(&expired.grant_id);
    let (status, _) = get_api(&fake, "/api/v2/users/me.json", Some(&expired.access_token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

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
async fn public_client_without_pkce_is_redirected_with_invalid_request() {
    let fake = start(options()).await;
    for extra in [
        vec![],
        vec![
            ("code_challenge", challenge("x")),
            ("code_challenge_method", "plain".to_owned()),
        ],
    ] {
        let mut query = vec![
            ("response_type", "code".to_owned()),
            ("client_id", PUBLIC.to_owned()),
            ("redirect_uri", REDIRECT.to_owned()),
            ("state", "s1".to_owned()),
        ];
        query.extend(extra);
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = get_authorize(&fake, "/oauth/authorizations/new", &query).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let params = location(&response).1;
        assert_eq!(params["error"], "invalid_request");
        assert_eq!(params["state"], "s1");
        assert!(!params.contains_key("code"));
    }
    let response = get_authorize(
        &fake,
        "/oauth/authorizations/new",
        &[
            ("response_type", "token"),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    let params = location(&response).1;
    assert_eq!(params["error"], "unsupported_response_type");
    assert!(!params.contains_key("state"), "no state sent, none echoed");
}

#[tokio::test]
async fn unknown_client_or_unregistered_redirect_gets_a_page_not_a_redirect() {
    let fake = start(options()).await;
    let cases = [
        [("client_id", "nobody"), ("redirect_uri", REDIRECT)],
        [
            ("client_id", PUBLIC),
            ("redirect_uri", "http://127.0.0.1:8766/callback"),
        ],
        [
            ("client_id", PUBLIC),
            ("redirect_uri", "http://127.0.0.1:8765/callback/"),
        ],
        [("client_id", CHAT), ("redirect_uri", REDIRECT)],
    ];
    for case in cases {
        let mut query = vec![("response_type", "code"), ("state", "s")];
        query.extend(case);
        let response = get_authorize(&fake, "/oauth/authorizations/new", &query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case:?}");
        assert!(response.headers().get(header::LOCATION).is_none());
        let page = response.text().await.expect("a page");
        assert!(page.contains("Invalid authorization request"));
    }
}

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

#[tokio::test]
async fn status_429_and_malformed_faults() {
    let fake = start(options()).await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    fake.push_fault(FaultTarget::Token, Fault::Status(503), 2);
    fake.push_fault(
        FaultTarget::Token,
        Fault::TooManyRequests {
            retry_after: Some(7),
        },
        1,
    );
    fake.push_fault(
        FaultTarget::Token,
        Fault::TooManyRequests { retry_after: None },
        1,
    );
    fake.push_fault(FaultTarget::Api, Fault::MalformedJson, 1);
    let post = || {
        http()
            .post(format!("{}/oauth/tokens", fake.base_url()))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", issued.refresh_token.as_str()),
                ("client_id", PUBLIC),
            ])
            .send()
    };
    for _ in 0..2 {
        let response = post().await.expect("answers");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = response.json().await.expect("JSON error body");
        assert_eq!(body["error"], "server_error");
    }
    let response = post().await.expect("answers");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[header::RETRY_AFTER], "7");
    let response = post().await.expect("answers");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get(header::RETRY_AFTER).is_none());
    assert!(fake.grant_alive(&issued.grant_id), "faults touch no state");
    let response = post().await.expect("answers");
    assert_eq!(response.status(), StatusCode::CREATED, "faults ran out");

    let response = http()
        .get(format!("{}/api/v2/users/me.json", fake.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.json::<Value>().await.is_err(), "malformed JSON");
    let counters = fake.counters();
    assert_eq!(
        (
            counters.token_posts,
            counters.refreshes,
            counters.api_requests
        ),
        (5, 1, 1)
    );
}

#[tokio::test]
async fn hang_times_out_without_blocking_others_or_shutdown() {
    let fake = start(options()).await;
    fake.push_fault(FaultTarget::Api, Fault::Hang, 1);
    let url = format!("{}/api/v2/users/me.json", fake.base_url());
    let hung = client_with_timeout(Duration::from_secs(1));
    let pending = tokio::spawn(async move { hung.get(url).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, _) = get_api(&fake, "/api/v2/users/me.json", None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "other requests are served meanwhile"
    );
    let error = pending
        .await
        .expect("task")
        .expect_err("the hung request fails");
    assert!(error.is_timeout());

    fake.push_fault(FaultTarget::Any, Fault::Hang, 1);
    let url = format!("{}/oauth/tokens", fake.base_url());
    let _still_hanging =
        tokio::spawn(async move { http().post(url).form(&[("a", "b")]).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    fake.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown is not held up by a hang"
    );
}

#[tokio::test]
async fn reset_mid_body_fails_the_body_read() {
    let fake = start(options()).await;
    fake.push_fault(FaultTarget::Token, Fault::ResetMidBody, 1);
    let response = http()
        .post(format!("{}/oauth/tokens", fake.base_url()))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.bytes().await.is_err(),
        "the connection is cut mid-body"
    );
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let fake = start(options()).await;
    fake.set_latency(Duration::from_millis(300));
    let started = Instant::now();
    let (status, _) = get_api(&fake, "/api/v2/users/me.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn deny_fault_redirects_with_access_denied() {
    let fake = start(options()).await;
    fake.push_fault(FaultTarget::Authorize, Fault::Deny, 1);
    let v = verifier();
    let response = get_authorize(
        &fake,
        "/oauth/authorizations/new",
        &[
            ("response_type", "code"),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
            ("code_challenge", &challenge(&v)),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let params = location(&response).1;
    assert_eq!(params["error"], "access_denied");
    assert!(params.contains_key("error_description"));
    assert_eq!(params["state"], "xyz");
    assert!(!params.contains_key("code"));
}

async fn consent_page(fake: &FakeZendesk, v: &str) -> (String, String) {
    let response = get_authorize(
        fake,
        "/oauth/authorizations/new",
        &[
            ("response_type", "code"),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
            ("state", "<st>"),
            ("scope", "read <b>x</b>"),
            ("code_challenge", &challenge(v)),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("HTML");
    assert!(page.contains("Allow") && page.contains("Deny"));
    assert!(!page.contains("<b>x</b>"), "echoed scope is escaped");
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("form action")
        .to_owned();
    let request = page
        .split("name=\"request\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("request id")
        .to_owned();
    (action, request)
}

#[tokio::test]
async fn consent_page_allow_and_deny() {
    let fake = start(FakeOptions {
        approval: Approval::Consent,
        ..options()
    })
    .await;
    let v = verifier();
    let (action, request) = consent_page(&fake, &v).await;
    let decide = |request: String, decision: &'static str| {
        let url = format!("{}{action}", fake.base_url());
        async move {
            http()
                .post(url)
                .form(&[("request", request.as_str()), ("decision", decision)])
                .send()
                .await
                .expect("answers")
        }
    };
    let response = decide(request.clone(), "allow").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let params = location(&response).1;
    assert_eq!(params["state"], "<st>");
    let (status, tokens) = exchange(&fake, &params["code"], &v).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(tokens["scope"], "read <b>x</b>");
    let response = decide(request, "allow").await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "a consent is answered once"
    );

    let (_, request) = consent_page(&fake, &v).await;
    let response = decide(request, "deny").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let params = location(&response).1;
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "<st>");
}

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

#[tokio::test]
async fn issued_tokens_debug_hides_secrets() {
    let fake = start(options()).await;
    let issued = fake.issue_grant(PUBLIC, &["read"]);
    let shown = format!("{issued:?} {fake:?}");
    assert!(!shown.contains(&issued.access_token));
    assert!(!shown.contains(&issued.refresh_token));
    assert!(shown.contains(&issued.grant_id));
}
