//! `zdauth edit` through the real binary: the TUI form's engine path (`manage::update`) on
//! the command line, with its rules, its refusal to re-point stored tokens, and secrets
//! from stdin only, checked against the fake Zendesk over loopback.

use crate::common;

use common::ci::{CI_CLIENT, CI_SECRET, ci_world, stored};
use common::world::World;
use zdauth_core::config::{Config, Grant};

fn acme(w: &World) -> zdauth_core::config::Connection {
    w.connection()
}

#[test]
fn edit_changes_only_what_is_asked_keeps_comments_and_says_what_changed() {
    let w = World::new(|_| {});
    let path = w.sb.paths().config();
    let mut text = w.sb.config_text();
    let at = text.rfind("[[connection]]").unwrap();
    text.insert_str(at, "# the support team's instance\n");
    std::fs::write(&path, text).unwrap();
    let before = acme(&w);
    let run =
        w.sb.run(&[
            "edit",
            "acme",
            "--scopes",
            "read",
            "--tag",
            "prod",
            "--tag",
            "eu",
            "--access-token-lifetime",
            "2h",
        ])
        .success();
    assert_eq!(
        run.stdout,
        "updated acme: scopes read write → read; tags (default) → prod eu; access_token_lifetime (default) → 2h\n"
    );
    let after = acme(&w);
    assert_eq!(after.scopes, ["read"]);
    assert_eq!(after.tags, ["prod", "eu"]);
    assert_eq!(
        after.access_token_lifetime,
        Some(std::time::Duration::from_secs(7200))
    );
    assert_eq!(
        (after.subdomain, after.redirect_port),
        (before.subdomain, before.redirect_port)
    );
    assert!(
        w.sb.config_text()
            .contains("# the support team's instance\n[[connection]]")
    );

    let run =
        w.sb.run(&[
            "edit",
            "acme",
            "--clear-tags",
            "--access-token-lifetime",
            "",
            "--redirect-port",
            "9100",
        ])
        .success();
    assert!(run.stdout.contains("redirect port "), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("next: register the redirect URI http://127.0.0.1:9100/callback"),
        "{}",
        run.stdout
    );
    let after = acme(&w);
    assert!(after.tags.is_empty() && after.access_token_lifetime.is_none());
    assert_eq!(after.redirect_port, 9100);
}

#[test]
fn nothing_to_change_says_so_and_writes_nothing() {
    let w = World::new(|_| {});
    let before = w.sb.config_text();
    let scopes = acme(&w).scopes.join(" ");
    for args in [
        vec!["edit", "acme"],
        vec!["edit", "acme", "--scopes", &scopes],
        vec!["edit", "acme", "--clear-secret"],
    ] {
        let run = w.sb.run(&args).success();
        assert!(
            run.stdout.starts_with("nothing to change: acme "),
            "{}",
            run.stdout
        );
    }
    assert_eq!(w.sb.config_text(), before);
    assert!(w.sb.temp_files().is_empty());
}

#[test]
fn stored_tokens_are_never_re_pointed_at_another_account_or_client() {
    let w = World::new(|_| {});
    w.seed();
    let config = w.sb.config_text();
    let vault = w.sb.vault_bytes();
    w.sb.run(&["edit", "acme", "--client-id", "other"])
        .fails(2, "log out first (zdauth logout acme");
    w.sb.run(&["edit", "acme", "--base-url", "https://other.example.com"])
        .fails(2, "then change the subdomain or client id");
    w.sb.run(&["edit", "acme", "--grant", "client_credentials"])
        .fails(
            2,
            "holds a refresh token from a browser login: log out first",
        );
    assert_eq!(w.sb.config_text(), config);
    assert_eq!(w.sb.vault_bytes(), vault);
    // What stays with the same tokens is allowed, and the token still works.
    w.sb.run(&["edit", "acme", "--tag", "prod"]).success();
    let token = w.sb.run(&["token", "acme"]).success();
    assert!(w.fake.access_token_works(token.stdout.trim()));
}

