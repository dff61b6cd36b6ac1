//! `add` and `remove`: the engine's config.toml edits and vault entries, with CLI messages.

use std::io::BufRead;

use crate::exit;
use zdauth_core::config::{Connection, ConnectionInput, Field, Grant, Kind};
use zdauth_core::error::Error;
use zdauth_core::manage;
use zdauth_core::secret::Secret;

use super::args::AddArgs;
use super::context::Context;

pub fn add(ctx: &Context, args: &AddArgs) -> anyhow::Result<u8> {
    let connection = connection_from(args)?;
    if connection.grant == Grant::ClientCredentials && !args.secret_stdin {
        return Err(Error::Usage(
            "--grant client_credentials needs the confidential client's secret: pipe it in with --secret-stdin".into(),
        )
        .into());
    }
    let secret = if args.secret_stdin {
        Some(read_secret_from_stdin()?)
    } else {
        None
    };
    let config = ctx.config()?;
    if config.connection(&connection.name).is_some() {
        return Err(Error::DuplicateConnection(connection.name).into());
    }
    // Unlock before taking the lock: scrypt must not hold up other processes.
    let vault = secret.is_some().then(|| ctx.unlock(&config)).transpose()?;

    manage::add(&ctx.paths, &connection, vault.as_ref().zip(secret))?;
    match connection.grant {
        Grant::AuthorizationCode => outln!(
            "added {} ({}); register the redirect URI {} on its OAuth client in Zendesk",
            connection.name,
            connection.base_url(),
            connection.redirect_uri()
        ),
        Grant::ClientCredentials => outln!(
            "added {} ({}, client credentials); no login needed: `zdauth token {}` mints a token",
            connection.name,
            connection.base_url(),
            connection.name
        ),
    }
    Ok(exit::OK)
}

/// Applies the same rules as config.toml (and the TUI's form), with messages that name the flag.
fn connection_from(args: &AddArgs) -> Result<Connection, Error> {
    let port = args.redirect_port.to_string();
    // The input takes the form's space- or comma-separated text; one --tag is one tag, so a
    // value that would split (or vanish, when empty) is refused here rather than read as two.
    if let Some(tag) = args
        .tags
        .iter()
        .find(|t| t.is_empty() || t.contains([' ', ',']))
    {
        return Err(Error::Usage(format!(
            "--tag: {} is not a valid tag: use 1 to 32 of a-z, 0-9, '_' and '-' (one tag per --tag, e.g. --tag prod --tag eu)",
            zdauth_core::error::quote(tag)
        )));
    }
    let tags = args.tags.join(" ");
    // A kind that is not one is reported by the check below.
    let kind_default = Kind::parse(&args.kind)
        .unwrap_or(Kind::Support)
        .default_scopes()
        .join(" ");
    let input = ConnectionInput {
        name: &args.name,
        subdomain: &args.subdomain,
        client_id: &args.client_id,
        kind: Some(&args.kind),
        scopes: args.scopes.as_deref().unwrap_or(&kind_default),
        redirect_port: &port,
        base_url: args.base_url.as_deref(),
        access_token_lifetime: args.access_token_lifetime.as_deref(),
        refresh_token_lifetime: args.refresh_token_lifetime.as_deref(),
        grant: Some(&args.grant),
        tags: &tags,
    };
    input.check().map_err(|errors| {
        let (field, message) = errors.into_iter().next().expect("an error per failure");
        Error::Usage(format!("{}: {message}", flag_of(field)))
    })
}

/// The command-line word for a field, so a message names what the user typed (`add`, `edit`).
pub(super) fn flag_of(field: Field) -> &'static str {
    match field {
        Field::Name => "NAME",
        Field::Subdomain => "--subdomain",
        Field::ClientId => "--client-id",
        Field::Kind => "--kind",
        Field::Scopes => "--scopes",
        Field::RedirectPort => "--redirect-port",
        Field::Tags => "--tag",
        Field::BaseUrl => "--base-url",
        Field::AccessTokenLifetime => "--access-token-lifetime",
        Field::RefreshTokenLifetime => "--refresh-token-lifetime",
        Field::Grant => "--grant",
    }
}

pub(super) fn read_secret_from_stdin() -> Result<Secret, Error> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        // Typed by hand: do not echo it.
        let typed = rpassword::prompt_password("Client secret: ").map_err(|e| {
            Error::Usage(format!(
                "cannot read the client secret ({e}): pipe it in instead"
            ))
        })?;
        if typed.trim().is_empty() {
            return Err(Error::Usage(
                "no client secret typed: nothing was changed".into(),
            ));
        }
        return Ok(Secret::new(typed));
    }
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        Error::Usage(format!("cannot read the client secret from stdin ({e}): pipe it in, e.g. `pass zendesk/acme | zdauth add ...`"))
    })?;
    let secret = line.trim_end_matches(['\r', '\n']);
    if secret.trim().is_empty() {
        return Err(Error::Usage(
            "--secret-stdin: stdin held no secret; pipe the client secret in, or leave out --secret-stdin for a public client".into(),
        ));
    }
    Ok(Secret::new(secret))
}

pub fn remove(ctx: &Context, name: &str) -> anyhow::Result<u8> {
    let config = ctx.config()?;
    // A name config.toml no longer has may still hold tokens in the vault, left by a remove
    // whose vault step failed: unlocking tells.
    let vault = ctx.unlock(&config)?;
    let removed = manage::remove(&vault, name)?;
    if let Some(error) = removed.vault_kept {
        anyhow::bail!(
            "removed {name} from config.toml, but its entry in vault.age could not be deleted ({error}), so its tokens are kept there: fix that, then run `zdauth remove {name}` again to delete them"
        );
    }
    match (removed.was_left_over, removed.had_tokens) {
        (true, _) => outln!(
            "deleted the tokens {name} left in vault.age (it was already gone from config.toml)"
        ),
        (false, true) => outln!(
            "removed {name} and its stored tokens (they stay valid at Zendesk until they expire)"
        ),
        (false, false) => outln!("removed {name}"),
    }
    Ok(exit::OK)
}
