//! How a connection gets its tokens: a person logging in through the browser, or a
//! confidential client minting them itself (CI, servers).

use std::time::Duration;

use super::Kind;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Grant {
    /// Browser login (authorization code + PKCE), then refresh tokens that rotate.
    #[default]
    AuthorizationCode,
    /// `grant_type=client_credentials`: the client's secret buys an access token, no user,
    /// no browser, no refresh token; a new one is minted when it runs low.
    ClientCredentials,
}

impl Grant {
    pub(crate) const ALL: [Grant; 2] = [Grant::AuthorizationCode, Grant::ClientCredentials];

    /// As written in config.toml and given to `--grant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grant::AuthorizationCode => "authorization_code",
            Grant::ClientCredentials => "client_credentials",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// For people: the TUI and `status`.
    pub fn describe(self) -> &'static str {
        match self {
            Grant::AuthorizationCode => "authorization code (browser login)",
            Grant::ClientCredentials => "client credentials (no login)",
        }
    }

    /// `text` as a grant for a connection of `kind`: Chat has no client credentials, and a
    /// client credentials connection gets no refresh token to give a lifetime.
    pub(crate) fn checked(
        text: &str,
        kind: Kind,
        refresh_token_lifetime: Option<Duration>,
    ) -> Result<Self, String> {
        match Self::parse(text).ok_or_else(|| Self::unknown(text))? {
            Grant::ClientCredentials if kind == Kind::Chat => {
                Err(CHAT_HAS_NO_CLIENT_CREDENTIALS.into())
            }
            Grant::ClientCredentials if refresh_token_lifetime.is_some() => {
                Err(NO_REFRESH_TOKEN.into())
            }
            grant => Ok(grant),
        }
    }

    fn unknown(text: &str) -> String {
        format!(
            "{text:?} is not a grant: use \"authorization_code\" (browser login, the default) or \"client_credentials\" (a confidential client, for CI)"
        )
    }
}

/// Why a Chat connection cannot use client credentials.
const CHAT_HAS_NO_CLIENT_CREDENTIALS: &str = "Zendesk Chat's OAuth server has no client credentials grant: use grant = \"authorization_code\" (the default) for a chat connection";

/// Why a client credentials connection takes no refresh lifetime.
const NO_REFRESH_TOKEN: &str = "client credentials get no refresh token: remove refresh_token_lifetime (a new access token is minted instead)";