#[test]
fn bad_flags_are_refused_with_one_line_and_nothing_changed() {
    let w = World::new(|_| {});
    let before = w.sb.config_text();
    let cases: [(&[&str], &str); 9] = [
        (
            &["--scopes", "read fly"],
            "--scopes: \"fly\" is not a support scope",
        ),
        (&["--redirect-port", "80"], "--redirect-port: 80 is"),
        (&["--tag", "a b"], "--tag: \"a b\" is not a valid tag"),
        (&["--tag", "Prod!"], "--tag: "),
        (&["--base-url", "ftp://x"], "--base-url: "),
        (&["--grant", "password"], "--grant: "),
        (&["--subdomain", "evil.com/x"], "--subdomain: "),
        (
            &["--refresh-token-lifetime", "1h"],
            "--refresh-token-lifetime: \"1h\" is outside",
        ),
        (&["--redirect-port", "x"], "invalid value"),
    ];
    for (flags, words) in cases {
        let mut args = vec!["edit", "acme"];
        args.extend_from_slice(flags);
        let run = w.sb.run(&args);
        assert_eq!(run.code, 2, "{flags:?}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{flags:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    w.sb.run(&["edit", "nobody", "--scopes", "read"]).fails(
        1,
        "no connection named \"nobody\"; `zdauth list` shows the names",
    );
    w.sb.run_with(&["edit", "acme", "--secret-stdin"], &[], Some(""))
        .fails(2, "stdin held no secret");
    let run =
        w.sb.run(&["edit", "acme", "--secret-stdin", "--clear-secret"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(w.sb.config_text(), before);
}

/// A secret comes in on stdin only, is never shown, and replacing or forgetting it is what
/// the fake then sees.
#[test]
fn a_client_secret_is_replaced_and_forgotten_from_stdin_only() {
    let w = ci_world(&[]);
    w.sb.run(&["token", "ci"]).success();
    let wrong = "wrong-SECRET-value";
    let run =
        w.sb.run_with(
            &["edit", "ci", "--secret-stdin"],
            &[],
            Some(&format!("{wrong}\n")),
        )
        .success();
    assert_eq!(run.stdout, "updated ci: client secret replaced\n");
    w.sb.run(&["token", "ci", "--min-valid", "2h"])
        .fails(5, "`zdauth edit ci --secret-stdin`");
    let run =
        w.sb.run_with(
            &["edit", "ci", "--secret-stdin"],
            &[],
            Some(&format!("{CI_SECRET}\n")),
        )
        .success();
    for text in [&run.stdout, &run.stderr, &w.sb.config_text()] {
        assert!(!text.contains(CI_SECRET) && !text.contains(wrong), "{text}");
    }
    let minted = w.sb.run(&["token", "ci", "--min-valid", "2h"]).success();
    assert!(w.fake.access_token_works(minted.stdout.trim()));

    let run = w.sb.run(&["edit", "ci", "--clear-secret"]).success();
    assert!(
        run.stdout
            .starts_with("updated ci: client secret forgotten\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("next: store its client secret"),
        "{}",
        run.stdout
    );
    assert!(stored(&w, "ci").client_secret.is_none());
    w.sb.run(&["token", "ci", "--min-valid", "2h"])
        .fails(5, "no client secret is stored");
}

/// A connection without tokens may be pointed at another client, and switched to client
/// credentials in the same edit, as the TUI's form allows.
#[test]
fn a_connection_without_tokens_switches_client_and_grant_then_mints() {
    let w = ci_world(&[]);
    w.sb.run_with(
        &[
            "edit",
            "acme",
            "--client-id",
            CI_CLIENT,
            "--grant",
            "client_credentials",
            "--secret-stdin",
        ],
        &[],
        Some(&format!("{CI_SECRET}\n")),
    )
    .success();
    let config = Config::load(&w.sb.paths().config()).unwrap();
    let edited = config.connection("acme").unwrap();
    assert_eq!(
        (edited.client_id.as_str(), edited.grant),
        (CI_CLIENT, Grant::ClientCredentials)
    );
    let minted = w.sb.run(&["token", "acme"]).success();
    assert!(w.fake.access_token_works(minted.stdout.trim()));
}

/// Without a `base_url` the subdomain names the server that issued the tokens: changing it
/// while they are stored is refused; after `logout` it is allowed.
#[test]
fn the_subdomain_of_stored_tokens_is_not_changed_until_logout() {
    let sb = common::Sandbox::new();
    sb.init_with_identity_file();
    sb.add("zd");
    let connection = Config::load(&sb.paths().config())
        .unwrap()
        .connection("zd")
        .unwrap()
        .clone();
    let mut entry = common::tokens(3600, Some(30 * 86400));
    entry.issuer = Some(zdauth_core::zendesk::issuer(&connection));
    let lock = sb.vault().lock_connection("zd").unwrap();
    lock.persist(entry).unwrap();
    drop(lock);
    let (config, vault) = (sb.config_text(), sb.vault_bytes());
    sb.run(&["edit", "zd", "--subdomain", "globex"]).fails(
        2,
        "zd holds tokens issued to zd with client zdauth_test: log out first",
    );
    assert_eq!((sb.config_text(), sb.vault_bytes()), (config, vault));
    // --local-only: no test may reach zendesk.com.
    sb.run(&["logout", "zd", "--local-only"]).success();
    let run = sb.run(&["edit", "zd", "--subdomain", "globex"]).success();
    assert_eq!(run.stdout, "updated zd: subdomain zd → globex\n");
}
