//! `add` and `remove`: the engine's config.toml edits and vault entries, with CLI messages.

use std::io::BufRead;

use crate::config::{Connection, ConnectionInput, Field, Kind};
use crate::error::Error;
use crate::exit;
use crate::manage;
use crate::secret::Secret;

use super::args::AddArgs;
use super::context::Context;

pub fn add(ctx: &Context, args: AddArgs) -> anyhow::Result<u8> {
    let connection = connection_from(&args)?;
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
    outln!(
        "added {} ({}); register the redirect URI {} on its OAuth client in Zendesk",
        connection.name,
        connection.base_url(),
        connection.redirect_uri()
    );
    Ok(exit::OK)
}

/// Applies the same rules as config.toml (and the TUI's form), with messages that name the flag.
fn connection_from(args: &AddArgs) -> Result<Connection, Error> {
    let port = args.redirect_port.to_string();
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
    };
    input.check().map_err(|errors| {
        let (field, message) = errors.into_iter().next().expect("an error per failure");
        let flag = match field {
            Field::Name => "NAME",
            Field::Subdomain => "--subdomain",
            Field::ClientId => "--client-id",
            Field::Kind => "--kind",
            Field::Scopes => "--scopes",
            Field::RedirectPort => "--redirect-port",
            Field::BaseUrl => "--base-url",
            Field::AccessTokenLifetime => "--access-token-lifetime",
            Field::RefreshTokenLifetime => "--refresh-token-lifetime",
        };
        Error::Usage(format!("{flag}: {message}"))
    })
}

fn read_secret_from_stdin() -> Result<Secret, Error> {
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
    if config.connection(name).is_none() {
        return Err(Error::UnknownConnection(name.to_owned()).into());
    }
    let vault = ctx.unlock(&config)?;
    let (_, had_tokens) = manage::remove(&vault, name)?;
    if had_tokens {
        outln!(
            "removed {name} and its stored tokens (they stay valid at Zendesk until they expire)"
        );
    } else {
        outln!("removed {name}");
    }
    Ok(exit::OK)
}
