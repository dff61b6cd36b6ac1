//! "Get a fresh token, then copy it": the refresh transaction's use case behind `zdauth copy`
//! and the TUI's copy keys. It lives here, on the refresh side, so that the clipboard
//! backends stay leaves that know nothing of tokens being refreshed.

use std::time::Duration;

use super::{Refresher, Want};
use crate::clipboard::What;
use crate::config::Connection;
use crate::error::Error;
use crate::secret::Secret;

/// The text to copy, through the refresh transaction: a token with less than `margin` left is
/// refreshed first, and a connection that needs a login is an error, never a dead token.
pub async fn fresh_text(
    refresher: &Refresher,
    connection: &Connection,
    margin: Duration,
    what: What,
) -> Result<Secret, Error> {
    let fresh = refresher.ensure(connection, Want::Margin(margin)).await?;
    let token = fresh.tokens.access_token.expose();
    Ok(match what {
        What::Token => Secret::new(token),
        What::Header => Secret::new(format!("Authorization: Bearer {token}")),
    })
}
