//! `zdauth edit NAME`: the TUI's edit form on the command line, through the same engine call
//! (`manage::update`), so the same rules hold, tokens stored for one account are never
//! re-pointed at another, and a field another writer changed meanwhile is not overwritten.

use zdauth_core::config::{Connection, ConnectionInput, Grant};
use zdauth_core::error::{Error, quote};
use zdauth_core::manage::{self, SecretChange};

use super::args::EditArgs;
use super::connections::read_secret_from_stdin;
use super::context::Context;
use crate::exit;

pub fn edit(ctx: &Context, args: &EditArgs) -> anyhow::Result<u8> {
    let config = ctx.config()?;
    let name = args.name.as_str();
    let started = config
        .connection(name)
        .cloned()
        .ok_or_else(|| Error::UnknownConnection(name.to_owned()))?;
    let edited = edited(&started, args)?;
    let secret = if args.secret_stdin {
        SecretChange::Replace(read_secret_from_stdin()?)
    } else if args.clear_secret {
        SecretChange::Forget
    } else {
        SecretChange::Keep
    };
    if edited == started && matches!(secret, SecretChange::Keep) {
        outln!("nothing to change: {name} already has these settings");
        return Ok(exit::OK);
    }
    let vault = ctx.unlock(&config)?;
    let stored = vault
        .load()?
        .connections
        .get(name)
        .is_some_and(|e| e.client_secret.is_some());
    if matches!(secret, SecretChange::Forget) && !stored && edited == started {
        outln!("nothing to change: {name} has no stored client secret");
        return Ok(exit::OK);
    }
    let secret_said = match (&secret, stored) {
        (SecretChange::Replace(_), true) => Some("client secret replaced"),
        (SecretChange::Replace(_), false) => Some("client secret stored"),
        (SecretChange::Forget, true) => Some("client secret forgotten"),
        _ => None,
    };
    let has_secret = match secret {
        SecretChange::Replace(_) => true,
        SecretChange::Forget => false,
        SecretChange::Keep => stored,
    };
    let saved = manage::update_with(&vault, &started, &edited, secret)?;
    let now = saved.connection(name).unwrap_or(&edited);
    let mut changes = changes(&started, now);
    changes.extend(secret_said.map(str::to_owned));
    if changes.is_empty() {
        // Another writer made the same change meanwhile.
        outln!("updated {name}: config.toml already had these settings");
    } else {
        outln!("updated {name}: {}", changes.join("; "));
    }
    if now.grant == Grant::AuthorizationCode && now.redirect_port != started.redirect_port {
        outln!(
            "next: register the redirect URI {} on its OAuth client in Zendesk",
            now.redirect_uri()
        );
    }
    if now.grant == Grant::ClientCredentials && !has_secret {
        outln!("next: store its client secret: `zdauth edit {name} --secret-stdin`");
    }
    Ok(exit::OK)
}

/// `started` with the flags given, checked by the rules of `add` and the TUI's form.
fn edited(started: &Connection, args: &EditArgs) -> Result<Connection, Error> {
    if let Some(tag) = args
        .tags
        .iter()
        .find(|t| t.is_empty() || t.contains([' ', ',']))
    {
        return Err(Error::Usage(format!(
            "--tag: {} is not a valid tag: use 1 to 32 of a-z, 0-9, '_' and '-' (one tag per --tag, e.g. --tag prod --tag eu)",
            quote(tag)
        )));
    }
    let text =
        |d: Option<std::time::Duration>| d.map(|d| humantime::format_duration(d).to_string());
    // An empty lifetime goes back to Zendesk's default.
    let lifetime = |flag: &Option<String>, old: Option<std::time::Duration>| match flag {
        Some(given) if given.trim().is_empty() => None,
        Some(given) => Some(given.clone()),
        None => text(old),
    };
    let access = lifetime(&args.access_token_lifetime, started.access_token_lifetime);
    let refresh = lifetime(&args.refresh_token_lifetime, started.refresh_token_lifetime);
    let scopes = args
        .scopes
        .clone()
        .unwrap_or_else(|| started.scopes.join(" "));
    let port = args
        .redirect_port
        .unwrap_or(started.redirect_port)
        .to_string();
    let tags = if args.clear_tags {
        String::new()
    } else if args.tags.is_empty() {
        started.tags.join(" ")
    } else {
        args.tags.join(" ")
    };
    let base_url = if args.clear_base_url {
        None
    } else {
        args.base_url.as_deref().or(started.base_url.as_deref())
    };
    let input = ConnectionInput {
        name: &started.name,
        subdomain: args.subdomain.as_deref().unwrap_or(&started.subdomain),
        client_id: args.client_id.as_deref().unwrap_or(&started.client_id),
        kind: Some(started.kind.as_str()),
        scopes: &scopes,
        redirect_port: &port,
        base_url,
        access_token_lifetime: access.as_deref(),
        refresh_token_lifetime: refresh.as_deref(),
        grant: Some(args.grant.as_deref().unwrap_or(started.grant.as_str())),
        tags: &tags,
    };
    input.check().map_err(|errors| {
        let (field, message) = errors.into_iter().next().expect("an error per failure");
        Error::Usage(format!(
            "{}: {message}; nothing was changed",
            super::connections::flag_of(field)
        ))
    })
}

/// What changed, as `field old → new`.
fn changes(old: &Connection, new: &Connection) -> Vec<String> {
    let mut said = Vec::new();
    let mut say = |field: &str, from: String, to: String| {
        if from != to {
            said.push(format!("{field} {from} → {to}"));
        }
    };
    let none = |v: Option<String>| v.unwrap_or_else(|| "(default)".into());
    let lifetime =
        |d: Option<std::time::Duration>| none(d.map(|d| humantime::format_duration(d).to_string()));
    say("subdomain", old.subdomain.clone(), new.subdomain.clone());
    say("client id", old.client_id.clone(), new.client_id.clone());
    say("scopes", old.scopes.join(" "), new.scopes.join(" "));
    say(
        "redirect port",
        old.redirect_port.to_string(),
        new.redirect_port.to_string(),
    );
    say(
        "grant",
        old.grant.as_str().into(),
        new.grant.as_str().into(),
    );
    say(
        "tags",
        none(Some(old.tags.join(" ")).filter(|t| !t.is_empty())),
        none(Some(new.tags.join(" ")).filter(|t| !t.is_empty())),
    );
    say(
        "base_url",
        none(old.base_url.clone()),
        none(new.base_url.clone()),
    );
    say(
        "access_token_lifetime",
        lifetime(old.access_token_lifetime),
        lifetime(new.access_token_lifetime),
    );
    say(
        "refresh_token_lifetime",
        lifetime(old.refresh_token_lifetime),
        lifetime(new.refresh_token_lifetime),
    );
    said
}
