//! Client credentials connections through the real binary against the fake Zendesk: no
//! browser, no refresh token, a new access token minted when the stored one runs low, through
//! the same lock and single flight as a refresh.

use crate::common;

use std::process::Stdio;

use common::ci::*;
use common::world::World;
use jiff::{SignedDuration, Timestamp};

#[test]
fn token_mints_once_then_answers_from_the_vault_until_it_runs_low() {
    let w = ci_world(&[]);
    assert!(
        !w.sb.config_text().contains(CI_SECRET),
        "the secret is in the vault only"
    );
    assert!(
        w.sb.config_text()
            .contains("grant = \"client_credentials\"")
    );
    let first = w.sb.run(&["token", "ci"]).success();
    let token = first.stdout.trim().to_owned();
    assert!(w.fake.access_token_works(&token));
    let entry = stored(&w, "ci");
    let tokens = entry.tokens.as_ref().unwrap();
    assert_eq!(tokens.access_token.expose(), token);
    assert!(tokens.refresh_token.is_none());
    // expires_in=1800 was sent (the fake echoes it only then) and stored.
    assert!((1790..=1800).contains(&left(&entry)), "{}", left(&entry));
    assert_eq!(w.fake.counters().client_credentials, 1);

    w.sb.run(&["token", "ci"]).success();
    assert_eq!(
        w.fake.counters().token_posts,
        1,
        "a fresh token needs no POST"
    );
    let again = w.sb.run(&["token", "ci", "--min-valid", "1h"]).success();
    assert_ne!(again.stdout.trim(), token);
    assert_eq!(w.fake.counters().client_credentials, 2);
    assert_eq!(w.fake.counters().refreshes, 0);
    let whoami = w.sb.run(&["whoami", "ci"]).success();
    assert!(whoami.stdout.contains("admin"), "{}", whoami.stdout);
}

#[test]
fn the_connections_lifetime_is_asked_for() {
    let w = ci_world(&["--access-token-lifetime", "2h"]);
    w.sb.run(&["token", "ci"]).success();
    assert!((7190..=7200).contains(&left(&stored(&w, "ci"))));
}

#[test]
fn every_door_works_as_for_any_connection() {
    let w = ci_world(&[]);
    let refresh = w.sb.run(&["refresh", "ci"]).success();
    assert!(
        refresh.stdout.starts_with("ci: refreshed, "),
        "{}",
        refresh.stdout
    );
    let token = stored(&w, "ci")
        .tokens
        .unwrap()
        .access_token
        .expose()
        .to_owned();
    let env = w.sb.run(&["export", "ci", "--format", "env"]).success();
    assert!(env.stdout.contains(&token), "{}", env.stdout);
    let exec = w.sb.run(&[
        "exec",
        "ci",
        "--",
        "sh",
        "-c",
        "printf %s \"$ZENDESK_OAUTH_TOKEN\"",
    ]);
    assert_eq!(exec.code, 0, "{}", exec.stderr);
    assert_eq!(exec.stdout, token);
    let refreshed = w.sb.run(&["refresh", "ci"]).success();
    assert!(refreshed.stdout.starts_with("ci: refreshed"));
    assert_eq!(
        w.fake.counters().client_credentials,
        2,
        "refresh mints anew"
    );
    w.sb.run(&["logout", "ci"]).success();
    assert!(!w.fake.access_token_works(&stored_or_empty(&w)));
    assert!(
        stored(&w, "ci").client_secret.is_some(),
        "logout keeps the secret"
    );
    w.sb.run(&["token", "ci"]).success();
}

fn stored_or_empty(w: &World) -> String {
    stored(w, "ci")
        .tokens
        .map(|t| t.access_token.expose().to_owned())
        .unwrap_or_default()
}

#[test]
fn list_and_status_show_the_grant_and_never_ask_for_a_login() {
    let w = ci_world(&[]);
    let status = w.sb.run(&["status", "ci"]);
    assert_eq!(
        status.code, 4,
        "nothing yet, but minted without a person: {}",
        status.stdout
    );
    assert!(
        status.stdout.contains("grant:          client credentials"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("none yet; the next use mints one"),
        "{}",
        status.stdout
    );
    w.sb.run(&["token", "ci"]).success();
    let status = w.sb.run(&["status", "ci"]);
    assert_eq!(status.code, 0, "{}", status.stdout);
    assert!(
        status
            .stdout
            .contains("client secret:  stored in the vault")
    );
    assert!(
        status
            .stdout
            .contains("refresh token:  none (client credentials")
    );
    for never in ["login_required", "log in", "expired"] {
        assert!(!status.stdout.contains(never), "{}", status.stdout);
    }
    assert!(!status.stdout.contains("redirect URI"), "{}", status.stdout);
    let list = w.sb.run(&["list", "--json"]).success();
    let rows: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    let ci = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "ci")
        .unwrap();
    assert_eq!(ci["grant"], "client_credentials");
    assert_eq!(ci["status"], "valid");
    assert_eq!(rows[0]["grant"], "authorization_code");
    let table = w.sb.run(&["list"]).success();
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("ci ") && l.contains(" client ")),
        "{}",
        table.stdout
    );

    // Long past its expiry it is "expired" (minted again on use), never "login required".
    let lock = w.sb.vault().lock_connection("ci").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    entry.tokens.as_mut().unwrap().expires_at =
        Some(Timestamp::now() - SignedDuration::from_hours(1));
    lock.persist(entry).unwrap();
    drop(lock);
    let status = w.sb.run(&["status", "ci"]);
    assert_eq!(status.code, 4, "{}", status.stdout);
    assert!(
        !status.stdout.contains("login_required"),
        "{}",
        status.stdout
    );
}

