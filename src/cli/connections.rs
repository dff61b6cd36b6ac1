//! `add` and `remove`: config.toml edits (with toml_edit) and the matching vault entries.

use std::io::BufRead;

use crate::config::{self, ConfigEdit, Connection, Kind, Lifetime};
use crate::error::Error;
use crate::exit;
use crate::secret::Secret;
use crate::subdomain;
use crate::vault::{DirLock, Entry};

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

    let lock = DirLock::acquire(&ctx.paths)?;
    let mut edit = ConfigEdit::open(&ctx.paths.config())?;
    if edit.config().connection(&connection.name).is_some() {
        return Err(Error::DuplicateConnection(connection.name).into());
    }
    edit.add_connection(&connection);
    if let (Some(vault), Some(secret)) = (vault, secret) {
        vault.update_locked(&lock, |data| {
            data.connections.insert(
                connection.name.clone(),
                Entry {
                    client_secret: Some(secret),
                    ..Entry::default()
                },
            );
        })?;
    }
    edit.save()?;
    println!(
        "added {} ({}); register the redirect URI {} on its OAuth client in Zendesk",
        connection.name,
        connection.base_url(),
        connection.redirect_uri()
    );
    Ok(exit::OK)
}

/// Applies the same rules as config.toml, with messages that name the flag.
fn connection_from(args: &AddArgs) -> Result<Connection, Error> {
    let usage = |flag: &str, message: String| Error::Usage(format!("{flag}: {message}"));
    config::check_connection_name(&args.name).map_err(|m| usage("NAME", m))?;
    let subdomain =
        subdomain::normalize(&args.subdomain).map_err(|e| usage("--subdomain", e.to_string()))?;
    let client_id =
        config::check_client_id(&args.client_id).map_err(|m| usage("--client-id", m))?;
    let kind = Kind::parse(&args.kind).ok_or_else(|| {
        usage(
            "--kind",
            format!("{:?} is not a kind: use support or chat", args.kind),
        )
    })?;
    let scopes = config::parse_scopes(kind, &args.scopes).map_err(|m| usage("--scopes", m))?;
    let redirect_port = config::check_port(i64::from(args.redirect_port))
        .map_err(|m| usage("--redirect-port", m))?;
    let base_url = args
        .base_url
        .as_deref()
        .map(config::check_base_url)
        .transpose()
        .map_err(|m| usage("--base-url", m))?;
    let access_token_lifetime = args
        .access_token_lifetime
        .as_deref()
        .map(|t| config::check_lifetime(t, Lifetime::Access))
        .transpose()
        .map_err(|m| usage("--access-token-lifetime", m))?;
    let refresh_token_lifetime = args
        .refresh_token_lifetime
        .as_deref()
        .map(|t| config::check_lifetime(t, Lifetime::Refresh))
        .transpose()
        .map_err(|m| usage("--refresh-token-lifetime", m))?;
    Ok(Connection {
        name: args.name.clone(),
        subdomain,
        client_id,
        scopes,
        redirect_port,
        kind,
        base_url,
        access_token_lifetime,
        refresh_token_lifetime,
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
    // The connection's own lock first (the order a refresh takes them in): a refresh in
    // flight finishes before its entry goes, and cannot write it back afterwards.
    let _connection = vault.lock_connection(name)?;
    let lock = DirLock::acquire(&ctx.paths)?;
    let mut edit = ConfigEdit::open(&ctx.paths.config())?;
    if !edit.remove_connection(name) {
        return Err(Error::UnknownConnection(name.to_owned()).into());
    }
    // Tokens go first: a connection left in config without tokens just asks for a login,
    // while tokens left without a connection would linger unseen.
    let had_tokens = vault.update_locked(&lock, |data| {
        data.connections
            .remove(name)
            .is_some_and(|entry| entry.tokens.is_some())
    })?;
    edit.save()?;
    if had_tokens {
        println!(
            "removed {name} and its stored tokens (they stay valid at Zendesk until they expire)"
        );
    } else {
        println!("removed {name}");
    }
    Ok(exit::OK)
}
