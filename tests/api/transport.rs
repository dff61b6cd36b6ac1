//! The transport rules as a user meets them: 401 → one refresh → retry, 429 honoured, 5xx
//! retried for GET only, a foreign host refused, headers, an echoed token redacted, Chat
//! and client credentials connections.

use std::time::{Duration, Instant};

use zdauth_fake::{Fault, FaultTarget};

use super::{api, code, json};
use crate::common::ci::ci_world;
use crate::common::world::World;

fn world() -> World {
    let w = World::new(|_| {});
    w.seed();
    w
}

fn gets(w: &World) -> u32 {
    w.fake
        .counters()
        .api_calls_to("GET", "/api/v2/users/me.json")
}

#[test]
fn a_refused_token_is_refreshed_once_and_the_call_retried() {
    let w = world();
    let before = w.stored_access();
    w.fake
        .push_fault(FaultTarget::ApiGet, Fault::Unauthorized, 1);
    let run = api(&w, &["acme", "users/me.json"]);
    code(&run, 0);
    assert_eq!(json(&run)["user"]["id"], 1001);
    assert_eq!(w.fake.counters().token_posts, 1);
    assert_eq!(gets(&w), 2);
    assert_ne!(w.stored_access(), before);
    // Refused again after the refresh: a login is needed, and no second refresh is tried.
    w.fake
        .push_fault(FaultTarget::ApiGet, Fault::Unauthorized, 10);
    let run = api(&w, &["acme", "users/me.json"]);
    code(&run, 5);
    assert_eq!(w.fake.counters().token_posts, 2);
    assert_eq!(gets(&w), 4);
}

#[test]
fn a_429_is_waited_out_with_or_without_retry_after() {
    let w = world();
    w.fake.push_fault(
        FaultTarget::ApiGet,
        Fault::TooManyRequests {
            retry_after: Some(1),
        },
        1,
    );
    // A lower bound only: the retry came no sooner than Retry-After said.
    let started = Instant::now();
    code(&api(&w, &["acme", "users/me.json"]), 0);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(gets(&w), 2);
    w.fake.push_fault(
        FaultTarget::ApiPost,
        Fault::TooManyRequests { retry_after: None },
        1,
    );
    let ticket = r#"ticket:={"subject": "s", "comment": {"body": "b"}}"#;
    // Without Retry-After, the first backoff: 1 s.
    let started = Instant::now();
    code(&api(&w, &["acme", "tickets.json", "-f", ticket]), 0);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        w.fake
            .counters()
            .api_calls_to("POST", "/api/v2/tickets.json"),
        2
    );
    // Longer than zdauth waits: given up at once.
    w.fake.push_fault(
        FaultTarget::ApiGet,
        Fault::TooManyRequests {
            retry_after: Some(3600),
        },
        1,
    );
    api(&w, &["acme", "users/me.json"]).fails(7, "rate limited; retry after 3600 s");
    assert_eq!(gets(&w), 3);
}

#[test]
fn a_5xx_is_retried_for_get_but_never_for_post() {
    let w = world();
    w.fake
        .push_fault(FaultTarget::ApiGet, Fault::Status(503), 2);
    code(&api(&w, &["acme", "users/me.json"]), 0);
    assert_eq!(gets(&w), 3);
    w.fake
        .push_fault(FaultTarget::ApiPost, Fault::Status(502), 5);
    let ticket = r#"ticket:={"subject": "s", "comment": {"body": "b"}}"#;
    let run = api(&w, &["acme", "tickets.json", "-f", ticket]);
    code(&run, 8);
    assert!(
        run.stderr.starts_with("zdauth: acme: the API answered 502"),
        "{}",
        run.stderr
    );
    assert_eq!(
        w.fake
            .counters()
            .api_calls_to("POST", "/api/v2/tickets.json"),
        1
    );
}

#[test]
fn a_foreign_host_is_refused_before_any_token_is_read() {
    let w = world();
    // Expired: reading the token would refresh it, which the fake would count.
    w.age_pair(3600);
    let other_port = format!("http://127.0.0.1:{}/api/v2/users/me.json", w.port);
    for target in [
        "https://evil.example/api/v2/users/me.json",
        "//evil.example/api/v2/users/me.json",
        "https://acme.zendesk.com.evil.example/api/v2/users/me.json",
        other_port.as_str(),
    ] {
        let run = api(&w, &["acme", target]);
        code(&run, 2);
        assert_eq!(run.stderr.lines().count(), 1, "{target}: {}", run.stderr);
    }
    let counters = w.fake.counters();
    assert_eq!((counters.api_requests, counters.token_posts), (0, 0));
}

#[test]
fn headers_go_along_but_authorization_is_refused() {
    let w = world();
    api(
        &w,
        &["acme", "users/me.json", "-H", "Authorization: Bearer mine"],
    )
    .fails(2, "sets the authorization header itself");
    api(&w, &["acme", "users/me.json", "-H", "nocolon"]).fails(2, "'Name: value'");
    assert_eq!(w.fake.counters().api_requests, 0);
    // A hostile server echoes the request, headers and all, in its error page.
    w.fake
        .push_fault(FaultTarget::ApiGet, Fault::EchoText(400), 1);
    let run = api(&w, &["acme", "users/me.json", "-H", "X-Zdauth-Test: yes"]);
    code(&run, 8);
    let echoed = json(&run);
    let echoed = echoed.as_str().unwrap().to_ascii_lowercase();
    assert!(echoed.contains("x-zdauth-test: yes"), "{echoed}");
    assert!(echoed.contains("[redacted]"), "{echoed}");
    // Said once on stderr, beside the status line.
    let said = "zdauth: acme: the answer held the access token sent; it was replaced by [redacted]";
    assert_eq!(run.stderr.matches(said).count(), 1, "{}", run.stderr);
    let token = w.stored_access();
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));
}

#[test]
fn a_client_credentials_connection_works_like_any_other() {
    let w = ci_world(&[]);
    let run = api(&w, &["ci", "users/me.json"]);
    code(&run, 0);
    assert_eq!(json(&run)["user"]["id"], 1001);
    assert!(w.fake.counters().client_credentials >= 1);
}

#[test]
fn a_chat_connection_calls_the_chat_api() {
    let w = World::with_chat_client();
    w.add_chat(&[]);
    let browser = w.browser();
    w.sb.run_with(
        &["login", "chat", "--timeout", "30s"],
        &[("BROWSER", &browser)],
        None,
    )
    .success();
    let run = api(&w, &["chat", "chats"]);
    code(&run, 0);
    let answer = json(&run);
    assert!(
        answer["chats"].is_array() && answer["count"].is_u64(),
        "{answer}"
    );
    assert_eq!(
        w.fake.counters().api_calls_to("GET", "/api/v2/chat/chats"),
        1
    );
}
