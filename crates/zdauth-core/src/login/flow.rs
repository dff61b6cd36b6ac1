//! One browser login, start to stored tokens (checklist items 1–7, 17).

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Callback, CallbackError, Catcher, LoginError, browser};
use crate::config::{Connection, Grant, Kind};
use crate::error::Error;
use crate::refresh::{
    Owner, blocking, from_current_json, lock_and_reload, record_details, reserve_room,
    store_new_pair,
};
use crate::vault::{Tokens, User, Vault};
use crate::zendesk::{
    self, AuthorizationRequest, Salvage, TokenRequest, ZendeskClient, ZendeskError,
};

pub struct LoginSettings {
    pub timeout: Duration,
    /// `$BROWSER`, else the platform's opener (see [`browser::open_browser`]).
    pub open_browser: bool,
}

/// What the flow has to tell the person logging in, as it happens.
pub enum LoginEvent<'a> {
    /// Open this in a browser; always shown, even when a browser is started.
    Url(&'a str),
    BrowserFailed(LoginError),
    /// A pasted line that is not the redirect we wait for; the wait goes on.
    PasteRejected(CallbackError),
    Exchanging,
}

pub struct LoggedIn {
    pub tokens: Tokens,
    /// None when users/me did not answer: the login still counts.
    pub user: Option<User>,
}

pub async fn login(
    vault: &Vault,
    client: &ZendeskClient,
    connection: &Connection,
    settings: LoginSettings,
    pasted: Option<mpsc::Receiver<String>>,
    cancel: CancellationToken,
    mut events: impl FnMut(LoginEvent) + Send,
) -> Result<LoggedIn, Error> {
    if connection.grant == Grant::ClientCredentials {
        return Err(Error::Usage(format!(
            "{0} uses client credentials and needs no login: `zdauth token {0}` mints a token from the stored secret",
            connection.name
        )));
    }
    let reader = vault.clone();
    let name = connection.name.clone();
    // One entry, not the whole vault: with a team store, one read instead of one per secret.
    let client_secret = blocking(move || reader.load_entry(&name))
        .await?
        .and_then(|entry| entry.client_secret);

    let request = AuthorizationRequest::new(connection);
    // Bound before the browser opens, so the redirect cannot find the port closed.
    let catcher = Catcher::bind(connection.redirect_port).await?;
    events(LoginEvent::Url(request.url.as_str()));
    if settings.open_browser
        && let Err(e) = browser::open_browser(request.url.as_str())
    {
        events(LoginEvent::BrowserFailed(e));
    }
    let state = request.state.expose();
    let callback = match pasted {
        Some(lines) => {
            catcher
                .wait_or_pasted(
                    state,
                    &request.redirect_uri,
                    settings.timeout,
                    cancel,
                    lines,
                    |rejected| events(LoginEvent::PasteRejected(rejected)),
                )
                .await?
        }
        None => catcher.wait(state, settings.timeout, cancel).await?,
    };
    let code = match callback {
        Callback::Code(code) => code,
        Callback::Denied { error, description } => {
            return Err(Error::LoginDenied {
                name: connection.name.clone(),
                error,
                description,
            });
        }
    };

    // A code is single-use too: the pair it buys must have room before it is spent (item 31).
    let room = reserve_room(vault).await?;
    // From here to the stored pair a signal waits, as during a refresh (item 32).
    let spending = crate::shield::spending(&connection.name)?;
    events(LoginEvent::Exchanging);
    let token_request = TokenRequest {
        connection,
        client_secret: client_secret.as_ref(),
    };
    // Redeemed only at the token endpoint of the connection that started the flow (item 5).
    let exchanged = client
        .exchange_code(
            &token_request,
            &code,
            &request.verifier,
            &request.redirect_uri,
        )
        .await;
    let (tokens, note) = usable_login(connection, exchanged)?;

    let (lock, entry) = lock_and_reload(vault, &connection.name).await?;
    let mut entry = entry.unwrap_or_default();
    entry.tokens = Some(tokens.clone());
    entry.issuer = Some(zendesk::issuer(connection));
    entry.login_required = false;
    entry.last_error = note;
    entry.last_error_at = None;
    entry.secret_refused = false;
    entry.last_refresh = None;
    entry.user = None;
    // Stored before anything else happens (item 17); the lock is released before the
    // lookups below, so other processes are not held up by them.
    let stored = store_new_pair(lock, room, &connection.name, entry).await;
    drop(spending);
    drop(stored?);

    if connection.kind != Kind::Support {
        return Ok(LoggedIn { tokens, user: None });
    }
    // Who and until when: best effort, a failure here does not fail the login.
    let user = client
        .users_me(connection, &tokens.access_token)
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "users/me failed after login"))
        .ok();
    let tokens = from_current_json(client, connection, tokens).await;
    if let Err(e) = record_details(
        vault,
        &connection.name,
        &tokens,
        Owner::Learned(user.clone()),
    )
    .await
    {
        tracing::warn!(error = %e, "could not store the user and the expiries after login");
    }
    Ok(LoggedIn { tokens, user })
}

/// The tokens a code exchange bought, and the note to store beside them. A usable access
/// token beside an unusable refresh token is still a login, one that ends when the token
/// does; an unusable access token is none (the code is spent, and only a new login helps, so
/// nothing is stored).
fn usable_login(
    connection: &Connection,
    exchanged: Result<Tokens, ZendeskError>,
) -> Result<(Tokens, Option<String>), Error> {
    match exchanged.map_err(ZendeskError::into_salvage) {
        Ok(tokens) => Ok((tokens, None)),
        Err(Ok((message, Salvage::AccessToken(tokens)))) => Ok((
            tokens,
            Some(format!(
                "{message}; log in again when this access token expires"
            )),
        )),
        Err(Ok((message, Salvage::RefreshToken { .. }))) => Err(Error::RefreshFailed(format!(
            "{message}; nothing was stored"
        ))),
        Err(Err(error)) => Err(Error::zendesk_about(&connection.name)(error)),
    }
}
