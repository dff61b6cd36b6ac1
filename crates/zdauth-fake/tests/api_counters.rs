//! What the fake counts of API traffic for the tests of `zdauth api`: calls per route and
//! method, requests in flight per OAuth client (the per-account cap), the latency on these
//! routes, and faults aimed at one method.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use zdauth_fake::{FakeZendesk, Fault, FaultTarget};

use crate::support::{CONFIDENTIAL, PUBLIC, call, get, options, start};

const TICKET: Option<(&str, &str)> =
    Some(("application/json", r#"{"ticket":{"comment":{"body":"b"}}}"#));

async fn post_ticket(fake: &FakeZendesk, token: &str) -> StatusCode {
    call(
        fake,
        Method::POST,
        "/api/v2/tickets.json",
        Some(token),
        TICKET,
    )
    .await
    .status
}

#[tokio::test]
async fn calls_are_counted_per_route_and_method() {
    let fake = start(options()).await;
    let token = fake.issue_grant(PUBLIC, &["read", "write"]).access_token;
    for _ in 0..2 {
        get(&fake, "/api/v2/users.json?page[size]=1", &token).await;
    }
    assert_eq!(post_ticket(&fake, &token).await, StatusCode::CREATED);
    call(
        &fake,
        Method::PUT,
        "/api/v2/tickets/7.json",
        Some(&token),
        TICKET,
    )
    .await;
    let counters = fake.counters();
    assert_eq!(counters.api_calls_to("GET", "/api/v2/users.json"), 2);
    assert_eq!(counters.api_calls_to("POST", "/api/v2/tickets.json"), 1);
    assert_eq!(
        counters.api_calls_to("PUT", "/api/v2/tickets/{file}"),
        1,
        "{:?}",
        counters.api_calls
    );
    assert_eq!(counters.api_calls_to("GET", "/api/v2/triggers.json"), 0);
    assert_eq!(counters.api_requests, 4);
    assert_eq!((counters.api_in_flight, counters.max_api_in_flight), (0, 1));
}

#[tokio::test]
async fn requests_in_flight_are_counted_per_oauth_client() {
    let fake = start(options()).await;
    let a = fake.issue_grant(PUBLIC, &["read"]).access_token;
    let a2 = fake.issue_grant(PUBLIC, &["read"]).access_token;
    let b = fake.issue_grant(CONFIDENTIAL, &["read"]).access_token;
    fake.push_fault(FaultTarget::Api, Fault::Hold, 4);
    let held = [&a, &a, &a2, &b].map(|token| get(&fake, "/api/v2/users.json", token));
    let all = futures_join(held);
    let watch = async {
        let deadline = Instant::now() + Duration::from_secs(10);
        while fake.counters().api_in_flight < 4 {
            assert!(Instant::now() < deadline, "the four requests never arrived");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let counters = fake.counters();
        assert_eq!(counters.api_in_flight_per_client[PUBLIC], 3);
        assert_eq!(counters.api_in_flight_per_client[CONFIDENTIAL], 1);
        for _ in 0..4 {
            fake.release_held();
        }
    };
    let (answers, ()) = tokio::join!(all, watch);
    assert!(answers.iter().all(|answer| answer.status == StatusCode::OK));
    let counters = fake.counters();
    assert_eq!(counters.max_api_in_flight, 4);
    assert_eq!(
        counters.max_api_in_flight_per_client[PUBLIC], 3,
        "one client per account"
    );
    assert_eq!(counters.max_api_in_flight_per_client[CONFIDENTIAL], 1);
    assert_eq!(counters.api_in_flight, 0);
    assert_eq!(counters.api_in_flight_per_client[PUBLIC], 0);
    let anonymous = call(&fake, Method::GET, "/api/v2/users.json", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        fake.counters().max_api_in_flight_per_client.len(),
        2,
        "no token, no client"
    );
}

async fn futures_join<F: std::future::Future>(futures: [F; 4]) -> Vec<F::Output> {
    let [one, two, three, four] = futures;
    let (one, two, three, four) = tokio::join!(one, two, three, four);
    vec![one, two, three, four]
}

#[tokio::test]
async fn faults_can_aim_at_one_method_of_the_api() {
    let fake = start(options()).await;
    let token = fake.issue_grant(PUBLIC, &["read", "write"]).access_token;
    fake.push_fault(FaultTarget::ApiPost, Fault::Status(500), 1);
    assert_eq!(
        get(&fake, "/api/v2/users.json", &token).await.status,
        StatusCode::OK
    );
    assert_eq!(
        post_ticket(&fake, &token).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        post_ticket(&fake, &token).await,
        StatusCode::CREATED,
        "once only"
    );

    fake.push_fault(FaultTarget::ApiGet, Fault::Status(503), 2);
    assert_eq!(
        post_ticket(&fake, &token).await,
        StatusCode::CREATED,
        "not a GET"
    );
    for _ in 0..2 {
        let answer = get(&fake, "/api/v2/triggers.json", &token).await;
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    }
    assert_eq!(
        get(&fake, "/api/v2/triggers.json", &token).await.status,
        StatusCode::OK
    );
    fake.push_fault(
        FaultTarget::ApiPut,
        Fault::TooManyRequests {
            retry_after: Some(2),
        },
        1,
    );
    let put = call(
        &fake,
        Method::PUT,
        "/api/v2/tickets/1.json",
        Some(&token),
        TICKET,
    )
    .await;
    assert_eq!(put.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(put.header("retry-after"), Some("2"));
}

#[tokio::test]
async fn the_latency_knob_applies_to_the_list_routes() {
    let fake = start(options()).await;
    let token = fake.issue_grant(PUBLIC, &["read"]).access_token;
    fake.set_latency(Duration::from_millis(300));
    let started = Instant::now();
    let answer = get(&fake, "/api/v2/search.json?query=x", &token).await;
    // A lower bound only: the fake sleeps at least this long, however loaded the machine.
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(answer.status, StatusCode::OK);
}
