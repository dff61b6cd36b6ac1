//! `zdauth client create`: makes the public OAuth client of a Zendesk account with an admin's
//! API token (read from stdin, used for these calls, never stored or shown), then adds the
//! connection that logs in with it, as `add` does.

use std::io::{BufRead, IsTerminal};

use zeroize::Zeroizing;

use crate::exit;
use zdauth_core::config::{Connection, ConnectionInput, Field, Kind};
use zdauth_core::error::{Error, quote};
use zdauth_core::manage;
use zdauth_core::secret::Secret;
use zdauth_core::zendesk::{ApiToken, Created, NewClient, OAuthClient};

use super::args::ClientCreateArgs;
use super::context::Context;

/// An API token is 40 characters; a line far longer is not one (and is not held in memory).
const MAX_TOKEN_LINE: usize = 1024;

pub fn create(ctx: &Context, args: &ClientCreateArgs) -> anyhow::Result<u8> {
    let connection = connection_from(args)?;
    check_email(&args.email)?;
    let config = ctx.config()?;
    if config.connection(&connection.name).is_some() {
        return Err(Error::DuplicateConnection(connection.name).into());
    }
    let auth = ApiToken {
        email: args.email.trim().to_owned(),
        token: read_api_token(&args.email)?,
    };
    let client = zdauth_core::session::client(&config.settings);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let redirect_uri = connection.redirect_uri();
    let identifier = connection.client_id.clone();
    let adopted = runtime.block_on(async {
        let existing = client
            .find_oauth_client(&connection, &auth, &identifier)
            .await?;
        if let Some(existing) = existing {
            return adopt(&connection, args.reuse, &existing).map(|()| true);
        }
        let description = format!("zdauth on 127.0.0.1:{}", connection.redirect_port);
        let new = NewClient {
            name: &format!("zdauth {}", connection.name),
            identifier: &identifier,
            redirect_uri: &redirect_uri,
            description: &description,
        };
        match client.create_oauth_client(&connection, &auth, &new).await? {
            Created::Made(_) => Ok(false),
            Created::Taken => Err(taken(&connection, &identifier)),
        }
    })?;
    drop(auth);
    if let Err(e) = manage::add(&ctx.paths, &connection, None) {
        return Err(Error::Usage(format!(
            "the OAuth client {identifier} is in {} but the connection was not added ({e}); add it with `zdauth add {} --subdomain {} --client-id {identifier} --redirect-port {}`",
            connection.subdomain,
            connection.name,
            connection.subdomain,
            connection.redirect_port
        ))
        .into());
    }
    let how = if adopted { "adopted" } else { "created" };
    outln!(
        "{how} the OAuth client {identifier} in {} (redirect URI {redirect_uri}) and added {}; next: `zdauth login {}`",
        connection.subdomain,
        connection.name,
        connection.name
    );
    Ok(exit::OK)
}

/// `--reuse` takes a public client that already sends logins back to our catcher.
fn adopt(connection: &Connection, reuse: bool, existing: &OAuthClient) -> Result<(), Error> {
    let identifier = &connection.client_id;
    if !reuse {
        return Err(taken(connection, identifier));
    }
    if !existing.is_public() {
        return Err(Error::Usage(format!(
            "the OAuth client {identifier} in {} is not public: use `zdauth add {} --secret-stdin` with its secret, or --identifier ID for a new public client",
            connection.subdomain, connection.name
        )));
    }
    let ours = connection.redirect_uri();
    if !existing.redirect_uri.contains(&ours) {
        return Err(Error::Usage(format!(
            "the OAuth client {identifier} in {} does not list the redirect URI {ours}: add it in Admin Center > Apps and integrations > OAuth Clients, or pass the --port of one it lists",
            connection.subdomain
        )));
    }
    Ok(())
}

fn taken(connection: &Connection, identifier: &str) -> Error {
    Error::Usage(format!(
        "an OAuth client {identifier} already exists in {}: pass --reuse to adopt it (its redirect URIs must include {}), or --identifier ID for a new one",
        connection.subdomain,
        connection.redirect_uri()
    ))
}

/// The connection `add` would make, checked before any token is read or call made.
fn connection_from(args: &ClientCreateArgs) -> Result<Connection, Error> {
    if let Some(tag) = args
        .tags
        .iter()
        .find(|t| t.is_empty() || t.contains([' ', ',']))
    {
        return Err(Error::Usage(format!(
            "--tag: {} is not a valid tag: use 1 to 32 of a-z, 0-9, '_' and '-' (one tag per --tag)",
            quote(tag)
        )));
    }
    let identifier = args
        .identifier
        .clone()
        .unwrap_or_else(|| format!("zdauth-{}", args.name));
    let port = args.port.to_string();
    let tags = args.tags.join(" ");
    let scopes = Kind::Support.default_scopes().join(" ");
    let input = ConnectionInput {
        name: &args.name,
        subdomain: &args.subdomain,
        client_id: &identifier,
        kind: Some("support"),
        scopes: &scopes,
        redirect_port: &port,
        base_url: args.base_url.as_deref(),
        grant: Some("authorization_code"),
        tags: &tags,
        ..ConnectionInput::default()
    };
    input.check().map_err(|errors| {
        let (field, message) = errors.into_iter().next().expect("an error per failure");
        let flag = match field {
            Field::Name => "NAME",
            Field::Subdomain => "--subdomain",
            Field::ClientId => "--identifier",
            Field::RedirectPort => "--port",
            Field::Tags => "--tag",
            Field::BaseUrl => "--base-url",
            _ => "client create",
        };
        Error::Usage(format!("{flag}: {message}"))
    })
}

/// Sent as the user of HTTP Basic (`EMAIL/token`): a colon or a control would change it.
fn check_email(email: &str) -> Result<(), Error> {
    let email = email.trim();
    let plausible = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty())
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ':');
    if plausible {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--email: {} is not an email address: give the admin's, e.g. --email admin@example.com",
            quote(email)
        )))
    }
}

/// From a terminal: a hidden prompt. From a pipe: one line. Never from argv or the environment.
fn read_api_token(email: &str) -> Result<Secret, Error> {
    let token = if std::io::stdin().is_terminal() {
        let prompt = format!("Zendesk API token of {}: ", email.trim());
        Zeroizing::new(rpassword::prompt_password(prompt).map_err(|e| {
            Error::Usage(format!(
                "cannot read the API token ({e}): pipe it in instead"
            ))
        })?)
    } else {
        let mut line = Zeroizing::new(String::new());
        let stdin = std::io::stdin();
        let mut limited = std::io::Read::take(stdin.lock(), MAX_TOKEN_LINE as u64);
        limited.read_line(&mut line).map_err(|e| {
            Error::Usage(format!(
                "cannot read the API token from stdin ({e}): pipe it in, e.g. `pass zendesk/token | zdauth client create ...`"
            ))
        })?;
        line
    };
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::Usage(
            "no API token on stdin: pipe an admin's Zendesk API token in (it is used for this call only and never stored)".into(),
        ));
    }
    if token.len() >= MAX_TOKEN_LINE - 2
        || token.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::Usage(
            "stdin does not hold one API token: pipe in the token alone, on one line".into(),
        ));
    }
    Ok(Secret::new(token))
}
