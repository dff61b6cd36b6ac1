//! Every token has a known expiry (checklist item 26), through the real binary against the
//! fake in its Zendesk-default mode: no `expires_in` in an answer unless the request asked.

use crate::common;

use std::time::{Duration, Instant};

use common::world::{CLIENT, World};
use jiff::Timestamp;
use zdauth_core::expiry::ExpirySource;
use zdauth_fake::{FakeClient, Fault, FaultTarget};

fn login(w: &World) {
    w.login().success();
}

/// Seconds from now until `at`.
fn left(at: Option<Timestamp>) -> i64 {
    at.expect("an expiry")
        .duration_since(Timestamp::now())
        .as_secs()
}

#[test]
fn item_26_the_default_config_stores_the_servers_expiry() {
    let w = World::new(|_| {});
    login(&w);
    let tokens = w.stored().tokens.unwrap();
    assert_eq!(tokens.expiry_source, ExpirySource::Server);
    assert!((1790..=1800).contains(&left(tokens.expires_at)));
    assert!((2_591_990..=2_592_000).contains(&left(tokens.refresh_expires_at)));
    let rows: serde_json::Value =
        serde_json::from_str(&w.sb.run(&["list", "--json"]).success().stdout).unwrap();
    assert_eq!(rows[0]["expiry_source"], "server");
    assert!(rows[0]["expires_in"].as_i64().unwrap() > 1700, "{rows}");
    let status = w.sb.run(&["status", "acme"]).success();
    assert!(
        status.stdout.contains("given by Zendesk"),
        "{}",
        status.stdout
    );
}

#[test]
fn item_26_min_valid_beyond_the_lifetime_refreshes() {
    let w = World::new(|_| {});
    login(&w);
    let first = w.stored_access();
    let token = w.sb.run(&["token", "acme", "--min-valid", "24h"]).success();
    assert_ne!(token.stdout.trim(), first);
    assert_eq!(token.stdout.trim(), w.stored_access());
    assert_eq!(w.fake.counters().refreshes, 1);
    assert!(w.fake.access_token_works(token.stdout.trim()));
}

