//! `token`, `refresh`, `logout` and `whoami`: the commands that hand out, rotate, revoke or
//! use a connection's tokens, every one through the refresh transaction.

use std::time::Duration;

use jiff::Timestamp;

use crate::exit;
use zdauth_core::config::{Connection, Kind, Selector};
use zdauth_core::error::Error;
use zdauth_core::expiry::humanize;
use zdauth_core::manage::{self, API_CALL_MARGIN};
use zdauth_core::refresh::{Want, stored_valid};

use super::context::Context;
use super::fanout;
use super::session::Session;

pub fn token(ctx: &Context, name: &str, min_valid: Option<Duration>) -> anyhow::Result<u8> {
    // Before config.toml is read: an unlocked agent holds it parsed, checked against the file.
    if let Some(token) = super::agent::fast_token(ctx, name, min_valid)? {
        outln!("{}", token.expose());
        return Ok(exit::OK);
    }
    let session = Session::open(ctx)?;
    let connection = session.connection(name)?;
    // `--min-valid` is taken literally; without it, the refresh rule of every door.
    let want = min_valid.map_or(
        Want::Margin(session.config.settings.refresh_margin),
        Want::ValidFor,
    );
    // Straight from the vault on this thread when no refresh is due: no hop to a blocking
    // thread, which costs most on a busy machine.
    let tokens = match stored_valid(session.refresher.vault(), connection, want)? {
        Some(tokens) => tokens,
        None => {
            session
                .runtime
                .block_on(session.refresher.ensure(connection, want))?
                .tokens
        }
    };
    outln!("{}", tokens.access_token.expose());
    Ok(exit::OK)
}

pub fn refresh(ctx: &Context, selector: &Selector, jobs: u16) -> anyhow::Result<u8> {
    if selector.is_empty() {
        return Err(Error::Usage(
            "nothing to refresh: name connections, or use --all or --tag".into(),
        )
        .into());
    }
    let session = Session::open(ctx)?;
    let connections: Vec<Connection> = selector
        .pick(&session.config)?
        .into_iter()
        .cloned()
        .collect();
    if connections.is_empty() {
        return Err(Error::Usage("nothing to refresh: add connections first".into()).into());
    }
    let refresher = &session.refresher;
    let results = fanout::each(&session.runtime, connections, jobs, |connection| {
        let refresher = refresher.clone();
        async move { refresher.ensure(&connection, Want::Rotate).await }
    })?;
    let mut code = exit::OK;
    for (connection, result) in results {
        let name = &connection.name;
        match result {
            Ok(fresh) => outln!("{name}: refreshed, {} left", time_left(&fresh.tokens)),
            Err(e) => {
                outln!("{name}: {}", zdauth_core::text::display(&e.to_string()));
                if code == exit::OK {
                    code = exit::for_error(&e);
                }
            }
        }
    }
    Ok(code)
}

fn time_left(tokens: &zdauth_core::vault::Tokens) -> String {
    tokens.expires_at.map_or("no expiry known".into(), |at| {
        humanize(at.duration_since(Timestamp::now()))
    })
}

pub fn whoami(ctx: &Context, name: &str) -> anyhow::Result<u8> {
    let session = Session::open(ctx)?;
    let connection = session.connection(name)?;
    if connection.kind == Kind::Chat {
        return Err(Error::Usage(format!(
            "{name} is a Zendesk Chat connection, which has no users/me"
        ))
        .into());
    }
    let refresher = &session.refresher;
    let client = refresher.client();
    let user = session.runtime.block_on(refresher.call_with_fresh_token(
        connection,
        API_CALL_MARGIN,
        |token| async move { client.users_me(connection, &token).await },
    ))?;
    // Under the connection's lock, so that a refresh in flight cannot write back its older
    // copy of the entry over this one.
    let lock = session.refresher.vault().lock_connection(name)?;
    if let Some(mut entry) = lock.reload()? {
        entry.user = Some(user.clone());
        lock.persist(entry)?;
    }
    let shown = zdauth_core::text::display_user(&user);
    outln!(
        "{} <{}>, {} (user id {})",
        shown.name,
        shown.email,
        shown.role,
        shown.id
    );
    Ok(exit::OK)
}

pub fn logout(ctx: &Context, name: &str, local_only: bool) -> anyhow::Result<u8> {
    let session = Session::open(ctx)?;
    let connection = session.connection(name)?;
    let refresher = &session.refresher;
    if !local_only {
        session
            .runtime
            .block_on(manage::revoke(refresher, connection))
            .map_err(|e| {
                anyhow::Error::from(e).context(format!(
                    "logout of {name} failed and its tokens were kept (to forget them here without revoking: `zdauth logout {name} --local-only`)"
                ))
            })?;
    }
    let had_tokens = manage::forget_tokens(refresher.vault(), name)?;
    match (had_tokens, local_only) {
        (false, _) => outln!("{name} had no stored tokens"),
        (true, true) => {
            outln!("forgot {name}'s tokens here (they stay valid at Zendesk until they expire)");
        }
        (true, false) => outln!("revoked {name}'s token at Zendesk and forgot it here"),
    }
    Ok(exit::OK)
}
