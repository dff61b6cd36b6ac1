//! Walks: cursor and offset shapes, their ends, the bounds on them, and next pages that must
//! not be followed.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::harness::{Harness, Seen, Server, get, json as answer};
use crate::api::{ApiError, ApiRequest, Outcome};
use crate::error::{Error, ErrorClass};

fn paginate(target: &str) -> ApiRequest {
    ApiRequest {
        paginate: true,
        ..get(target)
    }
}

/// A server whose script knows its own base URL (next links are full URLs on it).
async fn walk(script: impl Fn(&str, &Seen, usize) -> Response + Send + Sync + 'static) -> Harness {
    let base = Arc::new(OnceLock::<String>::new());
    let known = base.clone();
    let server = Server::start(Duration::ZERO, move |seen, n| {
        script(known.get().unwrap(), seen, n)
    })
    .await;
    base.set(server.base.clone()).unwrap();
    Harness::new(1, 4, server)
}

fn cursor(base: &str, page: usize, has_more: bool) -> Value {
    json!({
        "tickets": [{"id": page}],
        "meta": {"has_more": has_more, "after_cursor": format!("c{page}")},
        "links": {"next": format!("{base}/api/v2/tickets.json?page[after]=c{page}"), "prev": null},
    })
}

fn ids(pages: &[crate::api::Page]) -> Vec<u64> {
    pages
        .iter()
        .map(|p| p.body["tickets"][0]["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_cursor_walk_follows_links_next_while_has_more() {
    let h = walk(|base, _, n| answer(200, &cursor(base, n + 1, n < 2))).await;
    let (outcome, pages) = h.run(&paginate("tickets.json?page[size]=1")).await;
    assert_eq!(outcome.unwrap(), Outcome::Done);
    assert_eq!(ids(&pages), [1, 2, 3]);
    assert_eq!(
        pages.iter().map(|p| p.number).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let uris: Vec<String> = h.server.seen().into_iter().map(|s| s.uri).collect();
    assert_eq!(
        uris,
        [
            "/api/v2/tickets.json?page[size]=1",
            "/api/v2/tickets.json?page[after]=c1",
            "/api/v2/tickets.json?page[after]=c2"
        ]
    );
    // Without --paginate, one page however many follow.
    let (outcome, pages) = h.run(&get("tickets.json")).await;
    assert_eq!((outcome.unwrap(), pages.len()), (Outcome::Done, 1));
}

#[tokio::test]
async fn an_offset_walk_follows_next_page_until_null() {
    let h = walk(|base, _, n| {
        let next = if n < 3 { json!(format!("{base}/api/v2/users.json?page={}", n + 2)) } else { Value::Null };
        answer(200, &json!({"tickets": [{"id": n + 1}], "next_page": next, "previous_page": null, "count": 4}))
    })
    .await;
    let (outcome, pages) = h.run(&paginate("users.json")).await;
    assert_eq!(outcome.unwrap(), Outcome::Done);
    assert_eq!(ids(&pages), [1, 2, 3, 4]);
    assert_eq!(h.server.seen()[3].uri, "/api/v2/users.json?page=4");
}

/// Chat's lists (`GET /api/v2/chat/chats`) page with `next_url`, null on the last page.
#[tokio::test]
async fn a_chat_walk_follows_next_url_until_null_and_only_on_its_own_origin() {
    let h = walk(|base, _, n| {
        let next = if n < 2 {
            json!(format!("{base}/api/v2/chat/chats?max_id={}", 100 - n))
        } else {
            Value::Null
        };
        answer(
            200,
            &json!({"chats": [{"id": n + 1}], "count": 3, "next_url": next}),
        )
    })
    .await;
    let (outcome, pages) = h.run(&paginate("/api/v2/chat/chats")).await;
    assert_eq!(outcome.unwrap(), Outcome::Done);
    let ids: Vec<u64> = pages
        .iter()
        .map(|p| p.body["chats"][0]["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(h.server.seen()[2].uri, "/api/v2/chat/chats?max_id=99");
    let foreign = walk(|_, _, _| {
        answer(
            200,
            &json!({"chats": [], "next_url": "https://www.zopim.com/api/v2/chats?max_id=1"}),
        )
    })
    .await;
    let (outcome, pages) = foreign.run(&paginate("/api/v2/chat/chats")).await;
    assert!(
        matches!(
            outcome,
            Err(Error::Api {
                error: ApiError::BadNext { page: 1, .. },
                ..
            })
        ),
        "{outcome:?}"
    );
    assert_eq!((pages.len(), foreign.server.requests()), (1, 1));
}

#[tokio::test]
async fn max_pages_truncates_a_walk_with_more_to_fetch() {
    let h = walk(|base, _, n| answer(200, &cursor(base, n + 1, true))).await;
    let (outcome, pages) = h
        .run(&ApiRequest {
            max_pages: 2,
            ..paginate("tickets.json")
        })
        .await;
    assert_eq!(outcome.unwrap(), Outcome::Truncated { pages: 2 });
    assert_eq!(pages.len(), 2);
    assert_eq!(h.server.requests(), 2);
    // Exactly at the end: done, not truncated.
    let end = walk(|base, _, n| answer(200, &cursor(base, n + 1, n < 1))).await;
    let (outcome, _) = end
        .run(&ApiRequest {
            max_pages: 2,
            ..paginate("tickets.json")
        })
        .await;
    assert_eq!(outcome.unwrap(), Outcome::Done);
}

#[tokio::test]
async fn a_next_page_off_the_connections_origin_is_not_followed() {
    let elsewhere = Server::start(Duration::ZERO, |_, _| answer(200, &json!({}))).await;
    let other = elsewhere.base.clone();
    for next in [
        format!("{other}/api/v2/tickets.json"),
        "https://evil.com/api/v2/tickets.json".into(),
        "/api/v2/tickets.json?page=2".into(),
        "tickets.json?page=2".into(),
        format!("{other}@evil.com/x"),
    ] {
        let n = next.clone();
        let h = walk(move |_, _, _| answer(200, &json!({"tickets": [{"id": 1}], "next_page": n})))
            .await;
        let (outcome, pages) = h.run(&paginate("tickets.json")).await;
        let error = outcome.unwrap_err();
        assert!(
            matches!(
                &error,
                Error::Api {
                    error: ApiError::BadNext { page: 1, .. },
                    ..
                }
            ),
            "{next}: {error:?}"
        );
        assert_eq!(error.class(), ErrorClass::ZendeskOrNetwork);
        assert!(error.to_string().starts_with("c0: "), "{error}");
        assert!(!error.to_string().contains("evil"), "{error}");
        assert_eq!(pages.len(), 1, "the page before was delivered");
        assert_eq!(h.server.requests(), 1);
    }
    // A downgrade of the connection's own host: http where it is https cannot be built on a
    // loopback base, so it is checked through the resolver the walk uses.
    let acme = &super::harness::connections("https://acme.zendesk.com", 1)[0];
    assert!(crate::api::target::next_page(acme, "http://acme.zendesk.com/api/v2/x.json").is_err());
    assert!(crate::api::target::next_page(acme, "https://acme.zendesk.com/api/v2/x.json").is_ok());
    assert_eq!(elsewhere.requests(), 0);
}

#[tokio::test]
async fn a_next_page_already_fetched_is_a_loop() {
    let h = walk(|base, _, n| {
        let next = format!("{base}/api/v2/tickets.json?page={}", 2 - n % 2);
        answer(200, &json!({"tickets": [{"id": n + 1}], "next_page": next}))
    })
    .await;
    let (outcome, pages) = h.run(&paginate("tickets.json?page=1")).await;
    assert!(
        matches!(
            outcome,
            Err(Error::Api {
                error: ApiError::Loop { page: 2 },
                ..
            })
        ),
        "{outcome:?}"
    );
    assert_eq!(ids(&pages), [1, 2]);
}

#[tokio::test]
async fn shapes_that_contradict_themselves_stop_the_walk() {
    for body in [
        json!({"meta": {"has_more": true}, "links": {"next": null}}),
        json!({"meta": {"has_more": "yes"}}),
        json!({"next_page": 2}),
    ] {
        let b = body.clone();
        let h = walk(move |_, _, _| answer(200, &b)).await;
        let (outcome, pages) = h.run(&paginate("x.json")).await;
        assert!(
            matches!(
                outcome,
                Err(Error::Api {
                    error: ApiError::BadNext { .. },
                    ..
                })
            ),
            "{body}"
        );
        assert_eq!(pages.len(), 1);
    }
    // has_more false ends the walk whatever links.next says.
    let h = walk(|base, _, _| answer(200, &cursor(base, 1, false))).await;
    assert_eq!(h.run(&paginate("x.json")).await.0.unwrap(), Outcome::Done);
    assert_eq!(h.server.requests(), 1);
}

/// A non-2xx page ends the walk (it is delivered); a 401 mid-walk refreshes and goes on.
#[tokio::test]
async fn each_page_gets_its_own_token_and_an_error_status_ends_the_walk() {
    let h = walk(|base, seen, n| match n {
        1 => answer(401, &json!({"error": "invalid_token"})),
        // Even if it names a next page: an error status is not a page of the list.
        3 => answer(404, &cursor(base, 99, true)),
        _ if n >= 2 && !seen.bearer().contains("renewed1") => answer(500, &json!({})),
        _ => answer(200, &cursor(base, n + 1, true)),
    })
    .await;
    let (outcome, pages) = h.run(&paginate("tickets.json")).await;
    assert_eq!(outcome.unwrap(), Outcome::Done);
    assert_eq!(
        pages.iter().map(|p| p.status).collect::<Vec<_>>(),
        [200, 200, 404]
    );
    assert_eq!(h.server.token_posts(), 1);
    assert_eq!(h.server.requests(), 4);
}

/// A receiver that went away ends the walk quietly, however many pages were left.
#[tokio::test]
async fn a_closed_receiver_ends_the_walk() {
    let h = walk(|base, _, n| answer(200, &cursor(base, n + 1, true))).await;
    let (sender, receiver) = mpsc::channel(1);
    drop(receiver);
    let outcome = h
        .caller
        .call(
            &h.connections[0],
            &paginate("tickets.json"),
            &sender,
            &tokio_util::sync::CancellationToken::new(),
        )
        .await;
    assert_eq!(outcome.unwrap(), Outcome::Done);
    assert_eq!(h.server.requests(), 1);
}
