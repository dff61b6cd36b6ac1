//! `export` and `exec`: a valid token handed to another tool, refreshed first like `token`.
//! stdout carries only the requested output; the token never goes on any argv.

use std::ffi::OsString;

use crate::exit;
use zdauth_core::config::{Connection, Kind, Selector};
use zdauth_core::error::Error;
use zdauth_core::refresh::Want;
use zdauth_core::vault::Tokens;

use super::args::ExportFormat;
use super::context::Context;
use super::fanout;
use super::session::Session;

/// One connection named plainly: its export as before; many (several names, globs, --all,
/// --tag): a JSON array of the same objects, `--format json` only. Either all of them are
/// printed or none: a script reading the array never gets a part of it.
pub fn export_many(ctx: &Context, selector: &Selector, format: ExportFormat) -> anyhow::Result<u8> {
    match selector.names.as_slice() {
        [name] if !selector.is_many() => return export(ctx, name, format),
        _ if selector.is_empty() => {
            return Err(Error::Usage(
                "nothing to export: name a connection, or use --all or --tag with --format json"
                    .into(),
            )
            .into());
        }
        _ => {}
    }
    if format != ExportFormat::Json {
        return Err(Error::Usage(format!(
            "--format {} takes one connection: for several (names, globs, --all, --tag) use --format json, which prints an array",
            format_name(format)
        ))
        .into());
    }
    // The selection is checked before the vault is opened: a typo costs no passphrase.
    let config = ctx.config()?;
    let connections: Vec<Connection> = selector.pick(&config)?.into_iter().cloned().collect();
    let session = Session::with_config(ctx, config)?;
    let margin = session.config.settings.refresh_margin;
    let refresher = &session.refresher;
    let jobs = zdauth_core::throttle::DEFAULT_JOBS;
    let results = fanout::each(&session.runtime, connections, jobs, |connection| {
        let refresher = refresher.clone();
        async move { refresher.ensure(&connection, Want::Margin(margin)).await }
    })?;
    let mut values = Vec::with_capacity(results.len());
    let (mut failed, mut code) = (0, exit::OK);
    for (connection, result) in results {
        match result {
            Ok(fresh) => values.push(json_value(&connection, &fresh.tokens)),
            Err(e) => {
                errln!(
                    "zdauth: {}: {}",
                    connection.name,
                    zdauth_core::text::display(&e.to_string())
                );
                failed += 1;
                code = code.max(exit::for_error(&e));
            }
        }
    }
    if failed > 0 {
        errln!(
            "zdauth: nothing was printed: {failed} of {} connections could not be exported (fresh tokens got meanwhile are stored)",
            values.len() + failed
        );
        return Ok(code);
    }
    out!("{:#}\n", serde_json::Value::Array(values));
    Ok(exit::OK)
}

fn format_name(format: ExportFormat) -> String {
    clap::ValueEnum::to_possible_value(&format)
        .map_or_else(String::new, |v| v.get_name().to_owned())
}

pub fn export(ctx: &Context, name: &str, format: ExportFormat) -> anyhow::Result<u8> {
    let config = ctx.config()?;
    if config.connection(name).is_none() {
        return Err(Error::UnknownConnection(name.to_owned()).into());
    }
    let session = Session::with_config(ctx, config)?;
    let connection = session.connection(name)?;
    if format == ExportFormat::Curl && connection.kind == Kind::Chat {
        return Err(Error::Usage(format!(
            "{name} is a Zendesk Chat connection, which has no users/me: use --format header"
        ))
        .into());
    }
    let margin = session.config.settings.refresh_margin;
    let fresh = session
        .runtime
        .block_on(session.refresher.ensure(connection, Want::Margin(margin)))?;
    out!("{}", render(connection, &fresh.tokens, format));
    Ok(exit::OK)
}

/// One connection's `--format json` object, alone or as an element of the array.
fn json_value(connection: &Connection, tokens: &Tokens) -> serde_json::Value {
    serde_json::json!({
        "name": connection.name,
        "subdomain": connection.subdomain,
        "access_token": tokens.access_token.expose(),
        "token_type": zdauth_core::text::display(&tokens.token_type),
        "expires_at": tokens.expires_at,
        "scopes": tokens.scopes.iter().map(|s| zdauth_core::text::display(s)).collect::<Vec<_>>(),
    })
}

/// `https://acme.zendesk.com`, or the connection's `base_url`, without a trailing slash.
fn site(connection: &Connection) -> String {
    connection
        .base_url()
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

pub fn render(connection: &Connection, tokens: &Tokens, format: ExportFormat) -> String {
    let token = tokens.access_token.expose();
    let quote = |text: &str| shell_words::quote(text).into_owned();
    match format {
        ExportFormat::Header => format!("Authorization: Bearer {token}\n"),
        ExportFormat::Env => format!(
            "export ZENDESK_SUBDOMAIN={}\nexport ZENDESK_OAUTH_TOKEN={}\n",
            quote(&connection.subdomain),
            quote(token)
        ),
        ExportFormat::Json => format!("{:#}\n", json_value(connection, tokens)),
        ExportFormat::Curl => format!(
            "curl -H {} {}\n",
            quote(&format!("Authorization: Bearer {token}")),
            quote(&format!("{}/api/v2/users/me.json", site(connection)))
        ),
    }
}

pub fn exec(ctx: &Context, name: &str, command: &[OsString]) -> anyhow::Result<u8> {
    let session = Session::open(ctx)?;
    let connection = session.connection(name)?;
    let margin = session.config.settings.refresh_margin;
    let fresh = session
        .runtime
        .block_on(session.refresher.ensure(connection, Want::Margin(margin)))?;
    let (program, args) = command.split_first().expect("clap requires CMD");
    let mut cmd = std::process::Command::new(program);
    zdauth_core::secret::without_passphrases(&mut cmd)
        .args(args)
        .env("ZENDESK_SUBDOMAIN", &connection.subdomain)
        .env("ZENDESK_OAUTH_TOKEN", fresh.tokens.access_token.expose())
        .env("ZENDESK_URL", site(connection));
    Ok(super::child::replace_process(
        cmd,
        &program.to_string_lossy(),
    ))
}
