//! Every command that talks to Zendesk × every fault the fake can inject (checklist item 23):
//! a clear one-line error, exit 7, and the stored tokens unchanged. Commands that only read
//! (whoami, logout, login) must leave vault.age byte for byte as it was; a failed refresh
//! legitimately records `last_error`, so for token and refresh the decrypted token pair is
//! compared instead.

use crate::common;

use common::world::World;
use zdauth_fake::{Fault, FaultTarget};

/// Each fault, with words its one-line error must carry. Enough repeats that retries (API
/// calls are retried, a token POST is not) meet the fault too.
fn faults() -> Vec<(Fault, &'static str)> {
    vec![
        (Fault::Status(500), "HTTP 500"),
        (Fault::Status(503), "HTTP 503"),
        (Fault::TooManyRequests { retry_after: None }, "rate limit"),
        (Fault::MalformedJson, "cannot read"),
        (Fault::Hang, "did not answer within 1 s"),
        (Fault::ResetMidBody, "broke in the middle"),
    ]
}

#[derive(Clone, Copy, PartialEq)]
enum Keeps {
    VaultBytes,
    TokenPair,
}

struct Command {
    args: &'static [&'static str],
    target: FaultTarget,
    keeps: Keeps,
    reports: Report,
}

#[derive(Clone, Copy, PartialEq)]
enum Report {
    /// `zdauth: …` alone on stderr.
    Stderr,
    /// Login prints progress first; its error is the last stderr line.
    StderrLast,
    /// `refresh` prints one `NAME: …` line per connection on stdout.
    StdoutPerConnection,
}

fn matrix(command: &Command) {
    let w = World::with_settings("http_timeout = \"1s\"", |_| {});
    let browser = w.browser();
    for (fault, words) in faults() {
        w.fake.clear_faults();
        w.seed();
        let bytes_before = w.sb.vault_bytes();
        let tokens_before = w.stored().tokens.unwrap();
        w.fake.push_fault(command.target, fault.clone(), 10);
        let run = w.sb.run_with(command.args, &[("BROWSER", &browser)], None);
        let case = format!("{} × {fault:?}", command.args.join(" "));
        match command.reports {
            Report::Stderr => assert!(run.fails(7, words).stdout.is_empty(), "{case}"),
            Report::StderrLast => assert!(run.fails_at_end(7, words).stdout.is_empty(), "{case}"),
            Report::StdoutPerConnection => {
                assert_eq!(run.code, 7, "{case}: {}{}", run.stdout, run.stderr);
                assert!(run.stderr.is_empty(), "{case}: {}", run.stderr);
                assert_eq!(run.stdout.lines().count(), 1, "{case}: {}", run.stdout);
                assert!(
                    run.stdout.starts_with("acme: ") && run.stdout.contains(words),
                    "{case}: want {words:?} in {}",
                    run.stdout
                );
            }
        }
        match command.keeps {
            Keeps::VaultBytes => assert!(
                w.sb.vault_bytes() == bytes_before,
                "{case}: vault.age changed"
            ),
            Keeps::TokenPair => {}
        }
        let after = w.stored();
        if command.keeps == Keeps::TokenPair {
            assert!(
                after.last_error.is_some(),
                "{case}: the failure is recorded"
            );
        }
        assert_eq!(
            after.tokens.unwrap(),
            tokens_before,
            "{case}: tokens changed"
        );
        assert!(!after.login_required, "{case}");
    }
    w.fake.clear_faults();
    // The same world still works once Zendesk is healthy again: nothing was left broken.
    w.sb.run_with(command.args, &[("BROWSER", &browser)], None)
        .success();
}

#[test]
fn item_23_token_faults() {
    matrix(&Command {
        args: &["token", "acme", "--min-valid", "1h"],
        target: FaultTarget::Token,
        keeps: Keeps::TokenPair,
        reports: Report::Stderr,
    });
}

#[test]
fn item_23_refresh_faults() {
    matrix(&Command {
        args: &["refresh", "acme"],
        target: FaultTarget::Token,
        keeps: Keeps::TokenPair,
        reports: Report::StdoutPerConnection,
    });
}

#[test]
fn item_23_whoami_faults() {
    matrix(&Command {
        args: &["whoami", "acme"],
        target: FaultTarget::Api,
        keeps: Keeps::VaultBytes,
        reports: Report::Stderr,
    });
}

#[test]
fn item_23_logout_faults() {
    matrix(&Command {
        args: &["logout", "acme"],
        target: FaultTarget::Api,
        keeps: Keeps::VaultBytes,
        reports: Report::Stderr,
    });
}

#[test]
fn item_23_login_code_exchange_faults() {
    matrix(&Command {
        args: &["login", "acme", "--timeout", "30s"],
        target: FaultTarget::Token,
        keeps: Keeps::VaultBytes,
        reports: Report::StderrLast,
    });
}
