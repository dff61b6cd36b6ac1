//! Checklist item 29, first half: a server (or a proxy, or a debugging server at `base_url`)
//! that echoes the request in its error text gets none of the request's secrets onto stderr,
//! stdout, zdauth.log or the vault's `last_error`, while the rest of what it said is still
//! shown. The fake echoes the raw request (body, method and query, headers).

use crate::common;

use common::Run;
use common::world::{CLIENT, World};
use zdauth_core::secret::Secret;
use zdauth_fake::{FakeClient, Fault, FaultTarget, IssuedTokens};

const CLIENT_SECRET: &str = "cs-ECHOMARK-9f8e7d6c5b4a";
const REDACTED: &str = "[redacted]";

/// A confidential client (so a client secret travels) behind a server that echoes requests.
fn echoing() -> World {
    World::new(|options| {
        let redirect = options.clients[0].redirect_uris[0].clone();
        options.clients = vec![FakeClient::confidential(CLIENT, CLIENT_SECRET, &redirect)];
        options.echo_requests_in_errors = true;
    })
}

fn store_client_secret(w: &World) {
    let lock = w.sb.vault().lock_connection("acme").unwrap();
    let mut entry = lock.reload().unwrap().unwrap_or_default();
    entry.client_secret = Some(Secret::new(CLIENT_SECRET));
    lock.persist(entry).unwrap();
}

fn seeded() -> (World, IssuedTokens) {
    let w = echoing();
    let issued = w.seed();
    store_client_secret(&w);
    (w, issued)
}

