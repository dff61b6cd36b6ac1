//! Client credentials mints against answers that are not the plain case: an unusable part, no
//! `expires_in`, a 401 for a minted token.

use crate::common;

use common::ci::*;
use zdauth_core::expiry::ExpirySource;
use zdauth_fake::{Fault, FaultTarget, Hostile};

/// A client credentials token needs no refresh token: an answer whose access token is usable
/// but whose refresh token is not is a good mint, not an error that asks for a login this
/// connection cannot have; an unusable access token is an error that says to try again.
#[test]
fn a_mint_with_an_unusable_refresh_token_still_hands_out_its_access_token() {
    let w = ci_world(&[]);
    w.fake
        .set_hostile(Some(Hostile::RefreshToken(serde_json::json!("bad\r\n"))));
    let token = w.sb.run(&["token", "ci"]).success();
    let token = token.stdout.trim();
    assert!(w.fake.access_token_works(token));
    let tokens = stored(&w, "ci").tokens.unwrap();
    assert_eq!(tokens.access_token.expose(), token);
    assert!(tokens.refresh_token.is_none());
    w.sb.run(&["refresh", "ci"]).success();

    w.fake
        .set_hostile(Some(Hostile::AccessToken(serde_json::json!("\u{1b}[31m"))));
    let refused = w.sb.run(&["refresh", "ci"]);
    assert_ne!(refused.code, 0);
    assert!(!refused.stdout.contains("log in"), "{}", refused.stdout);
    assert!(!refused.stderr.contains("log in"), "{}", refused.stderr);
}

/// whoami's 401 re-check on a client credentials connection: a dropped token is minted anew
/// once; a new token refused too says what helps such a connection, which is no login.
#[test]
fn a_401_mints_once_and_a_second_names_the_client_not_a_login() {
    let w = ci_world(&[]);
    w.sb.run(&["token", "ci"]).success();
    w.fake.push_fault(FaultTarget::Api, Fault::Unauthorized, 1);
    w.sb.run(&["whoami", "ci"]).success();
    assert_eq!(
        w.fake.counters().client_credentials,
        2,
        "one mint after the 401"
    );

    w.fake.push_fault(FaultTarget::Api, Fault::Unauthorized, 2);
    let run = w.sb.run(&["whoami", "ci"]);
    let run = run.fails(
        7,
        "refused ci's access token (401) even after getting a new one",
    );
    assert!(!run.stderr.contains("zdauth login"), "{}", run.stderr);
    assert!(run.stderr.contains("client"), "{}", run.stderr);
    assert_eq!(w.fake.counters().client_credentials, 3, "one mint, no more");
}

/// A mint answer without `expires_in` (opaque token, so no `exp` either) is asked about at
/// tokens/current.json as a login or refresh answer is: here the server grants 10 minutes
/// where 30 were asked, and the assumed 30-minute default would hand out a dead token.
#[test]
fn a_mint_without_expires_in_learns_its_expiry_from_current_json() {
    let w = ci_world_with(&[], |options| {
        options.omit_expires_in = true;
        options.opaque_tokens = true;
        options.max_access_lifetime = Some(std::time::Duration::from_secs(600));
    });
    w.sb.run(&["token", "ci"]).success();
    let entry = stored(&w, "ci");
    let tokens = entry.tokens.as_ref().unwrap();
    assert_eq!(tokens.expiry_source, ExpirySource::CurrentJson);
    assert!((590..=600).contains(&left(&entry)), "{}", left(&entry));
    let status = w.sb.run(&["status", "ci"]).success();
    assert!(
        status.stdout.contains("from tokens/current.json"),
        "{}",
        status.stdout
    );
}

/// When nothing tells a minted token's expiry, `list` says the default was assumed, as it does
/// for any connection (only the no-refresh-token note is left out: a mint needs none).
#[test]
fn list_says_when_a_minted_tokens_expiry_was_assumed() {
    let w = ci_world_with(&[], |options| {
        options.omit_expires_in = true;
        options.opaque_tokens = true;
    });
    // tokens/current.json: 404 is not retried.
    w.fake.push_fault(FaultTarget::Api, Fault::Status(404), 1);
    w.sb.run(&["token", "ci"]).success();
    let tokens = stored(&w, "ci").tokens.unwrap();
    assert_eq!(tokens.expiry_source, ExpirySource::Assumed);
    let list = w.sb.run(&["list"]).success();
    assert!(
        list.stdout.contains("assumed 30-minute default"),
        "{}",
        list.stdout
    );
    assert!(!list.stdout.contains("log in again"), "{}", list.stdout);
}

/// A refused secret is exit 5 for every caller, also for those that waited on the lock while
/// another made the refused mint (they got the waited-for attempt's exit 7).
#[test]
fn processes_waiting_on_a_refused_mint_all_exit_5() {
    let w = ci_world(&[]);
    add_ci(&w, "wrong", CI_CLIENT, "not-the-secret", &[]);
    let held = w.sb.vault().lock_connection("wrong").unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            w.sb.zdauth(&["token", "wrong"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Not a timed assertion: only lets the four reach the lock before it is released.
    std::thread::sleep(std::time::Duration::from_millis(800));
    drop(held);
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "{stderr}");
        assert!(out.stdout.is_empty());
        assert!(
            stderr.contains("refused wrong's client credentials"),
            "{stderr}"
        );
    }
}
