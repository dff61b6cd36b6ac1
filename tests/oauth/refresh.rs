//! `token`, `refresh` and `logout` through the real binary against the fake Zendesk on
//! loopback: when a refresh happens, what many processes cost, what server faults, refusals
//! and redirects leave behind. Test names carry the security checklist item they prove.

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use common::world::World;
use zdauth_fake::{Fault, FaultTarget};

#[test]
fn item_15_16_token_refreshes_only_when_needed() {
    let w = World::new(|_| {});
    let issued = w.seed();
    let token = w.sb.run(&["token", "acme"]).success();
    assert_eq!(token.stdout.trim(), issued.access_token);
    assert_eq!(w.fake.counters().token_posts, 0);

    // 30 min left is less than the 1 h asked for: one refresh.
    let token = w.sb.run(&["token", "acme", "--min-valid", "1h"]).success();
    assert_ne!(token.stdout.trim(), issued.access_token);
    assert_eq!(w.fake.counters().refreshes, 1);
    assert!(w.fake.access_token_works(token.stdout.trim()));
    assert!(!w.fake.access_token_works(&issued.access_token));
    assert_ne!(
        w.stored_refresh(),
        issued.refresh_token,
        "the new refresh token is stored"
    );
}

#[test]
fn item_16_eight_processes_at_once_cost_one_refresh_and_all_get_the_new_token() {
    let w = World::new(|_| {});
    w.seed();
    for round in 0..20 {
        // Hold the connection's lock while the eight start, so that they all ask before any
        // of them can refresh; they ask for more than a token's lifetime, so each alone would.
        let held = w.sb.vault().lock_connection("acme").unwrap();
        let children: Vec<_> = (0..8)
            .map(|_| {
                w.sb.zdauth(&["token", "acme", "--min-valid", "2h"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(800));
        drop(held);
        let mut printed = Vec::new();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            printed.push(String::from_utf8(output.stdout).unwrap());
        }
        let counters = w.fake.counters();
        assert_eq!(
            counters.refreshes,
            round + 1,
            "round {round}: one refresh for eight callers"
        );
        assert_eq!(counters.reuse_detections, 0, "round {round}");
        let stored = format!("{}\n", w.stored_access());
        assert!(
            printed.iter().all(|p| *p == stored),
            "round {round}: everyone got the new token"
        );
        assert!(w.fake.access_token_works(stored.trim()));
    }
    assert_eq!(w.fake.counters().revoked_grants, 0);
}

#[test]
fn item_18_invalid_grant_marks_login_required_and_keeps_the_tokens() {
    let w = World::new(|_| {});
    let issued = w.seed();
    // Something outside zdauth spends the refresh token: the stored one is now used.
    spend_outside_zdauth(&w, &issued.refresh_token);
    let before = w.stored().tokens.unwrap();
    w.sb.run(&["token", "acme", "--min-valid", "1h"])
        .fails(5, "acme needs a login (Zendesk refused the refresh token");
    let after = w.stored();
    assert_eq!(
        after.tokens.unwrap(),
        before,
        "tokens are never wiped on an error alone"
    );
    assert!(after.login_required);
    assert_eq!(w.sb.run(&["status", "acme"]).code, 5);
    // A second try does not hammer Zendesk with the dead token.
    let posts = w.fake.counters().token_posts;
    w.sb.run(&["token", "acme", "--min-valid", "1h"])
        .fails(5, "zdauth login acme");
    assert_eq!(w.fake.counters().token_posts, posts);
}

#[test]
fn item_23_server_faults_exit_7_and_keep_the_tokens() {
    let w = World::with_settings("http_timeout = \"2s\"", |_| {});
    let cases = [
        (Fault::Status(500), 3, "answered HTTP 500"),
        (Fault::Status(503), 3, "answered HTTP 503"),
        (
            Fault::TooManyRequests { retry_after: None },
            3,
            "rate limiting",
        ),
        (
            Fault::TooManyRequests {
                retry_after: Some(3600),
            },
            1,
            "retry after 3600 s",
        ),
        (Fault::MalformedJson, 1, "cannot read"),
        (Fault::ResetMidBody, 1, "broke in the middle"),
        (Fault::Hang, 1, "did not answer within 2 s"),
    ];
    for (fault, times, words) in cases {
        w.fake.clear_faults();
        w.seed();
        let before = w.stored().tokens.unwrap();
        w.fake.push_fault(FaultTarget::Token, fault.clone(), times);
        let run = w.sb.run(&["token", "acme", "--min-valid", "1h"]);
        assert_eq!(run.code, 7, "{fault:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(words),
            "{fault:?}: want {words:?} in {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("stored tokens were kept") || run.stderr.contains("never follows"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
        let after = w.stored();
        assert_eq!(after.tokens.unwrap(), before, "{fault:?}");
        assert!(!after.login_required);
        assert!(after.last_error.is_some());
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn item_23_retry_after_is_honoured_then_the_refresh_succeeds() {
    let w = World::new(|_| {});
    w.seed();
    w.fake.push_fault(
        FaultTarget::Token,
        Fault::TooManyRequests {
            retry_after: Some(1),
        },
        1,
    );
    w.sb.run(&["token", "acme", "--min-valid", "1h"]).success();
    assert_eq!(w.fake.counters().token_posts, 2);
    assert!(w.stored().last_error.is_none());
    // API calls, which spend nothing, are retried after a 5xx.
    w.fake.push_fault(FaultTarget::Api, Fault::Status(502), 2);
    w.sb.run(&["whoami", "acme"]).success();
}

#[test]
fn logout_that_cannot_revoke_keeps_the_pair_and_says_how_to_forget_it() {
    let w = World::new(|_| {});
    w.seed();
    w.fake.push_fault(FaultTarget::Api, Fault::Status(500), 3);
    w.sb.run(&["logout", "acme"])
        .fails(7, "zdauth logout acme --local-only");
    assert!(w.stored().tokens.is_some());
    w.fake.clear_faults();
    let run = w.sb.run(&["logout", "acme", "--local-only"]).success();
    assert!(
        run.stdout.contains("stay valid at Zendesk"),
        "{}",
        run.stdout
    );
    assert!(w.stored().tokens.is_none());
    assert_eq!(w.fake.counters().revocations, 0);
}

#[test]
fn refresh_all_reports_one_line_each_and_the_first_failures_exit_code() {
    let w = World::new(|_| {});
    w.seed();
    w.sb.add("beta");
    let run = w.sb.run(&["refresh", "--all"]);
    assert_eq!(run.code, 5, "{}{}", run.stdout, run.stderr);
    let lines: Vec<_> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].starts_with("acme: refreshed"), "{}", run.stdout);
    assert!(
        lines[1].starts_with("beta: beta needs a login"),
        "{}",
        run.stdout
    );
    w.sb.run(&["refresh"])
        .code
        .eq(&2)
        .then_some(())
        .expect("names or --all");
}

/// One Zendesk account (subdomain) never gets more than 4 token requests at once, whatever
/// `--jobs` allows; `--jobs 1` is one at a time. The fake's latency makes the requests overlap.
#[test]
fn refresh_all_caps_requests_per_account_and_by_jobs() {
    let w = World::new(|options| options.latency = Duration::from_millis(300));
    w.seed();
    for n in 2..=6 {
        w.add_seeded(&format!("acme{n}"), "acme");
    }
    w.sb.run(&["refresh", "--all", "--jobs", "1"]).success();
    assert_eq!(w.fake.counters().max_token_posts_in_flight, 1);
    let run = w.sb.run(&["refresh", "--all"]).success();
    assert_eq!(
        run.stdout.matches(": refreshed").count(),
        6,
        "{}",
        run.stdout
    );
    assert_eq!(w.fake.counters().max_token_posts_in_flight, 4);
    let run = w.sb.run(&["refresh", "--all", "--jobs", "0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--jobs"), "{}", run.stderr);
}

#[test]
fn item_19_tokens_are_refreshed_inside_the_margin() {
    let w = World::new(|_| {});
    let issued = w.seed();
    assert_eq!(w.sb.run(&["status", "acme"]).code, 0, "fresh: valid");
    // 4 of its 30 minutes left: inside the default 5-minute margin.
    w.age_pair(26 * 60);
    assert_eq!(
        w.sb.run(&["status", "acme"]).code,
        3,
        "expiring inside the margin"
    );
    let token = w.sb.run(&["token", "acme"]).success();
    assert_ne!(token.stdout.trim(), issued.access_token);
    assert_eq!(w.fake.counters().refreshes, 1);
}

#[test]
fn item_16_a_token_request_is_never_repeated_after_a_5xx() {
    // The server may have rotated the pair before failing; sending the refresh token again
    // would be the replay that revokes the grant.
    let w = World::new(|_| {});
    w.seed();
    w.fake.push_fault(FaultTarget::Token, Fault::Status(502), 1);
    w.sb.run(&["token", "acme", "--min-valid", "1h"])
        .fails(7, "answered HTTP 502");
    assert_eq!(w.fake.counters().token_posts, 1);
}

#[test]
fn item_22_redirects_are_never_followed() {
    let w = World::new(|_| {});
    w.seed();
    let before = w.stored().tokens.unwrap();
    w.fake.push_fault(FaultTarget::Token, Fault::Status(302), 1);
    w.sb.run(&["token", "acme", "--min-valid", "1h"])
        .fails(7, "never follows");
    w.fake.push_fault(FaultTarget::Api, Fault::Status(307), 1);
    w.sb.run(&["whoami", "acme"]).fails(7, "never follows");
    assert_eq!(w.stored().tokens.unwrap(), before);
}

#[test]
fn item_20_21_hosts_cannot_be_injected_through_the_cli() {
    let w = World::new(|_| {});
    for (flag, value, words) in [
        ("--subdomain", "evil.com/#", "is not a Zendesk subdomain"),
        (
            "--subdomain",
            "acme.zendesk.com.evil.com",
            "is not a Zendesk subdomain",
        ),
        ("--subdomain", "a@b", "is not a Zendesk subdomain"),
        ("--subdomain", "%2e", "is not a Zendesk subdomain"),
        ("--base-url", "http://example.com", "non-loopback host"),
        ("--base-url", "http://10.0.0.1:8080", "non-loopback host"),
    ] {
        let mut args = vec!["add", "x", "--client-id", "c", flag, value];
        if flag != "--subdomain" {
            args.extend(["--subdomain", "x"]);
        }
        w.sb.run(&args).fails(2, words);
    }
    assert!(!w.sb.config_text().contains("name = \"x\""));
}

#[test]
fn item_18_a_newer_pair_stored_meanwhile_is_adopted_after_invalid_grant() {
    let w = World::new(|_| {});
    let issued = w.seed();
    spend_outside_zdauth(&w, &issued.refresh_token);
    // A writer that ignores the connection lock (an older tool, a restore) stores a newer
    // pair while our refresh is on the wire.
    w.fake.set_latency(std::time::Duration::from_millis(1500));
    let child =
        w.sb.zdauth(&["token", "acme", "--min-valid", "1h"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let newer = w.fake.issue_grant(common::world::CLIENT, &["read"]);
    w.sb.vault()
        .update(|data| {
            let entry = data.connections.get_mut("acme").unwrap();
            let tokens = entry.tokens.as_mut().unwrap();
            tokens.access_token = zdauth_core::secret::Secret::new(newer.access_token.clone());
            tokens.refresh_token = Some(zdauth_core::secret::Secret::new(
                newer.refresh_token.clone(),
            ));
        })
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        newer.access_token
    );
    assert!(!w.stored().login_required);
}

fn spend_outside_zdauth(w: &World, refresh_token: &str) {
    w.runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", common::world::CLIENT),
        ];
        let url = format!("{}/oauth/tokens", w.fake.base_url());
        let response = reqwest::Client::new()
            .post(url)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    });
}

#[test]
fn a_vault_this_zdauth_cannot_write_is_refused_before_the_refresh_token_is_spent() {
    let w = World::new(|_| {});
    w.seed();
    let data = w.sb.vault().load().unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&data.to_plaintext()).unwrap();
    json["version"] = 99.into();
    let recipient: age::x25519::Recipient = w.sb.vault().keys().recipient().parse().unwrap();
    let bytes = age::encrypt(&recipient, json.to_string().as_bytes()).unwrap();
    std::fs::write(w.sb.paths().vault(), &bytes).unwrap();
    w.sb.run(&["token", "acme", "--min-valid", "1h"])
        .fails(1, "upgrade zdauth");
    assert_eq!(w.fake.counters().token_posts, 0, "nothing spent");
    assert_eq!(w.sb.vault_bytes(), bytes);
}
