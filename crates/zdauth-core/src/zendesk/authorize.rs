//! The authorization request the browser is sent to (checklist items 2–4).

use url::Url;

use super::endpoints::Endpoints;
use super::pkce;
use crate::config::{Connection, Kind};
use crate::secret::Secret;

/// One login attempt: everything needed to check its callback and redeem its code.
pub struct AuthorizationRequest {
    /// To open in the browser (and print). Carries the PKCE challenge, never the verifier.
    pub url: Url,
    pub state: Secret,
    pub verifier: Secret,
    pub redirect_uri: String,
}

impl AuthorizationRequest {
    pub fn new(connection: &Connection) -> Self {
        let state = pkce::new_state();
        let verifier = pkce::new_verifier();
        let redirect_uri = connection.redirect_uri();
        let mut url = Endpoints::for_connection(connection).authorize;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &connection.client_id)
                .append_pair("redirect_uri", &redirect_uri)
                .append_pair("scope", &connection.scopes.join(" "))
                .append_pair("state", state.expose());
            match connection.kind {
                Kind::Support => {
                    query
                        .append_pair("code_challenge", &pkce::challenge(&verifier))
                        .append_pair("code_challenge_method", "S256");
                }
                // Zendesk Chat's server knows no PKCE; it needs the account instead.
                Kind::Chat => {
                    query.append_pair("subdomain", &connection.subdomain);
                }
            }
        }
        Self {
            url,
            state,
            verifier,
            redirect_uri,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::collections::HashMap;

    fn acme() -> Connection {
        let text = "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"zdauth_acme\"\nredirect_port = 19186\n";
        Config::parse(text, std::path::Path::new("t"))
            .unwrap()
            .connections
            .remove(0)
    }

    #[test]
    fn carries_pkce_state_and_the_ip_literal_redirect() {
        let request = AuthorizationRequest::new(&acme());
        assert_eq!(request.url.host_str(), Some("acme.zendesk.com"));
        assert_eq!(request.url.path(), "/oauth/authorizations/new");
        let query: HashMap<_, _> = request.url.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "zdauth_acme");
        assert_eq!(query["redirect_uri"], "http://127.0.0.1:19186/callback");
        assert_eq!(query["scope"], "read write");
        assert_eq!(query["state"], request.state.expose());
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["code_challenge"], pkce::challenge(&request.verifier));
        assert!(!request.url.as_str().contains(request.verifier.expose()));
        let again = AuthorizationRequest::new(&acme());
        assert_ne!(again.state, request.state);
        assert_ne!(again.verifier, request.verifier);
    }
}
