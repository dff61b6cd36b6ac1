//! The OAuth clients API as Zendesk answers it: for an admin's API token only (401 otherwise,
//! 403 for an agent), the secret whole only in the create answer, 422 `RecordInvalid` naming
//! the field for a taken identifier or a redirect URI that is not https or loopback, and a
//! client made here sent back by the authorization endpoint at once.

use reqwest::{Client, Method, StatusCode, redirect};
use serde_json::{Value, json};
use zdauth_fake::{FakeApiToken, FakeClient, FakeOptions, FakeZendesk};

const EMAIL: &str = "ada@acme.test";
const TOKEN: &str = "api-token-of-ada";
const REDIRECT: &str = "http://127.0.0.1:8765/callback";

async fn start() -> FakeZendesk {
    let options = FakeOptions {
        clients: vec![FakeClient::public("configured", REDIRECT)],
        api_tokens: vec![
            FakeApiToken::admin(EMAIL, TOKEN),
            FakeApiToken {
                role: "agent".into(),
                ..FakeApiToken::admin("agnes@acme.test", "api-token-of-agnes")
            },
        ],
        ..FakeOptions::default()
    };
    FakeZendesk::start(options).await.expect("fake starts")
}

fn http() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

async fn call(
    fake: &FakeZendesk,
    method: Method,
    path: &str,
    user: (&str, &str),
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = http()
        .request(method, format!("{}{path}", fake.base_url()))
        .basic_auth(format!("{}/token", user.0), Some(user.1));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn new_client(identifier: &str, redirect_uri: &str) -> Value {
    json!({ "client": {
        "name": "zdauth shop", "identifier": identifier, "kind": "public",
        "redirect_uri": [redirect_uri],
    }})
}

const CLIENTS: &str = "/api/v2/oauth/clients.json";

#[tokio::test]
async fn an_admin_creates_a_client_that_authorize_accepts_at_once() {
    let fake = start().await;
    let admin = (EMAIL, TOKEN);
    let (status, listed) = call(&fake, Method::GET, CLIENTS, admin, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["clients"][0]["identifier"], "configured");
    assert!(listed["clients"][0].get("secret").is_none());

    let uri = "http://127.0.0.1:9999/callback";
    let body = Some(new_client("zdauth-shop", uri));
    let (status, made) = call(&fake, Method::POST, CLIENTS, admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let client = &made["client"];
    assert_eq!(client["kind"], "public");
    assert_eq!(client["redirect_uri"], json!([uri]));
    assert!(client["secret"].as_str().is_some_and(|s| s.len() > 20));
    let id = client["id"].as_u64().unwrap();
    let one = format!("/api/v2/oauth/clients/{id}.json");
    let (status, shown) = call(&fake, Method::GET, &one, admin, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["client"]["identifier"], "zdauth-shop");
    assert!(shown["client"].get("secret").is_none(), "whole only once");

    let authorize = format!(
        "{}/oauth/authorizations/new?response_type=code&client_id=zdauth-shop&redirect_uri={uri}&scope=read&state=s&code_challenge={}&code_challenge_method=S256",
        fake.base_url(),
        "a".repeat(43)
    );
    let answer = http().get(authorize).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::FOUND);
    let location = answer.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(uri), "{location}");

    let other = "http://127.0.0.1:9998/callback";
    let put = Some(json!({ "client": { "redirect_uri": [uri, other] } }));
    let (status, changed) = call(&fake, Method::PUT, &one, admin, put).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["client"]["redirect_uri"], json!([uri, other]));
}

#[tokio::test]
async fn a_taken_identifier_and_a_foreign_redirect_are_record_invalid() {
    let fake = start().await;
    let admin = (EMAIL, TOKEN);
    let body = Some(new_client("configured", REDIRECT));
    let (status, taken) = call(&fake, Method::POST, CLIENTS, admin, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(taken["error"], "RecordInvalid");
    assert_eq!(taken["details"]["identifier"][0]["error"], "DuplicateValue");

    let body = Some(new_client("fresh", "http://evil.example/callback"));
    let (status, foreign) = call(&fake, Method::POST, CLIENTS, admin, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        foreign["details"].get("redirect_uri").is_some(),
        "{foreign}"
    );
}

#[tokio::test]
async fn only_an_admins_api_token_gets_in() {
    let fake = start().await;
    let (status, body) = call(&fake, Method::GET, CLIENTS, (EMAIL, "wrong"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "Couldn't authenticate you");
    let agent = ("agnes@acme.test", "api-token-of-agnes");
    let (status, body) = call(
        &fake,
        Method::POST,
        CLIENTS,
        agent,
        Some(new_client("x", REDIRECT)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "Forbidden");
    let bearer = http()
        .get(format!("{}{CLIENTS}", fake.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED);
}
