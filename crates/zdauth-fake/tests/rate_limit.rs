//! The account's API rate limit: the headers on every API answer, the 429 past the limit
//! with and without `Retry-After`, and the knobs that change it.

use reqwest::{Method, StatusCode};
use zdauth_fake::{FakeOptions, Fault, FaultTarget};

use crate::support::{PUBLIC, call, get, options, post_form, start};

#[tokio::test]
async fn every_api_answer_tells_zendesks_default_limit() {
    let fake = start(options()).await;
    let token = fake.issue_grant(PUBLIC, &["read"]).access_token;
    let first = get(&fake, "/api/v2/users.json", &token).await;
    assert_eq!(first.header("x-rate-limit"), Some("200"));
    assert_eq!(first.header("x-rate-limit-remaining"), Some("199"));
    let refused = call(&fake, Method::GET, "/api/v2/triggers.json", None, None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.header("x-rate-limit-remaining"),
        Some("198"),
        "a 401 counts too"
    );
    fake.push_fault(FaultTarget::Api, Fault::Status(503), 1);
    let fault = get(&fake, "/api/v2/users/me.json", &token).await;
    assert_eq!(fault.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(fault.header("x-rate-limit-remaining"), Some("197"));
    let unknown = get(&fake, "/api/v2/no_such_thing.json", &token).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.header("x-rate-limit"), Some("200"));

    let token_answer = reqwest::Client::new()
        .post(format!("{}/oauth/tokens", fake.base_url()))
        .send()
        .await
        .expect("answers");
    assert!(
        token_answer.headers().get("x-rate-limit").is_none(),
        "the API's limit only"
    );
    let _ = post_form(&fake, "/oauth/tokens", &[("grant_type", "x")]).await;
    assert_eq!(fake.counters().rate_limited, 0);
}

#[tokio::test]
async fn past_the_limit_a_429_says_when_to_retry_or_does_not() {
    let fake = start(options()).await;
    let token = fake.issue_grant(PUBLIC, &["read", "write"]).access_token;
    fake.set_rate_limit(Some(3));
    for remaining in ["2", "1", "0"] {
        let answer = get(&fake, "/api/v2/users.json", &token).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.header("x-rate-limit-remaining"), Some(remaining));
    }
    let limited = get(&fake, "/api/v2/users.json", &token).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.text,
        "Number of allowed API requests per minute exceeded"
    );
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(limited.header("x-rate-limit"), Some("3"));
    assert_eq!(limited.header("x-rate-limit-remaining"), Some("0"));
    let body = Some(("application/json", r#"{"ticket":{"comment":{"body":"b"}}}"#));
    let post = call(
        &fake,
        Method::POST,
        "/api/v2/tickets.json",
        Some(&token),
        body,
    )
    .await;
    assert_eq!(post.status, StatusCode::TOO_MANY_REQUESTS, "every method");

    fake.set_omit_retry_after(true);
    let bare = get(&fake, "/api/v2/users.json", &token).await;
    assert_eq!(bare.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(bare.header("retry-after").is_none());
    assert_eq!(fake.counters().rate_limited, 3);

    fake.set_rate_limit(None);
    for _ in 0..5 {
        let answer = get(&fake, "/api/v2/users.json", &token).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(
            answer.header("x-rate-limit").is_none(),
            "no limit, no headers"
        );
    }
    fake.set_rate_limit(Some(1));
    assert_eq!(
        get(&fake, "/api/v2/users.json", &token).await.status,
        StatusCode::OK,
        "a new window"
    );
}

#[tokio::test]
async fn the_limit_can_be_set_before_start() {
    let fake = start(FakeOptions {
        rate_limit_per_minute: Some(1),
        omit_retry_after: true,
        ..options()
    })
    .await;
    let token = fake.issue_grant(PUBLIC, &["read"]).access_token;
    assert_eq!(
        get(&fake, "/api/v2/users/me.json", &token).await.status,
        StatusCode::OK
    );
    let limited = get(&fake, "/api/v2/users/me.json", &token).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "users/me is an API route too"
    );
    assert!(limited.header("retry-after").is_none());
}
