//! A 401 from Zendesk for a token zdauth thought valid, through the real binary: the vault is
//! read again (another process may have rotated), a refresh is made once if the refused token
//! is still the stored one, and a failure says what helps, never `zdauth refresh`.

use crate::common;

use std::process::Stdio;

use common::clipboard::wait_until;
use common::world::World;
use zdauth_fake::{Fault, FaultTarget};

#[test]
fn a_token_rotated_by_another_process_meanwhile_is_used_without_a_refresh() {
    let w = World::new(|_| {});
    let issued = w.seed();
    // whoami's users/me is held at the fake while another process rotates the pair, which
    // kills the access token whoami is sending.
    w.fake.push_fault(FaultTarget::Api, Fault::Hold, 1);
    let whoami =
        w.sb.zdauth(&["whoami", "acme"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    wait_until("whoami's users/me reaching the fake", || {
        w.fake.counters().api_requests >= 1
    });
    w.sb.run(&["refresh", "acme"]).success();
    assert!(!w.fake.access_token_works(&issued.access_token));
    w.fake.release_held();
    let out = whoami.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Ada Admin <ada@acme.test>, admin"),
        "{stderr}"
    );
    let counters = w.fake.counters();
    assert_eq!(
        counters.token_posts, 1,
        "only the other process's refresh: whoami took its token from the vault"
    );
    assert_eq!(counters.api_requests, 2, "the refused call, then one retry");
    assert_eq!(counters.reuse_detections, 0);
}

#[test]
fn a_token_zendesk_dropped_early_is_refreshed_once_and_the_call_retried() {
    let w = World::new(|_| {});
    let issued = w.seed();
    w.fake.forget_access_token(&issued.grant_id);
    let run = w.sb.run(&["whoami", "acme"]).success();
    assert!(run.stdout.starts_with("Ada Admin"), "{}", run.stdout);
    let counters = w.fake.counters();
    assert_eq!(counters.token_posts, 1, "one refresh");
    assert_eq!(counters.refreshes, 1);
    assert_eq!(counters.api_requests, 2, "the refused call and one retry");
    let stored = w.stored_access();
    assert_ne!(stored, issued.access_token);
    assert!(w.fake.access_token_works(&stored));
    assert_eq!(w.stored().user.unwrap().email, "ada@acme.test");
}

#[test]
fn logout_gets_past_a_dropped_token_the_same_way() {
    let w = World::new(|_| {});
    let issued = w.seed();
    w.fake.forget_access_token(&issued.grant_id);
    w.sb.run(&["logout", "acme"]).success();
    let counters = w.fake.counters();
    assert_eq!((counters.refreshes, counters.revocations), (1, 1));
    assert!(!w.fake.grant_alive(&issued.grant_id));
    assert!(w.stored().tokens.is_none());
}

#[test]
fn a_revoked_grant_after_a_401_asks_for_a_login_not_a_refresh() {
    let w = World::new(|_| {});
    let issued = w.seed();
    w.fake.revoke_grant(&issued.grant_id);
    let run = w.sb.run(&["whoami", "acme"]);
    assert_eq!(run.stdout, "");
    let run = run.fails(5, "acme needs a login (Zendesk refused the refresh token");
    assert!(
        run.stderr.contains("run `zdauth login acme`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("zdauth refresh"), "{}", run.stderr);
    assert_eq!(w.fake.counters().token_posts, 1, "one refresh, refused");
    assert!(w.stored().login_required);
    // And from then on every door says so without asking Zendesk.
    w.sb.run(&["whoami", "acme"]).fails(5, "zdauth login acme");
    assert_eq!(w.fake.counters().token_posts, 1);
}

#[test]
fn a_new_token_refused_too_is_reported_once_with_what_helps() {
    let w = World::new(|_| {});
    w.seed();
    w.fake.push_fault(FaultTarget::Api, Fault::Unauthorized, 2);
    let run = w.sb.run(&["whoami", "acme"]);
    assert_eq!(run.stdout, "");
    let run = run.fails(
        7,
        "users/me.json refused acme's access token (401) even after getting a new one",
    );
    assert!(run.stderr.contains("zdauth login acme"), "{}", run.stderr);
    assert!(!run.stderr.contains("zdauth refresh"), "{}", run.stderr);
    let counters = w.fake.counters();
    assert_eq!(counters.token_posts, 1, "one refresh, no more");
    assert_eq!(counters.api_requests, 2, "no third try");
    assert!(!w.stored().login_required, "the refresh token itself works");
}
