//! Cancelling a walk (stdout closed, Ctrl-C): nothing more is sent, and a refresh the walk
//! needed is stored, never abandoned.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::harness::{Harness, Server, get, json as answer, run_until, with_header};
use crate::api::Outcome;

/// Polls until `ready` holds; no upper bound on how long that takes.
async fn until(ready: impl Fn() -> bool) {
    while !ready() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_walk_cancelled_before_it_starts_sends_nothing_and_reads_no_token() {
    for stored in [true, false] {
        let server = Server::start(Duration::ZERO, |_, _| answer(200, &json!({}))).await;
        // Without stored tokens the walk would fail for want of a login, had it started.
        let h = Harness::with_tokens(1, 4, server, stored);
        let cancel = CancellationToken::new();
        cancel.cancel();
        let (outcome, pages) =
            run_until(&h.caller, &h.connections[0], &get("x.json"), &cancel).await;
        assert_eq!(
            outcome.unwrap(),
            Outcome::Cancelled,
            "stored tokens: {stored}"
        );
        assert!(pages.is_empty());
        assert_eq!((h.server.requests(), h.server.token_posts()), (0, 0));
    }
}

/// The script cancels while the first page is on the wire: its answer is handed on, the next
/// page is not asked for.
#[tokio::test]
async fn a_cancel_during_a_page_stops_the_walk_before_the_next() {
    let cancel = CancellationToken::new();
    let cancelled = cancel.clone();
    let server = Server::start(Duration::ZERO, move |seen, _| {
        cancelled.cancel();
        let host = seen.headers["host"].to_str().unwrap();
        let next = format!("http://{host}/api/v2/users.json?page=2");
        answer(200, &json!({"next_page": next, "users": []}))
    })
    .await;
    let h = Harness::new(1, 4, server);
    let paginate = crate::api::ApiRequest {
        paginate: true,
        ..get("users.json")
    };
    let (outcome, pages) = run_until(&h.caller, &h.connections[0], &paginate, &cancel).await;
    assert_eq!(outcome.unwrap(), Outcome::Cancelled);
    assert_eq!((pages.len(), h.server.requests()), (1, 1));
}

/// Without the cancel this would try 3 more times, 30 s apart, and end rate limited.
#[tokio::test]
async fn a_cancel_ends_a_429_wait_and_sends_nothing_more() {
    let server = Server::start(Duration::ZERO, |_, _| with_header(429, "retry-after", "30")).await;
    let h = Arc::new(Harness::new(1, 4, server));
    let cancel = CancellationToken::new();
    let walk = {
        let (h, cancel) = (h.clone(), cancel.clone());
        tokio::spawn(async move {
            run_until(&h.caller, &h.connections[0], &get("x.json"), &cancel).await
        })
    };
    until(|| h.server.requests() == 1).await;
    cancel.cancel();
    let (outcome, pages) = walk.await.unwrap();
    assert_eq!(outcome.unwrap(), Outcome::Cancelled);
    assert!(pages.is_empty());
    assert_eq!(h.server.requests(), 1);
}

/// A walk waiting for a throttle slot gives up waiting when cancelled: it does not send once
/// the slot comes free.
#[tokio::test]
async fn a_cancel_ends_the_wait_for_a_throttle_slot() {
    let server = Server::start(Duration::ZERO, |_, _| answer(200, &json!({}))).await;
    let h = Arc::new(Harness::new(1, 1, server));
    let held = h.caller.throttle.slot("acme").await;
    let cancel = CancellationToken::new();
    let walk = {
        let (h, cancel) = (h.clone(), cancel.clone());
        tokio::spawn(async move {
            run_until(&h.caller, &h.connections[0], &get("x.json"), &cancel).await
        })
    };
    // Time for the walk to reach the slot; were it slower, the check before the fetch
    // would stop it instead, and the test would still pass.
    tokio::time::sleep(Duration::from_millis(200)).await;
    cancel.cancel();
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(held);
    let (outcome, _) = walk.await.unwrap();
    assert_eq!(outcome.unwrap(), Outcome::Cancelled);
    assert_eq!(h.server.requests(), 0);
}

/// Cancelled while a 401 is on the wire: the refresh the 401 calls for still runs and its pair
/// is stored (the next walk uses it without refreshing), and no API request follows it.
#[tokio::test]
async fn a_cancel_never_abandons_the_refresh_a_401_started() {
    let cancel = CancellationToken::new();
    let cancelled = cancel.clone();
    let server = Server::start(Duration::ZERO, move |seen, _| {
        if seen.bearer().contains("Stored") {
            cancelled.cancel();
            answer(401, &json!({"error": "invalid_token"}))
        } else {
            answer(200, &json!({"ok": true}))
        }
    })
    .await;
    let h = Harness::new(1, 4, server);
    let (outcome, _) = run_until(&h.caller, &h.connections[0], &get("x.json"), &cancel).await;
    assert_eq!(outcome.unwrap(), Outcome::Cancelled);
    assert_eq!((h.server.requests(), h.server.token_posts()), (1, 1));
    let fresh = CancellationToken::new();
    let (outcome, pages) = run_until(&h.caller, &h.connections[0], &get("x.json"), &fresh).await;
    assert_eq!((outcome.unwrap(), pages.len()), (Outcome::Done, 1));
    let seen = h.server.seen();
    assert_eq!(seen[1].bearer(), "Bearer renewed1AccessToken0123456789");
    assert_eq!(h.server.token_posts(), 1);
}
