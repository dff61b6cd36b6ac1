//! Who may call the REST API slice: a live bearer of the right server with a scope that
//! covers the call; Chat tokens only on the Chat API, Support tokens only on Support's.

use reqwest::{Method, StatusCode};

use crate::support::{CHAT, PUBLIC, call, get, options, start};

const JSON: &str = "application/json";
const TICKET: &str = r#"{"ticket":{"subject":"s","comment":{"body":"b"}}}"#;

#[tokio::test]
async fn reads_need_a_live_token_and_a_read_scope() {
    let fake = start(options()).await;
    for path in [
        "/api/v2/users.json",
        "/api/v2/triggers.json",
        "/api/v2/search.json?query=a",
    ] {
        let anonymous = call(&fake, Method::GET, path, None, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(anonymous.json()["error"], "invalid_token");
        assert!(anonymous.header("www-authenticate").is_some());
        let unknown = get(&fake, path, "not-a-token").await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let writer = fake.issue_grant(PUBLIC, &["write"]).access_token;
    let refused = get(&fake, "/api/v2/users.json", &writer).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "write does not read");
    assert_eq!(
        refused.json()["description"],
        "You are missing the following required scopes: read"
    );
    let users_reader = fake.issue_grant(PUBLIC, &["users:read"]).access_token;
    assert_eq!(
        get(&fake, "/api/v2/users.json", &users_reader).await.status,
        StatusCode::OK
    );
    let other = get(&fake, "/api/v2/triggers.json", &users_reader).await;
    assert_eq!(
        other.status,
        StatusCode::FORBIDDEN,
        "users:read is not triggers:read"
    );

    let expired = fake.issue_grant(PUBLIC, &["read"]);
    fake.expire_access_token(&expired.grant_id);
    let answer = get(&fake, "/api/v2/users.json", &expired.access_token).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.json()["error_description"],
        "The access token provided is expired."
    );
}

#[tokio::test]
async fn writes_need_a_write_scope() {
    let fake = start(options()).await;
    let reader = fake.issue_grant(PUBLIC, &["read"]).access_token;
    let body = Some((JSON, TICKET));
    let refused = call(
        &fake,
        Method::POST,
        "/api/v2/tickets.json",
        Some(&reader),
        body,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.json()["description"]
            .as_str()
            .unwrap()
            .ends_with("write")
    );
    let put = call(
        &fake,
        Method::PUT,
        "/api/v2/tickets/1.json",
        Some(&reader),
        body,
    )
    .await;
    assert_eq!(put.status, StatusCode::FORBIDDEN);
    let anonymous = call(&fake, Method::POST, "/api/v2/tickets.json", None, body).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let scoped = fake.issue_grant(PUBLIC, &["tickets:write"]).access_token;
    let made = call(
        &fake,
        Method::POST,
        "/api/v2/tickets.json",
        Some(&scoped),
        body,
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_chat_api_takes_chat_tokens_only_and_support_refuses_them() {
    let fake = start(options()).await;
    fake.set_api_records(150);
    let chat = fake
        .issue_grant(CHAT, &["read", "write", "chat"])
        .access_token;
    let support = fake.issue_grant(PUBLIC, &["read", "write"]).access_token;

    let first = get(&fake, "/api/v2/chat/chats", &chat).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let body = first.json();
    assert_eq!(body["count"], 150);
    assert_eq!(body["chats"].as_array().map(Vec::len), Some(100));
    assert_eq!(body["chats"][0]["type"], "chat");
    let next = body["next_url"].as_str().expect("a next_url");
    let second = get(&fake, next, &chat).await.json();
    assert_eq!(second["chats"].as_array().map(Vec::len), Some(50));
    assert!(second["next_url"].is_null());

    let refused = get(&fake, "/api/v2/chat/chats", &support).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "Support tokens cannot call Chat"
    );
    assert_eq!(refused.json()["error"], "invalid_token");
    let refused = get(&fake, "/api/v2/users.json", &chat).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "nor Chat tokens Support"
    );
    let anonymous = call(&fake, Method::GET, "/api/v2/chat/chats", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
