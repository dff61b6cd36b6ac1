//! Checklist item 14 end to end: a whole login → token → refresh → whoami → logout cycle with
//! the most verbose logging there is, and no token or client secret in the log file or in any
//! output other than `zdauth token`'s stdout, whose job it is to print one.

use crate::common;

use common::world::{CLIENT, World};
use zdauth_fake::FakeClient;

const CLIENT_SECRET: &str = "client-secret-LEAKMARK-42";

#[test]
fn item_14_trace_logs_and_messages_never_hold_a_token_or_secret() {
    let w = World::new(|options| {
        let redirect = options.clients[0].redirect_uris[0].clone();
        options.clients = vec![FakeClient::confidential(CLIENT, CLIENT_SECRET, &redirect)];
    });
    w.sb.run(&["remove", "acme"]).success();
    let port = w.port.to_string();
    let base = w.fake.base_url();
    let add = [
        "add",
        "acme",
        "--subdomain",
        "acme",
        "--client-id",
        CLIENT,
        "--base-url",
        &base,
        "--redirect-port",
        &port,
        "--secret-stdin",
        "-v",
    ];
    let browser = w.browser();
    let env = [("RUST_LOG", "trace"), ("BROWSER", browser.as_str())];
    let mut secrets = vec![CLIENT_SECRET.to_owned()];
    let mut said = String::new();
    let mut step = |args: &[&str], stdin: Option<&str>, stdout_is_data: bool| {
        let run = w.sb.run_with(args, &env, stdin).success();
        said.push_str(&run.stderr);
        if !stdout_is_data {
            said.push_str(&run.stdout);
        }
        if let Some(tokens) = w.stored().tokens {
            secrets.push(tokens.access_token.expose().to_owned());
            secrets.extend(tokens.refresh_token.map(|t| t.expose().to_owned()));
        }
    };
    step(&add, Some(&format!("{CLIENT_SECRET}\n")), false);
    step(&["login", "acme", "--timeout", "30s", "-v"], None, false);
    step(&["token", "acme", "--min-valid", "1h", "-v"], None, true);
    step(&["refresh", "acme", "-v"], None, false);
    step(&["whoami", "acme", "-v"], None, false);
    step(&["logout", "acme", "-v"], None, false);
    assert!(
        secrets.len() >= 7,
        "three pairs and the client secret were seen"
    );

    let log = std::fs::read_to_string(w.sb.dir().join("zdauth.log")).unwrap();
    assert!(
        log.lines().count() > 20 && log.contains("TRACE"),
        "trace logging was on: {} lines",
        log.lines().count()
    );
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "zdauth.log holds a secret");
        assert!(!said.contains(secret.as_str()), "a message holds a secret");
    }
    assert!(!w.sb.config_text().contains(CLIENT_SECRET));
}
