//! The fault injector (feature `testing`): error statuses, 429, broken JSON, hangs, resets,
//! latency and denials.

use std::time::{Duration, Instant};

use reqwest::{StatusCode, header};
use serde_json::Value;
use zdauth_fake::{Fault, FaultTarget};

use crate::support::{
    PUBLIC, REDIRECT, challenge, client_with_timeout, get_api, get_authorize, http, location,
    options, start, verifier,
};

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
