//! A 429 waited out: at least its Retry-After (or the backoff without one), and for every
//! request to the account, not only the one that got it. Lower bounds on time only.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::harness::{Harness, Server, access_token, get, json as answer, run_on, with_header};
use crate::api::Outcome;
use crate::zendesk::Timeouts;

#[tokio::test]
async fn a_retry_is_sent_no_sooner_than_the_retry_after() {
    let server = Server::start(Duration::ZERO, |_, n| {
        if n < 2 {
            with_header(429, "retry-after", "1")
        } else {
            answer(200, &json!({}))
        }
    })
    .await;
    let h = Harness::new(1, 4, server);
    assert_eq!(h.run(&get("x.json")).await.0.unwrap(), Outcome::Done);
    let seen = h.server.seen();
    assert_eq!(seen.len(), 3);
    for pair in seen.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
    }
}

/// Without Retry-After: twice the client's backoff, doubling (1, 2, 4 s at Zendesk's 0.5 s;
/// 0.2, 0.4, 0.8 s here).
#[tokio::test]
async fn without_retry_after_a_retry_waits_the_doubling_backoff() {
    let server = Server::start(Duration::ZERO, |_, n| {
        answer(if n < 3 { 429 } else { 200 }, &json!({}))
    })
    .await;
    let timeouts = Timeouts {
        connect: Duration::from_secs(10),
        total: Duration::from_secs(60),
        backoff: Duration::from_millis(100),
    };
    let h = Harness::with_timeouts(1, 4, server, true, timeouts);
    assert_eq!(h.run(&get("x.json")).await.0.unwrap(), Outcome::Done);
    let seen = h.server.seen();
    assert_eq!(seen.len(), 4);
    for (pair, wait) in seen.windows(2).zip([200, 400, 800]) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(wait),
            "waited {gap:?}, not {wait} ms"
        );
    }
}

/// Zendesk's limit is the account's: after one request's 429, the account's other
/// connections send nothing before its Retry-After has passed.
#[tokio::test]
async fn a_429_holds_back_every_request_to_the_account() {
    let server = Server::start(Duration::ZERO, |_, n| {
        if n == 0 {
            with_header(429, "retry-after", "1")
        } else {
            answer(200, &json!({}))
        }
    })
    .await;
    let h = Arc::new(Harness::new(4, 32, server));
    let first = {
        let h = h.clone();
        tokio::spawn(async move { run_on(&h.caller, &h.connections[0], &get("x.json")).await })
    };
    // Once the first try's 429 is handled, the account is held off (or, were it not, the
    // first connection soon tries again).
    while !h.caller.throttle.held_off("acme") && h.server.requests() < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        h.caller.throttle.held_off("acme"),
        "a 429 holds the account off"
    );
    let mut others = Vec::new();
    for n in 1..4 {
        let h = h.clone();
        others.push(tokio::spawn(async move {
            run_on(&h.caller, &h.connections[n], &get("x.json")).await
        }));
    }
    for task in others {
        assert_eq!(task.await.unwrap().0.unwrap(), Outcome::Done);
    }
    assert_eq!(first.await.unwrap().0.unwrap(), Outcome::Done);
    let seen = h.server.seen();
    assert_eq!(seen.len(), 5);
    let limited = seen[0].at;
    assert!(seen[0].bearer().contains(&access_token("c0")));
    for later in &seen[1..] {
        let gap = later.at - limited;
        assert!(
            gap >= Duration::from_secs(1),
            "{} after {gap:?}",
            later.bearer()
        );
    }
}