#[test]
fn login_says_none_is_needed() {
    let w = ci_world(&[]);
    w.sb.run(&["login", "ci"])
        .fails(2, "ci uses client credentials and needs no login");
    assert_eq!(w.fake.counters().authorize_requests, 0);
}

#[test]
fn add_refuses_what_cannot_work() {
    let w = ci_world(&[]);
    let base_url = w.fake.base_url();
    // Refused before the secret is read: no stdin, which a refusal would leave unread.
    let add = |extra: &[&str], stdin: Option<&str>| {
        let mut args = vec![
            "add",
            "x",
            "--subdomain",
            "acme",
            "--client-id",
            "c",
            "--base-url",
            &base_url,
        ];
        args.extend_from_slice(extra);
        w.sb.run_with(&args, &[], stdin)
    };
    add(&["--grant", "client_credentials"], None)
        .fails(2, "needs the confidential client's secret");
    add(&["--grant", "password"], None).fails(2, "--grant: \"password\" is not a grant");
    add(
        &[
            "--grant",
            "client_credentials",
            "--kind",
            "chat",
            "--scopes",
            "read chat",
            "--secret-stdin",
        ],
        None,
    )
    .fails(
        2,
        "Zendesk Chat's OAuth server has no client credentials grant",
    );
    add(
        &[
            "--grant",
            "client_credentials",
            "--refresh-token-lifetime",
            "30d",
            "--secret-stdin",
        ],
        None,
    )
    .fails(2, "client credentials get no refresh token");
    assert!(!w.sb.config_text().contains("name = \"x\""));
}

#[test]
fn a_refused_or_missing_secret_exits_5_and_says_what_to_store() {
    let w = ci_world(&[]);
    add_ci(&w, "wrong", CI_CLIENT, "not-the-secret", &[]);
    let run = w.sb.run(&["token", "wrong"]);
    assert_eq!(run.stdout, "");
    run.fails(5, "Zendesk refused wrong's client credentials");
    // A public client cannot use the grant: the fake answers invalid_client.
    add_ci(&w, "public", common::world::CLIENT, "anything", &[]);
    w.sb.run(&["token", "public"])
        .fails(5, "Zendesk refused public's client credentials");
    // The secret gone from the vault (a hand-edited config, a restored vault).
    w.sb.vault()
        .update(|data| {
            data.connections.get_mut("ci").unwrap().client_secret = None;
        })
        .unwrap();
    let posts = w.fake.counters().token_posts;
    w.sb.run(&["token", "ci"])
        .fails(5, "no client secret is stored");
    assert_eq!(w.fake.counters().token_posts, posts);
    let status = w.sb.run(&["status", "ci"]);
    assert_eq!(status.code, 5);
    assert!(status.stdout.contains("no_secret"), "{}", status.stdout);
}

/// Checklist item 16 for minting: eight processes that all need a new token at once cost one
/// POST (two at the most) and all print the token that was stored.
#[test]
fn eight_processes_at_once_cost_one_mint_and_all_get_the_new_token() {
    let w = ci_world(&[]);
    let mut figures = Vec::new();
    for round in 0..10u32 {
        let before = w.fake.counters().client_credentials;
        // Held while the eight start, so all ask before any can mint; each wants more than
        // a token's 30 minutes, so each alone would mint.
        let held = w.sb.vault().lock_connection("ci").unwrap();
        let children: Vec<_> = (0..8)
            .map(|_| {
                w.sb.zdauth(&["token", "ci", "--min-valid", "24h"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(800));
        drop(held);
        let printed: Vec<String> = children
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "round {round}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8(out.stdout).unwrap()
            })
            .collect();
        let posts = w.fake.counters().client_credentials - before;
        figures.push(posts);
        assert!(
            (1..=2).contains(&posts),
            "round {round}: {posts} POSTs for eight callers"
        );
        let token = format!(
            "{}\n",
            stored(&w, "ci").tokens.unwrap().access_token.expose()
        );
        assert!(
            printed.iter().all(|p| *p == token),
            "round {round}: all got the stored token"
        );
    }
    eprintln!("token POSTs per round of 8 processes: {figures:?}");
}

/// The same without any help from the test: eight processes started at once on an expired
/// token, asking for the default margin, which a new token meets. Whoever comes after the
/// mint finds it valid, so exactly one POST, every round.
#[test]
fn eight_processes_on_an_expired_token_cost_exactly_one_mint() {
    let w = ci_world(&[]);
    for round in 0..5u32 {
        w.sb.run(&["token", "ci"]).success();
        let lock = w.sb.vault().lock_connection("ci").unwrap();
        let mut entry = lock.reload().unwrap().unwrap();
        entry.tokens.as_mut().unwrap().expires_at =
            Some(Timestamp::now() - SignedDuration::from_secs(1));
        lock.persist(entry).unwrap();
        drop(lock);
        let before = w.fake.counters().client_credentials;
        let children: Vec<_> = (0..8)
            .map(|_| {
                w.sb.zdauth(&["token", "ci"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let printed: Vec<String> = children
            .into_iter()
            .map(|child| String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap())
            .collect();
        assert_eq!(
            w.fake.counters().client_credentials - before,
            1,
            "round {round}"
        );
        let token = format!(
            "{}\n",
            stored(&w, "ci").tokens.unwrap().access_token.expose()
        );
        assert!(printed.iter().all(|p| *p == token), "round {round}");
    }
}
