//! One request's transport: retries counted at the server, the 401 → refresh → retry path,
//! the per-account cap, bounded and scrubbed answers.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio_util::io::ReaderStream;

use super::harness::{Harness, Server, access_token, get, json as answer, run_on, with_header};
use crate::api::{ApiError, ApiRequest, MAX_BODY, Outcome};
use crate::error::{Error, ErrorClass};

async fn harness(
    script: impl Fn(&super::harness::Seen, usize) -> Response + Send + Sync + 'static,
) -> Harness {
    Harness::new(1, 32, Server::start(Duration::ZERO, script).await)
}

fn post(target: &str) -> ApiRequest {
    ApiRequest {
        body: Some(b"{}".to_vec()),
        ..get(target)
    }
}

#[tokio::test]
async fn a_429_is_tried_four_times_with_or_without_retry_after() {
    for retry_after in [Some("0"), None] {
        let h = harness(move |_, _| match retry_after {
            Some(seconds) => with_header(429, "retry-after", seconds),
            None => answer(429, &json!({})),
        })
        .await;
        let error = h.run(&get("x.json")).await.0.unwrap_err();
        assert_eq!(h.server.requests(), 4, "Retry-After {retry_after:?}");
        assert!(
            matches!(
                &error,
                Error::Api {
                    error: ApiError::RateLimited { .. },
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(error.class(), ErrorClass::ZendeskOrNetwork);
        assert!(
            error.to_string().contains("rate limited; retry after"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_retry_after_past_a_minute_is_not_waited_out() {
    let h = harness(|_, _| with_header(429, "retry-after", "61")).await;
    let error = h.run(&get("x.json")).await.0.unwrap_err();
    assert_eq!(h.server.requests(), 1);
    assert!(
        error.to_string().contains("rate limited; retry after 61 s"),
        "{error}"
    );
}

/// A 429 means the request was not processed: a POST is sent again too.
#[tokio::test]
async fn a_429_on_a_post_is_retried() {
    let h = harness(|_, n| {
        if n == 0 {
            with_header(429, "retry-after", "0")
        } else {
            answer(201, &json!({"ok": true}))
        }
    })
    .await;
    let (outcome, pages) = h.run(&post("tickets.json")).await;
    assert_eq!(outcome.unwrap(), Outcome::Done);
    assert_eq!(h.server.requests(), 2);
    assert_eq!(pages[0].status, 201);
}

#[tokio::test]
async fn a_5xx_is_retried_twice_for_get_and_head_and_never_for_post() {
    for (request, tries) in [
        (get("x.json"), 3),
        (
            ApiRequest {
                method: "HEAD".into(),
                ..get("x.json")
            },
            3,
        ),
        (post("x.json"), 1),
        (
            ApiRequest {
                method: "DELETE".into(),
                ..get("x.json")
            },
            1,
        ),
    ] {
        let h = harness(|_, _| answer(503, &json!({"error": "down"}))).await;
        let (outcome, pages) = h.run(&request).await;
        // The final answer is handed on as it is: an API error status, not an Err.
        assert_eq!(outcome.unwrap(), Outcome::Done);
        assert_eq!(h.server.requests(), tries, "{}", request.method);
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].status, 503);
    }
}

#[tokio::test]
async fn error_statuses_and_redirects_are_pages_and_no_redirect_is_followed() {
    let elsewhere = Server::start(Duration::ZERO, |_, _| answer(200, &json!({}))).await;
    let location = format!("{}/api/v2/x.json", elsewhere.base);
    let h = harness(move |_, n| match n {
        0 => with_header(302, "location", &location),
        1 => answer(
            403,
            &json!({"error": "Forbidden", "description": "needs scope write"}),
        ),
        _ => answer(422, &json!({"details": {}})),
    })
    .await;
    for status in [302, 403, 422] {
        let (outcome, pages) = h.run(&get("x.json")).await;
        assert_eq!(outcome.unwrap(), Outcome::Done);
        assert_eq!(pages[0].status, status);
    }
    assert_eq!(elsewhere.requests(), 0);
    assert_eq!(h.server.requests(), 3);
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once() {
    let h = harness(|seen, _| {
        if seen.bearer().contains("renewed1") {
            answer(200, &json!({"user": {"id": 1}}))
        } else {
            answer(401, &json!({"error": "invalid_token"}))
        }
    })
    .await;
    let (outcome, pages) = h.run(&get("users/me.json")).await;
    assert_eq!(outcome.unwrap(), Outcome::Done);
    assert_eq!(pages[0].status, 200);
    assert_eq!(h.server.token_posts(), 1);
    let seen = h.server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].bearer(), format!("Bearer {}", access_token("c0")));
    assert_eq!(seen[1].bearer(), "Bearer renewed1AccessToken0123456789");
}

#[tokio::test]
async fn a_token_refused_after_its_refresh_is_an_error_not_a_page() {
    let h = harness(|_, _| answer(401, &json!({"error": "invalid_token"}))).await;
    let (outcome, pages) = h.run(&get("users/me.json")).await;
    assert!(
        matches!(outcome, Err(Error::TokenRefused { .. })),
        "{outcome:?}"
    );
    assert!(pages.is_empty());
    assert_eq!(h.server.token_posts(), 1);
    assert_eq!(h.server.requests(), 2);
}

#[tokio::test]
async fn answers_larger_than_the_bound_are_refused_with_or_without_a_length() {
    for declared in [true, false] {
        let h = harness(move |_, _| {
            let size = (MAX_BODY + 1) as u64;
            if declared {
                vec![b'a'; MAX_BODY + 1].into_response()
            } else {
                let stream =
                    ReaderStream::new(tokio::io::AsyncReadExt::take(tokio::io::repeat(b'a'), size));
                Body::from_stream(stream).into_response()
            }
        })
        .await;
        let (outcome, pages) = h.run(&get("x.json")).await;
        assert!(
            matches!(
                outcome,
                Err(Error::Api {
                    error: ApiError::TooLarge,
                    ..
                })
            ),
            "declared {declared}: {outcome:?}"
        );
        assert!(pages.is_empty());
    }
}

/// Twenty connections of one account, 32 jobs: the account never sees more than 4 at once.
#[tokio::test]
async fn one_account_gets_at_most_four_requests_at_once() {
    let server = Server::start(Duration::from_millis(40), |_, _| answer(200, &json!({}))).await;
    let h = Arc::new(Harness::new(20, 32, server));
    let mut tasks = Vec::new();
    for n in 0..20 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            run_on(&h.caller, &h.connections[n], &get("users/me.json"))
                .await
                .0
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let most = h
        .server
        .state
        .max_in_flight
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(h.server.requests(), 20);
    assert!((2..=4).contains(&most), "{most} requests at once");
}

#[tokio::test]
async fn no_answer_within_the_http_timeout_is_a_timeout_error() {
    let server = Server::start(Duration::from_secs(30), |_, _| answer(200, &json!({}))).await;
    let h = Harness::build(1, 4, server, true, Duration::from_secs(1));
    let error = h.run(&get("x.json")).await.0.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                error: ApiError::TimedOut { seconds: 1 },
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.class(), ErrorClass::ZendeskOrNetwork);
}

#[tokio::test]
async fn a_host_that_refuses_the_connection_is_a_network_error_without_the_token() {
    let mut server = Server::start(Duration::ZERO, |_, _| answer(200, &json!({}))).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    server.base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let h = Harness::new(1, 4, server);
    let error = h.run(&get("x.json")).await.0.unwrap_err();
    // No URL in the text: it may be a next page a hostile server chose.
    let address = h.server.base.trim_start_matches("http://");
    assert!(!error.to_string().contains(address), "{error}");
    assert!(
        matches!(
            &error,
            Error::Api {
                error: ApiError::Network { .. },
                ..
            }
        ),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.starts_with("c0: cannot reach Zendesk"), "{text}");
    assert!(!text.contains(&access_token("c0")[..8]), "{text}");
}
