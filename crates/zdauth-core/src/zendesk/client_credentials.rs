//! `grant_type=client_credentials`: a confidential client's secret buys an access token, with
//! no user, no browser and no refresh token.

use std::time::Duration;

use super::client::{TokenRequest, ZendeskClient};
use super::error::ZendeskError;
use crate::vault::Tokens;

/// Zendesk's default access-token lifetime, asked for when the connection names none: without
/// `expires_in` in the request Zendesk leaves it out of the answer.
const DEFAULT_ACCESS_LIFETIME: Duration = Duration::from_secs(1800);

impl ZendeskClient {
    /// Mints a new access token with the connection's scopes. The token POST adds the client
    /// id and secret and `expires_in` from the connection's lifetime, defaulted here.
    pub(crate) async fn client_credentials(
        &self,
        request: &TokenRequest<'_>,
    ) -> Result<Tokens, ZendeskError> {
        let mut connection = request.connection.clone();
        connection
            .access_token_lifetime
            .get_or_insert(DEFAULT_ACCESS_LIFETIME);
        let scope = connection.scopes.join(" ");
        let form = vec![
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
        ];
        let request = TokenRequest {
            connection: &connection,
            client_secret: request.client_secret,
        };
        self.token_post(&request, form).await
    }
}
