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
    /// Where `zdauth api` resolves a relative path: Support's `…/api/v2`; Chat's on the host
    /// that issued its tokens (a bearer goes only there): `https://www.zopim.com/api/v2`, or
    /// `base_url` + `/api/v2/chat` (where `/oauth2/chat/token` issues them).
    pub rest: Url,
    /// What `zdauth api` may send to: a `/…` path is joined below it, and every URL, given or
    /// named as a next page, must be on its scheme, host and port and below its path.
    pub api_home: Url,
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
                    api_home: base,
                }
            }
            Kind::Chat => {
                let (base, rest) = if connection.base_url.is_some() {
                    let base = connection.base_url();
                    let rest = join(&base, "api/v2/chat");
                    (base, rest)
                } else {
                    let base = Url::parse(ZOPIM).expect("constant URL");
                    let rest = join(&base, "api/v2");
                    (base, rest)
                };
                Self {
                    authorize: join(&base, "oauth2/authorizations/new"),
                    token: join(&base, "oauth2/token"),
                    api: None,
                    rest,
                    api_home: base,
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
    use crate::config::acme_with as connection;

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
        // The bearer goes only to the host that issued it.
        assert_eq!(e.rest.as_str(), "https://www.zopim.com/api/v2");
        assert_eq!(e.api_home.as_str(), "https://www.zopim.com/");
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
        assert_eq!(chat.api_home.as_str(), "http://127.0.0.1:4455/zd");
    }
}
