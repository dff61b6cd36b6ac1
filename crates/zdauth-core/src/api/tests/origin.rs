//! Where the bearer may go: a Chat connection's API on the host that issued its tokens, and
//! a `base_url`'s path prefix kept for every URL, typed or named as a next page.

use super::harness::get;
use crate::api::{parse_header, target};
use crate::config::Connection;
use crate::error::Error;

use crate::config::acme_with as connection;

fn url(connection: &Connection, target: &str) -> Result<String, Error> {
    get(target).url_for(connection).map(|u| u.to_string())
}

#[test]
fn chat_without_a_base_url_goes_to_zopim_which_issued_its_tokens() {
    let chat = connection("kind = \"chat\"\nscopes = [\"read\", \"chat\"]");
    assert_eq!(
        url(&chat, "chats").unwrap(),
        "https://www.zopim.com/api/v2/chats"
    );
    assert_eq!(
        url(&chat, "/api/v2/chats").unwrap(),
        "https://www.zopim.com/api/v2/chats"
    );
    assert_eq!(
        url(&chat, "https://www.zopim.com/api/v2/chats?page=2").unwrap(),
        "https://www.zopim.com/api/v2/chats?page=2"
    );
    let error = url(&chat, "https://acme.zendesk.com/api/v2/chat/chats").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the token goes only to https://www.zopim.com"),
        "{error}"
    );
    assert!(target::next_page(&chat, "https://acme.zendesk.com/api/v2/chat/chats").is_err());
}

#[test]
fn chat_with_a_base_url_goes_below_it() {
    let chat = connection(
        "kind = \"chat\"\nscopes = [\"read\", \"chat\"]\nbase_url = \"http://127.0.0.1:4455/zd\"",
    );
    assert_eq!(
        url(&chat, "chats").unwrap(),
        "http://127.0.0.1:4455/zd/api/v2/chat/chats"
    );
    assert!(url(&chat, "https://www.zopim.com/api/v2/chats").is_err());
}

/// Two connections behind one gateway share its host, not an account.
#[test]
fn a_base_urls_prefix_holds_for_full_urls_and_next_pages() {
    let acme = connection("base_url = \"http://127.0.0.1:4455/zd-acme\"");
    for other in [
        "http://127.0.0.1:4455/zd-globex/api/v2/users.json",
        "http://127.0.0.1:4455/zd-acmeX/api/v2/users.json",
        "http://127.0.0.1:4455/api/v2/users.json",
        "http://127.0.0.1:4455/",
    ] {
        let error = url(&acme, other).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("leaves the connection's base path"),
            "{other}: {error}"
        );
        let refused = target::next_page(&acme, other).unwrap_err();
        assert!(refused.contains("base path"), "{other}: {refused}");
    }
    let own = "http://127.0.0.1:4455/zd-acme/api/v2/users.json?page=2";
    assert_eq!(url(&acme, own).unwrap(), own);
    assert_eq!(target::next_page(&acme, own).unwrap().as_str(), own);
    assert!(target::next_page(&acme, "http://127.0.0.1:4455/zd-acme").is_ok());
}

/// A mistyped `-H "Bearer eyJ…"` has no colon; the message must not print the token.
#[test]
fn a_header_without_a_colon_is_refused_without_quoting_it() {
    let error = parse_header("Bearer eyJhbGciOiJSUzI1NiJ9.secret").unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, Error::Usage(_)), "{error:?}");
    assert!(!text.contains("eyJ") && !text.contains("secret"), "{text}");
    assert!(text.contains("no colon"), "{text}");
}