#[test]
fn item_26_token_rotates_before_the_server_expires_it() {
    // The server grants 6 s, whatever is asked: due at half of that.
    let w = World::new(|options| options.max_access_lifetime = Some(Duration::from_secs(6)));
    login(&w);
    let deadline = Instant::now() + Duration::from_secs(60);
    while w.fake.counters().refreshes < 2 {
        assert!(Instant::now() < deadline, "no rotation came");
        let token = w.sb.run(&["token", "acme"]).success();
        assert!(
            w.fake.access_token_works(token.stdout.trim()),
            "zdauth handed out a token the server had already expired"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(w.fake.counters().reuse_detections, 0);
}

#[test]
fn item_26_without_expires_in_the_jwt_then_current_json_then_the_default() {
    // A server that leaves expires_in out even when asked: the JWT's exp tells.
    let w = World::new(|options| options.omit_expires_in = true);
    login(&w);
    let tokens = w.stored().tokens.unwrap();
    assert_eq!(tokens.expiry_source, ExpirySource::Jwt);
    assert!((1790..=1800).contains(&left(tokens.expires_at)));

    // Opaque tokens: tokens/current.json tells, after the pair is stored.
    let w = World::new(|options| {
        options.omit_expires_in = true;
        options.opaque_tokens = true;
    });
    login(&w);
    let tokens = w.stored().tokens.unwrap();
    assert_eq!(tokens.expiry_source, ExpirySource::CurrentJson);
    assert!((1790..=1800).contains(&left(tokens.expires_at)));

    // And when current.json cannot answer either: the 30-minute default, said so.
    let w = World::new(|options| {
        options.omit_expires_in = true;
        options.opaque_tokens = true;
        options.access_lifetime = Duration::from_secs(3600);
    });
    // users/me and current.json: 404 is not retried.
    w.fake.push_fault(FaultTarget::Api, Fault::Status(404), 2);
    login(&w);
    let tokens = w.stored().tokens.unwrap();
    assert_eq!(tokens.expiry_source, ExpirySource::Assumed);
    assert!((1790..=1800).contains(&left(tokens.expires_at)));
    let status = w.sb.run(&["status", "acme"]).success();
    assert!(
        status.stdout.contains("assumed 30-minute default"),
        "{}",
        status.stdout
    );
    let list = w.sb.run(&["list"]).success();
    assert!(
        list.stdout.contains("assumed 30-minute default"),
        "{}",
        list.stdout
    );
}

#[test]
fn item_26_a_legacy_client_still_gives_a_refresh_token() {
    let w = World::new(|options| {
        let redirect = options.clients[0].redirect_uris[0].clone();
        options.clients = vec![FakeClient::legacy(CLIENT, &redirect)];
    });
    login(&w);
    let tokens = w.stored().tokens.unwrap();
    assert!(
        tokens.refresh_token.is_some(),
        "zdauth asked for expires_in"
    );
    assert!((1790..=1800).contains(&left(tokens.expires_at)));
    w.sb.run(&["refresh", "acme"]).success();
    assert_eq!(w.fake.counters().refreshes, 1);
}

#[test]
fn item_26_a_stored_pair_without_expiry_is_due_not_valid_forever() {
    // What an older zdauth stored from an answer without expires_in.
    let w = World::new(|_| {});
    w.seed();
    let lock = w.sb.vault().lock_connection("acme").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    entry.tokens.as_mut().unwrap().expires_at = None;
    lock.persist(entry).unwrap();
    drop(lock);
    let status = w.sb.run(&["status", "acme"]);
    assert_eq!(status.code, 3, "{}", status.stdout);
    assert!(
        status.stdout.contains("expiry unknown"),
        "{}",
        status.stdout
    );
    let token = w.sb.run(&["token", "acme"]).success();
    assert_eq!(w.fake.counters().refreshes, 1);
    assert!(w.fake.access_token_works(token.stdout.trim()));
    assert_eq!(
        w.stored().tokens.unwrap().expiry_source,
        ExpirySource::Server
    );
    w.sb.run(&["status", "acme"]).success();
}

#[test]
fn item_19_a_lifetime_under_twice_the_margin_is_refreshed_once_per_pair() {
    // 30-minute pairs against a 40-minute margin: the margin alone would make every call
    // refresh; the pair is due at half its life instead.
    let w = World::with_settings("refresh_margin = \"40m\"", |_| {});
    w.seed();
    for _ in 0..3 {
        w.sb.run(&["token", "acme"]).success();
    }
    assert_eq!(w.fake.counters().token_posts, 0, "a fresh pair is not due");
    let status = w.sb.run(&["status", "acme"]).success();
    assert!(
        status.stdout.contains("refreshed at half its"),
        "{}",
        status.stdout
    );
    w.age_pair(15 * 60);
    for _ in 0..3 {
        w.sb.run(&["token", "acme"]).success();
    }
    assert_eq!(
        w.fake.counters().token_posts,
        1,
        "one rotation for the pair"
    );
}

#[test]
fn item_26_no_refresh_token_is_said_plainly() {
    let w = World::new(|_| {});
    w.seed();
    let lock = w.sb.vault().lock_connection("acme").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    let tokens = entry.tokens.as_mut().unwrap();
    tokens.refresh_token = None;
    tokens.refresh_expires_at = None;
    lock.persist(entry).unwrap();
    drop(lock);
    let words = "no refresh token: log in again when it expires";
    let status = w.sb.run(&["status", "acme"]).success();
    assert!(status.stdout.contains(words), "{}", status.stdout);
    let list = w.sb.run(&["list"]).success();
    assert!(list.stdout.contains(words), "{}", list.stdout);
    let rows: serde_json::Value =
        serde_json::from_str(&w.sb.run(&["list", "--json"]).success().stdout).unwrap();
    assert_eq!(rows[0]["has_refresh_token"], false);
    assert_eq!(rows[0]["notes"][0], words);
    // Still handed out while it lasts, since nothing can renew it.
    w.age_pair(26 * 60);
    w.sb.run(&["token", "acme"]).success();
}

#[test]
fn chat_connections_ask_for_chat_scopes_and_know_their_expiry() {
    let w = World::with_chat_client();
    w.add_chat(&[]);
    assert!(
        w.sb.config_text()
            .contains("scopes = [\"read\", \"write\", \"chat\"]"),
        "{}",
        w.sb.config_text()
    );
    let browser = w.browser();
    w.sb.run_with(
        &["login", "chat", "--timeout", "30s"],
        &[("BROWSER", &browser)],
        None,
    )
    .success();
    let entry =
        w.sb.vault()
            .load()
            .unwrap()
            .connections
            .remove("chat")
            .unwrap();
    let tokens = entry.tokens.unwrap();
    // Chat is sent no lifetime it does not document; its JWT tells the expiry.
    assert_eq!(tokens.expiry_source, ExpirySource::Jwt);
    assert!((1790..=1800).contains(&left(tokens.expires_at)));
    assert_eq!(tokens.scopes, ["read", "write", "chat"]);
    let status = w.sb.run(&["status", "chat"]).success();
    assert!(
        status.stdout.contains("the token's own exp"),
        "{}",
        status.stdout
    );
}

/// `list` shows the refresh token's cliff: what is left, "expired", or a dash when nothing is
/// known or there is no refresh token; `--json` carries the same as `refresh_expires_in`.
#[test]
fn list_shows_the_time_left_on_each_refresh_token() {
    let sb = common::Sandbox::new();
    sb.init_with_identity_file();
    let days_3 = 3 * 86_400 + 2 * 3600;
    let cases = [
        ("alive", Some(common::tokens(1800, Some(days_3))), "3d 01h"),
        ("lapsed", Some(common::tokens(-5, Some(-5))), "expired"),
        ("bare", Some(common::tokens(1800, None)), "—"),
        ("fresh", None, "—"),
    ];
    for (name, entry, _) in &cases {
        sb.add(name);
        if let Some(entry) = entry {
            sb.vault()
                .lock_connection(name)
                .unwrap()
                .persist(entry.clone())
                .unwrap();
        }
    }
    let table = sb.run(&["list"]).success().stdout;
    let header = table.lines().next().unwrap();
    let at = header.find("REFRESH").expect("a REFRESH column");
    let column = header[..at].chars().count();
    for (name, _, want) in &cases {
        let line = table
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap();
        let mut rest = line.chars().skip(column);
        let cell: String = rest.by_ref().take(want.chars().count()).collect();
        assert_eq!(&cell, want, "{name}:\n{table}");
        assert!(matches!(rest.next(), None | Some(' ')), "{name}:\n{table}");
    }
    let rows: serde_json::Value =
        serde_json::from_str(&sb.run(&["list", "--json"]).success().stdout).unwrap();
    let left = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["refresh_expires_in"]
            .clone()
    };
    assert!(
        (days_3 - 60..=days_3).contains(&left("alive").as_i64().unwrap()),
        "{rows}"
    );
    assert_eq!(left("lapsed"), 0);
    assert!(left("bare").is_null() && left("fresh").is_null(), "{rows}");
    // The existing field stays beside the new one.
    assert!(rows[0]["refresh_expires_at"].is_string(), "{rows}");
}
