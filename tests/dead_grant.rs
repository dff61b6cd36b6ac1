//! Checklist item 27: a connection marked "login required" hands out nothing, through any
//! door, even while its stored access token still has time on its clock. Each test makes
//! Zendesk (the fake) refuse the grant for real, then knocks on one door.

use crate::common;

use common::clipboard::{helper_running, zdauth_here};
use common::world::World;
use jiff::Timestamp;

/// The grant is revoked at Zendesk (an admin, a replay elsewhere); zdauth learns it from the
/// `invalid_grant` of a refresh. The stored access token still reads as valid for ~30 min.
fn revoked(w: &World) {
    let issued = w.seed();
    w.fake.revoke_grant(&issued.grant_id);
    w.sb.run(&["refresh", "acme"]);
    let entry = w.stored();
    assert!(entry.login_required, "the refused grant is marked");
    let expires_at = entry.tokens.unwrap().expires_at.unwrap();
    assert!(
        expires_at > Timestamp::now() + jiff::SignedDuration::from_mins(20),
        "the dead token's clock still runs"
    );
}

/// The stored refresh token was spent by someone else: the next refresh gets `invalid_grant`.
fn spent(w: &World) {
    let issued = w.seed();
    w.runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", issued.refresh_token.as_str()),
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
    w.sb.run(&["token", "acme", "--min-valid", "1h"])
        .fails(5, "Zendesk refused the refresh token");
    assert!(w.stored().login_required);
}

#[test]
fn item_27_token_exits_5_with_nothing_on_stdout() {
    let w = World::new(|_| {});
    revoked(&w);
    let posts = w.fake.counters().token_posts;
    // The lock-free path (a token with time left) and the refreshing one alike.
    for args in [
        &["token", "acme"][..],
        &["token", "acme", "--min-valid", "1h"],
    ] {
        let run = w.sb.run(args);
        assert_eq!(run.stdout, "", "{args:?}");
        run.fails(5, "run `zdauth login acme`");
    }
    assert_eq!(
        w.fake.counters().token_posts,
        posts,
        "nothing more was sent"
    );
}

#[test]
fn item_27_token_refuses_after_a_spent_refresh_token_too() {
    let w = World::new(|_| {});
    spent(&w);
    let run = w.sb.run(&["token", "acme"]);
    assert_eq!(run.stdout, "");
    run.fails(5, "acme needs a login");
}

#[test]
fn item_27_copy_exits_5_and_copies_nothing() {
    let sink = tempfile::tempdir().unwrap();
    let file = sink.path().join("clipboard.txt");
    let settings = format!(
        "clipboard = \"command\"\nclipboard_command = \"sh -c 'cat > \\\"$0\\\"' '{}'\"",
        file.display()
    );
    let w = World::with_settings(&settings, |_| {});
    revoked(&w);
    for args in [&["copy", "acme"][..], &["copy", "acme", "--header"]] {
        let out = zdauth_here(&w, args).output().unwrap();
        assert_eq!(out.status.code(), Some(5), "{args:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("run `zdauth login acme`"), "{stderr}");
    }
    assert!(!file.exists(), "the clipboard command never ran");
    assert!(!helper_running(&w));
}

#[test]
fn item_27_export_exits_5_with_nothing_on_stdout() {
    let w = World::new(|_| {});
    revoked(&w);
    for format in ["header", "env", "json", "curl"] {
        let run = w.sb.run(&["export", "acme", "--format", format]);
        assert_eq!(run.stdout, "", "{format}");
        run.fails(5, "run `zdauth login acme`");
    }
}

#[test]
fn item_27_exec_exits_5_and_never_runs_the_command() {
    let w = World::new(|_| {});
    revoked(&w);
    let marker = w.sb.temp.path().join("ran");
    let script = format!(
        "echo \"$ZENDESK_OAUTH_TOKEN\"; touch '{}'",
        marker.display()
    );
    let run = w.sb.run(&["exec", "acme", "--", "sh", "-c", &script]);
    assert_eq!(run.stdout, "");
    run.fails(5, "run `zdauth login acme`");
    assert!(!marker.exists());
}

#[test]
fn item_27_whoami_and_status_agree_that_a_login_is_needed() {
    let w = World::new(|_| {});
    revoked(&w);
    let api = w.fake.counters().api_requests;
    let run = w.sb.run(&["whoami", "acme"]);
    assert_eq!(run.stdout, "");
    run.fails(5, "run `zdauth login acme`");
    assert_eq!(
        w.fake.counters().api_requests,
        api,
        "the dead token is not sent"
    );
    let status = w.sb.run(&["status", "acme"]);
    assert_eq!(status.code, 5);
    assert!(
        status.stdout.contains("login_required"),
        "{}",
        status.stdout
    );
}

#[test]
fn item_27_a_new_login_makes_the_connection_hand_out_tokens_again() {
    let w = World::new(|_| {});
    revoked(&w);
    w.login().success();
    let token = w.sb.run(&["token", "acme"]).success();
    assert!(w.fake.access_token_works(token.stdout.trim()));
}
