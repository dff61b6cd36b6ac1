//! The slice of the API zdauth uses: users/me for each kind of caller, current.json, and
//! revoking a token by id (deleting current.json is reported not to revoke), and the 404 of a
//! route the API does not have.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{PUBLIC, call, get_api, http, options, refresh, start, text};

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
async fn an_unknown_api_route_is_zendesks_json_404_for_any_caller() {
    let fake = start(options()).await;
    let token = fake.issue_grant(PUBLIC, &["read"]).access_token;
    for (method, path, token) in [
        (
            Method::GET,
            "/api/v2/no_such_thing.json",
            Some(token.as_str()),
        ),
        (Method::GET, "/api/v2/userz.json?page=2", None),
        (Method::POST, "/api/v2/nope", Some(token.as_str())),
        (Method::DELETE, "/api/v3/users.json", Some(token.as_str())),
    ] {
        let answer = call(&fake, method.clone(), path, token, None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert!(
            answer
                .header("content-type")
                .is_some_and(|kind| kind.starts_with("application/json")),
            "{method} {path}: {:?}",
            answer.header("content-type")
        );
        assert_eq!(
            answer.json(),
            json!({ "error": "InvalidEndpoint", "description": "Not found" }),
            "{method} {path}"
        );
    }
    let elsewhere = call(&fake, Method::GET, "/no/such/page", None, None).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    assert!(elsewhere.text.is_empty(), "not the API: {}", elsewhere.text);
}
