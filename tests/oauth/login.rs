//! Browser login through the real binary against the fake Zendesk on loopback: the whole
//! flow, a pasted redirect, denied consent, time-outs, confidential clients, Chat and codes
//! from another server. Test names carry the security checklist item they prove.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use common::world::World;
use zdauth_fake::{Fault, FaultTarget};

#[test]
fn full_flow_login_token_refresh_logout() {
    let w = World::new(|_| {});
    let browser = w.browser();
    let login =
        w.sb.run_with(
            &["login", "acme", "--timeout", "30s"],
            &[("BROWSER", &browser)],
            None,
        )
        .success();
    assert!(
        login.stderr.contains("/oauth/authorizations/new?"),
        "URL printed: {}",
        login.stderr
    );
    assert!(
        login.stderr.contains("logged in to acme as Ada Admin"),
        "{}",
        login.stderr
    );
    assert!(
        login.stdout.is_empty(),
        "stdout is for data: {}",
        login.stdout
    );
    let counters = w.fake.counters();
    assert_eq!((counters.code_exchanges, counters.token_posts), (1, 1));
    let entry = w.stored();
    assert_eq!(entry.user.as_ref().unwrap().email, "ada@acme.test");
    assert!(entry.tokens.as_ref().unwrap().refresh_expires_at.is_some());

    let token = w.sb.run(&["token", "acme"]).success();
    assert_eq!(token.stdout, format!("{}\n", w.stored_access()));
    assert!(w.fake.access_token_works(token.stdout.trim()));
    assert_eq!(
        w.fake.counters().token_posts,
        1,
        "a fresh token needs no POST"
    );

    let refreshed = w.sb.run(&["refresh", "acme"]).success();
    assert!(
        refreshed.stdout.starts_with("acme: refreshed, "),
        "{}",
        refreshed.stdout
    );
    assert_eq!(w.fake.counters().refreshes, 1);
    assert!(
        !w.fake.access_token_works(token.stdout.trim()),
        "rotation killed the old token"
    );
    assert!(w.fake.access_token_works(&w.stored_access()));

    let whoami = w.sb.run(&["whoami", "acme"]).success();
    assert!(
        whoami
            .stdout
            .starts_with("Ada Admin <ada@acme.test>, admin"),
        "{}",
        whoami.stdout
    );

    let status = w.sb.run(&["status", "acme"]);
    assert_eq!(status.code, 0, "{}", status.stdout);
    assert!(
        status.stdout.contains("user:           Ada Admin"),
        "{}",
        status.stdout
    );

    let access = w.stored_access();
    w.sb.run(&["logout", "acme"]).success();
    assert_eq!(w.fake.counters().revocations, 1);
    assert!(!w.fake.access_token_works(&access));
    assert!(w.stored().tokens.is_none());
    assert_eq!(w.sb.run(&["status", "acme"]).code, 5);
    w.sb.run(&["token", "acme"])
        .fails(5, "run `zdauth login acme`");
    assert_eq!(w.fake.counters().reuse_detections, 0);
}

#[test]
fn item_1_login_with_no_browser_takes_the_pasted_redirect() {
    let w = World::new(|_| {});
    let mut child =
        w.sb.zdauth(&["login", "acme", "--no-browser", "--timeout", "30s"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
        if line.starts_with("http://127.0.0.1:") {
            break line.trim().to_owned();
        }
    };
    // The "other machine's" browser: follow the authorize URL only as far as the redirect.
    let location = w.runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client.get(&url).send().await.unwrap();
        response.headers()["location"].to_str().unwrap().to_owned()
    });
    assert!(location.starts_with(&format!("http://127.0.0.1:{}/callback?", w.port)));
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "not a url").unwrap();
    writeln!(stdin, "  {location}  ").unwrap();
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(status.success(), "{rest}");
    assert!(rest.contains("paste the whole address again"), "{rest}");
    assert!(w.fake.access_token_works(&w.stored_access()));
}

#[test]
fn item_6_denied_consent_is_shown_and_nothing_stored() {
    let w = World::new(|_| {});
    w.fake.push_fault(FaultTarget::Authorize, Fault::Deny, 1);
    w.login()
        .fails_at_end(1, "did not grant access to acme (access_denied");
    assert!(w.stored().tokens.is_none());
    assert_eq!(w.fake.counters().token_posts, 0);
}

#[test]
fn item_1_login_times_out_and_a_busy_port_is_named() {
    let w = World::new(|_| {});
    w.sb.run_with(
        &["login", "acme", "--timeout", "1s"],
        &[("BROWSER", "true")],
        None,
    )
    .fails_at_end(1, "no login callback arrived within 1s");
    let _holder = std::net::TcpListener::bind(("127.0.0.1", w.port)).unwrap();
    w.sb.run_with(
        &["login", "acme", "--timeout", "5s"],
        &[("BROWSER", "true")],
        None,
    )
    .fails_at_end(1, &format!("port {} on 127.0.0.1 is busy", w.port));
}

