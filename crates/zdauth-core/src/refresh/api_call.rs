//! Calling Zendesk with a connection's access token, and what a 401 for a token zdauth
//! thought valid means: another process may have rotated it since we read it (use the
//! newer one), or Zendesk dropped it early (get a new one once, through the transaction).
//! One function, so that every door that calls the API (whoami, logout, later `zdauth api`)
//! handles it the same way.

use std::future::Future;
use std::time::Duration;

use jiff::Timestamp;

use super::{Refresher, Want, blocking, valid_for};
use crate::config::{Connection, Grant};
use crate::error::Error;
use crate::secret::Secret;
use crate::vault::Tokens;
use crate::zendesk::{self, ZendeskError};

impl Refresher {
    /// Runs `call` with an access token valid for `needed` more. On a 401: re-reads the
    /// vault and retries with a newer token another process stored, if there is one; else,
    /// if the stored token is still the refused one, refreshes once and retries once. A
    /// refusal after that is [`Error::TokenRefused`]; a refused refresh is
    /// [`Error::LoginRequired`], as anywhere.
    pub async fn call_with_fresh_token<T, F, Fut>(
        &self,
        connection: &Connection,
        needed: Duration,
        call: F,
    ) -> Result<T, Error>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T, ZendeskError>>,
    {
        let name = &connection.name;
        let mut token = self
            .ensure(connection, Want::ValidFor(needed))
            .await?
            .tokens
            .access_token;
        let (mut adopted, mut renewed) = (false, false);
        loop {
            let endpoint = match call(token.clone()).await {
                Err(ZendeskError::TokenRejected { endpoint }) => endpoint,
                other => return other.map_err(Error::from),
            };
            // Taken before the re-read: a rotation stored after it answers the refresh below.
            let asked_at = Timestamp::now();
            let stored = self.stored_tokens(connection).await?;
            if let Some(newer) = stored.filter(|t| {
                !adopted && t.access_token != token && valid_for(t, Timestamp::now(), needed)
            }) {
                tracing::info!(connection = %name, endpoint, "401, but a newer token is stored: retrying with it");
                token = newer.access_token;
                adopted = true;
                continue;
            }
            if renewed {
                tracing::warn!(connection = %name, endpoint, "401 for a newly issued token too");
                return Err(Error::TokenRefused {
                    name: name.clone(),
                    endpoint,
                    what_next: what_next(connection),
                });
            }
            tracing::info!(connection = %name, endpoint, "401 for the stored token: getting a new one once");
            token = self
                .ensure_since(connection, Want::Rotate, asked_at)
                .await?
                .tokens
                .access_token;
            renewed = true;
        }
    }

    /// The connection's own stored tokens as they are on disk now (no lock: writers replace
    /// the vault atomically).
    async fn stored_tokens(&self, connection: &Connection) -> Result<Option<Tokens>, Error> {
        let vault = self.vault.clone();
        let name = connection.name.clone();
        let issuer = zendesk::issuer(connection);
        blocking(move || {
            Ok(vault
                .load_entry(&name)?
                .filter(|e| e.issued_by(&issuer) && !e.login_required)
                .and_then(|e| e.tokens))
        })
        .await
    }
}

fn what_next(connection: &Connection) -> String {
    // No login can help a client credentials connection: its token acts as the client's admin.
    if connection.grant == Grant::ClientCredentials {
        return "check that the OAuth client and the admin who made it still have access and the scopes asked for".to_owned();
    }
    format!(
        "check that the Zendesk user behind it still has access, or log in again with `zdauth login {}`",
        connection.name
    )
}
