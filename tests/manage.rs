//! The engine's connection edits the TUI's form uses, on real files with a real vault.

use crate::common;

use common::{Sandbox, tokens};
use zdauth_core::config::{Config, ConnectionInput};
use zdauth_core::manage;
use zdauth_core::secret::Secret;

fn sandbox_with_acme() -> Sandbox {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let path = sb.paths().config();
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\n# the support team's instance\n");
    std::fs::write(&path, text).unwrap();
    let acme = ConnectionInput {
        name: "acme",
        subdomain: "https://acme.zendesk.com/agent",
        client_id: "zdauth_acme",
        scopes: "read",
        redirect_port: "8765",
        ..ConnectionInput::default()
    }
    .check()
    .unwrap();
    let vault = sb.vault();
    manage::add(
        &sb.paths(),
        &acme,
        Some((&vault, Secret::new("first-secret"))),
    )
    .unwrap();
    sb
}

fn acme(sb: &Sandbox) -> zdauth_core::config::Connection {
    Config::load(&sb.paths().config())
        .unwrap()
        .connection("acme")
        .unwrap()
        .clone()
}

#[test]
fn update_rewrites_fields_keeps_comments_and_keeps_or_replaces_the_secret() {
    let sb = sandbox_with_acme();
    let vault = sb.vault();
    let changed = zdauth_core::config::Connection {
        scopes: vec!["read".into(), "write".into()],
        redirect_port: 9100,
        ..acme(&sb)
    };
    let config = manage::update(&vault, &acme(&sb), &changed, None).unwrap();
    assert_eq!(config.connection("acme"), Some(&changed));
    let text = sb.config_text();
    assert!(
        text.contains("# the support team's instance\n[[connection]]"),
        "{text}"
    );
    assert!(text.contains("redirect_port = 9100"), "{text}");
    let secret = |sb: &Sandbox| {
        sb.vault().load().unwrap().connections["acme"]
            .client_secret
            .as_ref()
            .map(|s| s.expose().to_owned())
    };
    assert_eq!(
        secret(&sb).as_deref(),
        Some("first-secret"),
        "blank keeps it"
    );

    let back = zdauth_core::config::Connection {
        redirect_port: 8765,
        ..changed
    };
    manage::update(
        &vault,
        &acme(&sb),
        &back,
        Some(Secret::new("second-secret")),
    )
    .unwrap();
    assert_eq!(secret(&sb).as_deref(), Some("second-secret"));
    assert!(
        !sb.config_text().contains("\nredirect_port ="),
        "the default is left out:\n{}",
        sb.config_text()
    );
    // The example's commented `[store]` block names the KV mount "secret": look for values.
    let text = sb.config_text();
    assert!(
        !text.contains("first-secret") && !text.contains("second-secret"),
        "no secret in config.toml:\n{text}"
    );
}

#[test]
fn the_subdomain_cannot_change_under_stored_tokens() {
    let sb = sandbox_with_acme();
    let vault = sb.vault();
    let moved = zdauth_core::config::Connection {
        subdomain: "globex".into(),
        ..acme(&sb)
    };
    // No tokens yet: a typo in the subdomain can be fixed.
    manage::update(&vault, &acme(&sb), &moved, None).unwrap();
    assert_eq!(acme(&sb).subdomain, "globex");

    vault
        .update(|data| {
            let entry = data.connections.get_mut("acme").unwrap();
            entry.tokens = tokens(1800, Some(86_400)).tokens;
        })
        .unwrap();
    let back = zdauth_core::config::Connection {
        subdomain: "acme".into(),
        ..acme(&sb)
    };
    let error = manage::update(&vault, &acme(&sb), &back, None)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("acme holds tokens issued to globex"),
        "{error}"
    );
    assert!(error.contains("log out first"), "{error}");
    assert_eq!(acme(&sb).subdomain, "globex", "nothing written");
    // Scopes and port may still change.
    let scopes = zdauth_core::config::Connection {
        scopes: vec!["write".into()],
        ..acme(&sb)
    };
    manage::update(&vault, &acme(&sb), &scopes, None).unwrap();
}

/// A client credentials mint stores its token in place of the pair: switching the grant
/// under a stored refresh token would drop that token unseen and unrevoked.
#[test]
fn the_grant_cannot_change_under_a_stored_refresh_token() {
    let sb = sandbox_with_acme();
    let vault = sb.vault();
    vault
        .update(|data| {
            let entry = data.connections.get_mut("acme").unwrap();
            entry.tokens = tokens(1800, Some(86_400)).tokens;
        })
        .unwrap();
    let minting = zdauth_core::config::Connection {
        grant: zdauth_core::config::Grant::ClientCredentials,
        ..acme(&sb)
    };
    let error = manage::update(&vault, &acme(&sb), &minting, None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("log out first"), "{error}");
    assert_eq!(
        acme(&sb).grant,
        zdauth_core::config::Grant::AuthorizationCode,
        "nothing written"
    );
    let kept = vault.load().unwrap().connections.remove("acme").unwrap();
    assert!(kept.tokens.unwrap().refresh_token.is_some());
}
