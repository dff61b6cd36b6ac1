//! What can go wrong talking to Zendesk. Messages carry the endpoint and what the server said,
//! never a token, code or secret.

use std::time::Duration;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ZendeskError {
    /// An OAuth error answer (`{"error": "...", "error_description": "..."}`).
    #[error("{}", oauth_message(endpoint, *status, error, description.as_deref(), NAME))]
    OAuth {
        endpoint: &'static str,
        status: u16,
        error: String,
        description: Option<String>,
    },
    #[error("{}", token_rejected(endpoint, NAME))]
    TokenRejected { endpoint: &'static str },
    #[error(
        "{endpoint} answered HTTP {status}{}; try again later (stored tokens were kept)",
        describe(description.as_deref())
    )]
    Http {
        endpoint: &'static str,
        status: u16,
        description: Option<String>,
    },
    #[error("{endpoint} is rate limiting us (429){}; try again later (stored tokens were kept)", retry_after.map(|s| format!(", retry after {s} s")).unwrap_or_default())]
    RateLimited {
        endpoint: &'static str,
        retry_after: Option<u64>,
    },
    #[error(
        "{endpoint} tried to redirect ({status}), which zdauth never follows; check the connection's subdomain or base_url"
    )]
    Redirected { endpoint: &'static str, status: u16 },
    #[error(
        "cannot reach {endpoint} ({reason}); check the network and try again (stored tokens were kept)"
    )]
    Network {
        endpoint: &'static str,
        reason: String,
    },
    #[error("{endpoint} did not answer within {} s; try again later (stored tokens were kept)", after.as_secs())]
    TimedOut {
        endpoint: &'static str,
        after: Duration,
    },
    #[error(
        "{endpoint} sent an answer zdauth cannot read ({reason}); try again later (stored tokens were kept)"
    )]
    Malformed {
        endpoint: &'static str,
        reason: String,
    },
    /// One of the answer's two tokens is unusable; `salvage` holds what can still be used,
    /// which the caller must keep (the code or refresh token it sent is spent).
    #[error(
        "{endpoint} sent an unusable {part} ({reason}); try again, and log in again if it keeps happening"
    )]
    PartlyUnusable {
        endpoint: &'static str,
        part: &'static str,
        reason: &'static str,
        salvage: Box<super::Salvage>,
    },
}

impl ZendeskError {
    /// The refresh token (or code) was refused: it is used, expired or revoked.
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, ZendeskError::OAuth { error, .. } if error == "invalid_grant")
    }

    /// The client's credentials were refused: its secret (or id) is wrong, or it may not use
    /// this grant. Trying again cannot help; a new secret can.
    pub(crate) fn is_client_refused(&self) -> bool {
        matches!(self, ZendeskError::OAuth { error, .. }
            if error == "invalid_client" || error == "unauthorized_client")
    }

    /// The message with `name` in its hint where it shows a command to run: the client does
    /// not know which connection it serves, the caller does.
    pub fn about(&self, name: &str) -> String {
        match self {
            ZendeskError::OAuth {
                endpoint,
                status,
                error,
                description,
            } => oauth_message(endpoint, *status, error, description.as_deref(), name),
            ZendeskError::TokenRejected { endpoint } => token_rejected(endpoint, name),
            other => other.to_string(),
        }
    }
}

/// What a hint says in place of the connection's name when the caller has not given it.
const NAME: &str = "NAME";

fn oauth_message(
    endpoint: &str,
    status: u16,
    error: &str,
    description: Option<&str>,
    name: &str,
) -> String {
    format!(
        "{endpoint} answered {status} {error}{}; {}",
        describe(description),
        oauth_hint(error, name)
    )
}

fn token_rejected(endpoint: &str, name: &str) -> String {
    format!(
        "{endpoint} rejected the access token (401); a refresh cannot bring it back: log in again with `zdauth login {name}`"
    )
}

fn describe(description: Option<&str>) -> String {
    description.map(|d| format!(" ({d})")).unwrap_or_default()
}

fn oauth_hint(error: &str, name: &str) -> String {
    match error {
        "invalid_grant" => {
            format!(
                "the grant is used, expired or revoked: log in again with `zdauth login {name}`"
            )
        }
        "invalid_client" => {
            "check client_id (the client's unique identifier, not its number) and the client secret"
                .into()
        }
        "invalid_scope" => "check the connection's scopes against the OAuth client's".into(),
        _ => "check the connection's settings against its OAuth client in Zendesk".into(),
    }
}

/// Server text, cut to one short line: it ends up in a terminal and a log. Secrets must be out
/// first (`redact::Sent::clean`), so that the cut cannot leave a piece of one.
pub(super) fn sanitize(text: &str) -> String {
    let flat = crate::text::display(text);
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 401 that reaches the user has outlived zdauth's own retry and refresh: only a login
    /// can help, so the message never sends anyone to `zdauth refresh`.
    #[test]
    fn a_rejected_token_points_at_a_login_not_a_refresh() {
        let text = ZendeskError::TokenRejected {
            endpoint: "users/me.json",
        }
        .to_string();
        assert!(!text.contains("zdauth refresh"), "{text}");
        assert!(
            text.ends_with("log in again with `zdauth login NAME`"),
            "{text}"
        );
    }
}