fn run(w: &World, args: &[&str]) -> Run {
    let browser = w.browser();
    let run = w.sb.run_with(
        args,
        &[("RUST_LOG", "debug"), ("BROWSER", browser.as_str())],
        None,
    );
    assert_ne!(run.code, 0, "the server failed the request: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// Everything zdauth said or kept: stdout, stderr, the log and the stored last error.
fn everything(w: &World, run: &Run) -> String {
    let log = std::fs::read_to_string(w.sb.dir().join("zdauth.log")).unwrap_or_default();
    let last_error = w.stored().last_error.unwrap_or_default();
    format!(
        "stdout: {}\nstderr: {}\nlog: {log}\nlast_error: {last_error}",
        run.stdout, run.stderr
    )
}

#[track_caller]
fn assert_scrubbed(said: &str, secrets: &[&str], fields: &[&str]) {
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(!said.contains(secret), "a secret was echoed back:\n{said}");
    }
    // Values the test cannot know (the code, the PKCE verifier): each field as echoed must
    // hold the redaction mark, or the start of one where the one-line cut fell.
    for field in fields {
        for rest in said.split(&format!("&{field}=")).skip(1) {
            let value: String = rest
                .chars()
                .take_while(|c| !matches!(c, '&' | ' ' | '…' | ')' | ';' | '\n'))
                .collect();
            assert!(
                REDACTED.starts_with(&value),
                "{field} was echoed back:\n{said}"
            );
        }
    }
}

#[test]
fn item_29_a_refresh_whose_error_echoes_the_request_shows_no_refresh_token_or_client_secret() {
    let (w, issued) = seeded();
    // An OAuth error (400) with the echo in error_description: `token` refreshes first.
    w.fake.push_fault(FaultTarget::Token, Fault::Status(400), 1);
    let token = run(&w, &["token", "acme", "--min-valid", "1h"]);
    assert!(
        token.stdout.is_empty(),
        "no token on a failure: {}",
        token.stdout
    );
    let said = everything(&w, &token);
    assert_scrubbed(&said, &[&issued.refresh_token, CLIENT_SECRET], &[]);
    // The part of the echo that is no secret is still shown, and so is the redaction.
    assert!(
        token.stderr.contains("grant_type=refresh_token")
            && token.stderr.contains(&format!("refresh_token={REDACTED}")),
        "{}",
        token.stderr
    );
    let last_error = w.stored().last_error.unwrap();
    assert!(last_error.contains(REDACTED), "{last_error}");
    assert_eq!(w.stored_refresh(), issued.refresh_token, "tokens kept");

    // An HTTP error (500) with the echo in JSON, then a plain-text page that is the request.
    w.fake.push_fault(FaultTarget::Token, Fault::Status(500), 1);
    let refresh = run(&w, &["refresh", "acme"]);
    // `refresh` reports each connection's outcome on stdout.
    assert!(refresh.stdout.contains("HTTP 500"), "{}", refresh.stdout);
    assert!(refresh.stdout.contains(REDACTED), "{}", refresh.stdout);
    assert_scrubbed(
        &everything(&w, &refresh),
        &[&issued.refresh_token, CLIENT_SECRET],
        &[],
    );
    w.fake
        .push_fault(FaultTarget::Token, Fault::EchoText(500), 1);
    let plain = run(&w, &["refresh", "acme"]);
    assert!(plain.stdout.contains("HTTP 500"), "{}", plain.stdout);
    assert_scrubbed(
        &everything(&w, &plain),
        &[&issued.refresh_token, CLIENT_SECRET],
        &[],
    );
}

#[test]
fn item_29_an_api_error_that_echoes_the_bearer_header_does_not_show_the_access_token() {
    let (w, issued) = seeded();
    // whoami: a 400 answer (an OAuth-shaped error) to users/me.
    w.fake.push_fault(FaultTarget::Api, Fault::Status(400), 1);
    let whoami = run(&w, &["whoami", "acme"]);
    assert!(
        whoami
            .stderr
            .contains(&format!("authorization: Bearer {REDACTED}")),
        "{}",
        whoami.stderr
    );
    let secrets = [
        issued.access_token.as_str(),
        &issued.refresh_token,
        CLIENT_SECRET,
    ];
    assert_scrubbed(&everything(&w, &whoami), &secrets, &[]);

    // logout: 500s (retried, then given up) to tokens/current.json; the tokens are kept.
    w.fake.push_fault(FaultTarget::Api, Fault::Status(500), 3);
    let logout = run(&w, &["logout", "acme"]);
    assert!(
        logout.stderr.contains("tokens were kept"),
        "{}",
        logout.stderr
    );
    assert!(logout.stderr.contains(REDACTED), "{}", logout.stderr);
    assert_scrubbed(&everything(&w, &logout), &secrets, &[]);
    assert_eq!(w.stored_access(), issued.access_token);
}

#[test]
fn item_29_a_code_exchange_whose_error_echoes_the_request_shows_no_code_verifier_or_secret() {
    let w = echoing();
    store_client_secret(&w);
    w.fake.push_fault(FaultTarget::Token, Fault::Status(400), 1);
    let login = run(&w, &["login", "acme", "--timeout", "30s"]);
    assert!(
        login.stderr.contains("grant_type=authorization_code"),
        "the echo was shown: {}",
        login.stderr
    );
    assert_scrubbed(
        &everything(&w, &login),
        &[CLIENT_SECRET],
        &["code", "code_verifier", "client_secret"],
    );
    assert!(
        login.stderr.contains(&format!("code={REDACTED}")),
        "{}",
        login.stderr
    );
    assert!(w.stored().tokens.is_none(), "nothing stored");
}

#[test]
fn item_29_a_client_credentials_mint_whose_error_echoes_the_request_shows_no_client_secret() {
    let w = echoing();
    let base_url = w.fake.base_url();
    let args = [
        "add",
        "ci",
        "--subdomain",
        "acme",
        "--client-id",
        CLIENT,
        "--base-url",
        &base_url,
        "--grant",
        "client_credentials",
        "--secret-stdin",
    ];
    w.sb.run_with(&args, &[], Some(&format!("{CLIENT_SECRET}\n")))
        .success();
    for fault in [Fault::Status(400), Fault::Status(500), Fault::EchoText(500)] {
        w.fake.push_fault(FaultTarget::Token, fault, 1);
        let token = run(&w, &["token", "ci"]);
        let log = std::fs::read_to_string(w.sb.dir().join("zdauth.log")).unwrap_or_default();
        assert!(
            log.contains("grant_type=client_credentials"),
            "the echo was shown: {}",
            token.stderr
        );
        let stored = w.sb.vault().load().unwrap().connections.remove("ci");
        let last_error = stored.and_then(|e| e.last_error).unwrap_or_default();
        let said = format!(
            "stdout: {}\nstderr: {}\nlog: {log}\nlast_error: {last_error}",
            token.stdout, token.stderr
        );
        assert_scrubbed(&said, &[CLIENT_SECRET], &["client_secret"]);
    }
}