#[test]
fn item_7_a_confidential_client_sends_its_secret_from_the_vault() {
    let w = World::new(|options| {
        let redirect = options.clients[0].redirect_uris[0].clone();
        options.clients = vec![zdauth_fake::FakeClient::confidential(
            "zdauth_test",
            "s3cret",
            &redirect,
        )];
    });
    let browser = w.browser();
    // Without the secret the fake answers invalid_client.
    w.sb.run_with(
        &["login", "acme", "--timeout", "30s"],
        &[("BROWSER", &browser)],
        None,
    )
    .fails_at_end(7, "invalid_client");
    assert!(w.stored().tokens.is_none());
    w.sb.run(&["remove", "acme"]).success();
    let port = w.port.to_string();
    w.sb.run_with(
        &[
            "add",
            "acme",
            "--subdomain",
            "acme",
            "--client-id",
            "zdauth_test",
            "--base-url",
            &w.fake.base_url(),
            "--redirect-port",
            &port,
            "--secret-stdin",
        ],
        &[],
        Some("s3cret\n"),
    )
    .success();
    w.sb.run_with(
        &["login", "acme", "--timeout", "30s"],
        &[("BROWSER", &browser)],
        None,
    )
    .success();
    assert!(!w.sb.config_text().contains("s3cret"));
    w.sb.run(&["refresh", "acme"]).success();
}

#[test]
fn login_survives_a_failing_users_me_and_learns_refresh_expiry_from_current_json() {
    let w = World::new(|options| {
        options.include_refresh_expires_in = false;
        options.success_status = 200;
    });
    let browser = w.browser();
    // users/me fails (all three tries); current.json then answers.
    w.fake.push_fault(FaultTarget::Api, Fault::Status(500), 3);
    let run =
        w.sb.run_with(
            &["login", "acme", "--timeout", "30s"],
            &[("BROWSER", &browser)],
            None,
        )
        .success();
    assert!(run.stderr.contains("logged in to acme;"), "{}", run.stderr);
    let entry = w.stored();
    assert!(entry.user.is_none());
    let tokens = entry.tokens.unwrap();
    assert!(tokens.refresh_expires_at.is_some(), "from current.json");
    assert!(w.fake.access_token_works(tokens.access_token.expose()));
}

#[test]
fn a_chat_connection_logs_in_and_refreshes_at_the_zopim_endpoints() {
    let w = World::with_chat_client();
    w.add_chat(&["--scopes", "read write chat"]);
    let browser = w.browser();
    let login =
        w.sb.run_with(
            &["login", "chat", "--timeout", "30s"],
            &[("BROWSER", &browser)],
            None,
        )
        .success();
    assert!(
        login.stderr.contains("/oauth2/authorizations/new?"),
        "{}",
        login.stderr
    );
    assert!(login.stderr.contains("subdomain=acme"), "{}", login.stderr);
    assert!(!login.stderr.contains("code_challenge"), "{}", login.stderr);
    w.sb.run(&["refresh", "chat"]).success();
    let counters = w.fake.counters();
    assert_eq!((counters.code_exchanges, counters.refreshes), (1, 1));
    w.sb.run(&["whoami", "chat"]).fails(2, "Zendesk Chat");
}

#[test]
fn item_5_a_code_from_another_server_is_redeemed_only_at_the_connections_own() {
    let w = World::new(|_| {});
    // A second Zendesk-like server that knows the same client and redirect URI.
    let redirect = format!("http://127.0.0.1:{}/callback", w.port);
    let other = w
        .runtime
        .block_on(zdauth_fake::FakeZendesk::start(zdauth_fake::FakeOptions {
            clients: vec![zdauth_fake::FakeClient::public(
                common::world::CLIENT,
                &redirect,
            )],
            ..Default::default()
        }))
        .unwrap();
    // The "browser" is sent to the other server with the same state and challenge, and
    // brings its code back to the catcher.
    let script = w.sb.temp.path().join("mixup.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nquery=\"${{1#*\\?}}\"\nexec curl -sS -L --max-time 20 -o /dev/null \"{}/oauth/authorizations/new?$query\"\n",
            other.base_url()
        ),
    )
    .unwrap();
    let browser = format!("sh {}", script.display());
    w.sb.run_with(
        &["login", "acme", "--timeout", "30s"],
        &[("BROWSER", &browser)],
        None,
    )
    .fails_at_end(7, "invalid_grant");
    assert_eq!(
        other.counters().authorize_requests,
        1,
        "the code came from the other server"
    );
    assert_eq!(
        other.counters().token_posts,
        0,
        "the code never went back to it"
    );
    assert_eq!(
        w.fake.counters().token_posts,
        1,
        "it was tried at acme's own endpoint"
    );
    assert!(w.stored().tokens.is_none());
}
