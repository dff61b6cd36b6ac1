//! Where a connection's OAuth and API requests go. Every URL is built from a validated
//! subdomain or `base_url`, and its host is checked once more (checklist item 20).

use url::Url;

use crate::config::{Connection, Kind};

const ZOPIM: &str = "https://www.zopim.com";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: Url,
    pub token: Url,
    /// Support's REST API root (`…/api/v2`); Chat has no users/me or token API of this shape.
    pub api: Option<Url>,
    /// Where `zdauth api` resolves a relative path: Support's `…/api/v2`, Chat's `…/api/v2/chat`
    /// on the account's own host (the zopim REST API is being retired for it).
    pub rest: Url,
}

impl Endpoints {
    pub fn for_connection(connection: &Connection) -> Self {
        match connection.kind {
            Kind::Support => {
                let base = connection.base_url();
                Self {
                    authorize: join(&base, "oauth/authorizations/new"),
                    token: join(&base, "oauth/tokens"),
                    api: Some(join(&base, "api/v2")),
                    rest: join(&base, "api/v2"),
                }
            }
            Kind::Chat => {
                let base = match &connection.base_url {
                    Some(_) => connection.base_url(),
                    None => Url::parse(ZOPIM).expect("constant URL"),
                };
                Self {
                    authorize: join(&base, "oauth2/authorizations/new"),
                    token: join(&base, "oauth2/token"),
                    api: None,
                    rest: join(&connection.base_url(), "api/v2/chat"),
                }
            }
        }
    }

    /// `{api}/{path}`, e.g. `users/me.json`.
    pub(crate) fn api_url(&self, path: &str) -> Option<Url> {
        self.api.as_ref().map(|api| join(api, path))
    }
}

/// Names where a connection's tokens come from: its token endpoint and client.
pub fn issuer(connection: &Connection) -> String {
    format!(
        "{} {}",
        Endpoints::for_connection(connection).token,
        connection.client_id
    )
}

/// Appends `path` below `base` (which may carry a path prefix) and asserts the host did not
/// change: no path text can move a request to another host.
fn join(base: &Url, path: &str) -> Url {
    let text = format!("{}/{}", base.as_str().trim_end_matches('/'), path);
    let url = Url::parse(&text).expect("a validated base and a constant path make a URL");
    assert_eq!(
        url.host_str(),
        base.host_str(),
        "URL host changed while joining"
    );
    assert_eq!(url.port_or_known_default(), base.port_or_known_default());
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn connection(extra: &str) -> Connection {
        let text = format!(
            "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"c\"\n{extra}\n"
        );
        Config::parse(&text, std::path::Path::new("t.toml"))
            .unwrap()
            .connections
            .remove(0)
    }

    #[test]
    fn support_endpoints_live_on_the_subdomain() {
        let e = Endpoints::for_connection(&connection(""));
        assert_eq!(
            e.authorize.as_str(),
            "https://acme.zendesk.com/oauth/authorizations/new"
        );
        assert_eq!(e.token.as_str(), "https://acme.zendesk.com/oauth/tokens");
        assert_eq!(
            e.api_url("users/me.json").unwrap().as_str(),
            "https://acme.zendesk.com/api/v2/users/me.json"
        );
    }

    #[test]
    fn a_base_url_with_a_prefix_keeps_it() {
        let e = Endpoints::for_connection(&connection("base_url = \"http://127.0.0.1:4455/zd/\""));
        assert_eq!(e.token.as_str(), "http://127.0.0.1:4455/zd/oauth/tokens");
    }

    #[test]
    fn chat_goes_to_zopim() {
        let e = Endpoints::for_connection(&connection(
            "kind = \"chat\"\nscopes = [\"read\", \"write\", \"chat\"]",
        ));
        assert_eq!(
            e.authorize.as_str(),
            "https://www.zopim.com/oauth2/authorizations/new"
        );
        assert_eq!(e.token.as_str(), "https://www.zopim.com/oauth2/token");
        assert_eq!(e.api, None);
        assert_eq!(e.rest.as_str(), "https://acme.zendesk.com/api/v2/chat");
    }

    #[test]
    fn the_rest_api_base_keeps_a_base_urls_prefix() {
        let support =
            Endpoints::for_connection(&connection("base_url = \"http://127.0.0.1:4455/zd\""));
        assert_eq!(support.rest.as_str(), "http://127.0.0.1:4455/zd/api/v2");
        let chat = Endpoints::for_connection(&connection(
            "kind = \"chat\"\nscopes = [\"read\", \"chat\"]\nbase_url = \"http://127.0.0.1:4455/zd\"",
        ));
        assert_eq!(chat.rest.as_str(), "http://127.0.0.1:4455/zd/api/v2/chat");
    }
}
