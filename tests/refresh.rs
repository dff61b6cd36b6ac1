//! The refresh transaction inside one process, against the fake Zendesk's strict rotation.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::world::World;
use zdauth_core::refresh::{Refresher, Want};
use zdauth_core::zendesk::{Timeouts, ZendeskClient};

fn refresher(w: &World) -> Arc<Refresher> {
    let client = ZendeskClient::new(Timeouts::default());
    Arc::new(Refresher::new(w.sb.vault(), client))
}

#[test]
fn item_15_sixteen_tasks_in_one_process_cost_one_post() {
    let w = World::new(|_| {});
    w.seed();
    let refresher = refresher(&w);
    let connection = w.connection();
    // The connection's lock is held (as by another process) while the sixteen start, so that
    // all of them ask before any refresh can finish.
    let held = w.sb.vault().lock_connection("acme").unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let refresher = refresher.clone();
            let connection = connection.clone();
            // More than the token's lifetime: each caller alone would refresh.
            w.runtime.spawn(async move {
                refresher
                    .ensure(&connection, Want::ValidFor(Duration::from_secs(7200)))
                    .await
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    drop(held);
    let tokens: Vec<String> = w.runtime.block_on(async {
        let mut tokens = Vec::new();
        for task in tasks {
            tokens.push(
                task.await
                    .unwrap()
                    .unwrap()
                    .tokens
                    .access_token
                    .expose()
                    .to_owned(),
            );
        }
        tokens
    });
    let counters = w.fake.counters();
    assert_eq!(counters.refreshes, 1, "single flight");
    assert_eq!(counters.reuse_detections, 0);
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "everyone got the new token"
    );
    assert!(w.fake.access_token_works(&tokens[0]));
}

#[test]
fn item_15_callers_waiting_on_a_failed_refresh_share_its_error() {
    let w = World::new(|_| {});
    w.seed();
    w.fake.push_fault(
        zdauth_fake::FaultTarget::Token,
        zdauth_fake::Fault::Status(500),
        16,
    );
    let refresher = refresher(&w);
    let connection = w.connection();
    let held = w.sb.vault().lock_connection("acme").unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (refresher, connection) = (refresher.clone(), connection.clone());
            w.runtime
                .spawn(async move { refresher.ensure(&connection, Want::Rotate).await })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    drop(held);
    let failures: Vec<u8> = w.runtime.block_on(async {
        let mut failures = Vec::new();
        for task in tasks {
            failures.push(zdauth::exit::for_error(&task.await.unwrap().unwrap_err()));
        }
        failures
    });
    assert!(failures.iter().all(|code| *code == 7), "{failures:?}");
    assert_eq!(
        w.fake.counters().token_posts,
        1,
        "one attempt for sixteen callers"
    );
    assert!(w.stored().tokens.is_some());
}

#[test]
fn a_refresher_made_before_another_process_rotated_spends_the_new_token() {
    let w = World::new(|_| {});
    let issued = w.seed();
    // A TUI-like holder: its refresher was set up (and the vault read) long ago.
    let holder = refresher(&w);
    let stale = w.stored();
    // Meanwhile a script rotates the pair.
    w.sb.run(&["refresh", "acme"]).success();
    assert_ne!(w.stored_refresh(), issued.refresh_token);
    drop(stale);
    let fresh = w
        .runtime
        .block_on(holder.ensure(&w.connection(), Want::Rotate))
        .unwrap();
    assert!(fresh.refreshed);
    let counters = w.fake.counters();
    assert_eq!(counters.refreshes, 2);
    assert_eq!(
        counters.reuse_detections, 0,
        "the holder re-read the vault under the lock"
    );
    assert!(
        w.fake
            .access_token_works(fresh.tokens.access_token.expose())
    );
}

#[test]
fn item_17_the_new_pair_is_stored_before_it_is_returned() {
    let w = World::new(|_| {});
    w.seed();
    let refresher = refresher(&w);
    let fresh = w
        .runtime
        .block_on(refresher.ensure(&w.connection(), Want::Rotate))
        .unwrap();
    assert_eq!(w.stored_access(), fresh.tokens.access_token.expose());
    assert_eq!(
        w.stored_refresh(),
        fresh.tokens.refresh_token.as_ref().unwrap().expose()
    );
    assert!(w.stored().last_refresh.is_some());
}

#[test]
fn tokens_issued_for_another_server_are_neither_used_nor_sent() {
    let w = World::new(|_| {});
    w.seed();
    // The connection is re-pointed at another server under the same name.
    let text =
        w.sb.config_text()
            .replace(&w.fake.base_url(), "https://elsewhere.example");
    std::fs::write(w.sb.paths().config(), text).unwrap();
    w.sb.run(&["token", "acme"])
        .fails(5, "issued for another server or client");
    let list = w.sb.run(&["list", "--json"]).success();
    assert!(list.stdout.contains("\"no_token\""), "{}", list.stdout);
    assert_eq!(w.fake.counters().token_posts, 0);
}
