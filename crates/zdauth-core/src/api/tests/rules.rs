//! What is refused before anything is sent: targets off the connection's origin, headers the
//! transport owns, bodies and pagination where they do not belong.

use std::time::Duration;

use super::harness::{Harness, Server, get, json};
use crate::api::{ApiRequest, parse_header};
use crate::config::Connection;
use crate::error::{Error, ErrorClass};

use crate::config::acme_with as connection;

fn url(connection: &Connection, target: &str) -> Result<String, Error> {
    get(target).url_for(connection).map(|u| u.to_string())
}

#[test]
fn paths_go_below_the_base_or_the_api_base_and_keep_their_query() {
    let acme = connection("");
    for (target, expected) in [
        (
            "/api/v2/users/me.json",
            "https://acme.zendesk.com/api/v2/users/me.json",
        ),
        (
            "users/me.json",
            "https://acme.zendesk.com/api/v2/users/me.json",
        ),
        (
            "search.json?query=type:ticket status<solved",
            "https://acme.zendesk.com/api/v2/search.json?query=type:ticket%20status%3Csolved",
        ),
        (
            "users/search.json?query=bob@example.com",
            "https://acme.zendesk.com/api/v2/users/search.json?query=bob@example.com",
        ),
        (
            "https://ACME.zendesk.com/api/v2/tickets.json?page[size]=2",
            "https://acme.zendesk.com/api/v2/tickets.json?page[size]=2",
        ),
    ] {
        assert_eq!(url(&acme, target).unwrap(), expected, "{target}");
    }
    let prefixed = connection("base_url = \"http://127.0.0.1:4455/zd\"");
    assert_eq!(
        url(&prefixed, "/api/v2/x.json").unwrap(),
        "http://127.0.0.1:4455/zd/api/v2/x.json"
    );
    assert_eq!(
        url(&prefixed, "users.json").unwrap(),
        "http://127.0.0.1:4455/zd/api/v2/users.json"
    );
}

#[test]
fn hostile_targets_are_usage_errors() {
    let acme = connection("");
    let prefixed = connection("base_url = \"http://127.0.0.1:4455/zd\"");
    for target in [
        "//evil.com/x",
        "https://evil.com/api/v2",
        "https://acme.zendesk.com.evil.com/",
        "http://acme.zendesk.com/api/v2/users.json",
        "http://acme.zendesk.com:443/api/v2/users.json",
        "https://acme.zendesk.com:8443/api/v2/users.json",
        "https://user@acme.zendesk.com/api/v2/users.json",
        "https://acme.zendesk.com@evil.com/api/v2",
        "https://acme.zendesk.com\\@evil.com/",
        "https:\\\\evil.com/x",
        "/api\\v2/users.json",
        "users/%2e%2e/%2e%2e/x",
        "users/%2E./x",
        "/api/v2/../../x",
        "users/me.json\r\nHost: evil.com",
        "users/me.json\nX: y",
        "users/me.json#frag",
        "users/me@evil.com/x",
        "ftp://acme.zendesk.com/api/v2",
        "javascript:alert(1)",
        "",
        "   ",
    ] {
        let refused = url(&acme, target);
        assert!(
            matches!(&refused, Err(Error::Usage(text)) if text.starts_with("acme: ")),
            "{target:?} gave {refused:?}"
        );
    }
    for target in [
        "/../x",
        "%2e%2e/%2e%2e/%2e%2e/x",
        "http://127.0.0.1:4456/zd/api/v2",
    ] {
        assert!(url(&prefixed, target).is_err(), "{target:?}");
    }
}

/// The connection has no token at all: a usage error, not "needs a login", shows the target
/// was refused before any token was looked for; and nothing reached the server.
#[tokio::test]
async fn a_refused_target_is_refused_before_any_token_is_read() {
    let server = Server::start(Duration::ZERO, |_, _| json(200, &serde_json::json!({}))).await;
    let harness = Harness::with_tokens(1, 4, server, false);
    let (outcome, pages) = harness
        .run(&get("https://evil.com/api/v2/users.json"))
        .await;
    let error = outcome.unwrap_err();
    assert_eq!(error.class(), ErrorClass::Usage, "{error}");
    assert!(pages.is_empty());
    assert_eq!(harness.server.requests(), 0);
    // The same connection with a fine target does reach the token check.
    let (outcome, _) = harness.run(&get("users/me.json")).await;
    assert_eq!(outcome.unwrap_err().class(), ErrorClass::LoginRequired);
}

#[test]
fn headers_the_transport_owns_are_refused() {
    for line in [
        "Authorization: Bearer x",
        "authorization: Basic eDp5",
        "Proxy-Authorization: x",
        "Host: evil.com",
        "Content-Length: 5",
        "Transfer-Encoding: chunked",
        "Connection: close",
        "Cookie: a=b",
        "X-Ok: a\r\nHost: evil.com",
        "X-Ok: a\nB: c",
        "Bad Name: x",
        ": x",
        "NoColon",
    ] {
        let refused = parse_header(line);
        assert!(
            matches!(refused, Err(Error::Usage(_))),
            "{line:?}: {refused:?}"
        );
        // The same pair, already split, is refused by check() too.
        if let Some((name, value)) = line.split_once(':') {
            let request = ApiRequest {
                headers: vec![(name.into(), value.into())],
                ..get("users.json")
            };
            assert!(request.check().is_err(), "{line:?} passed check");
        }
    }
    assert_eq!(
        parse_header("X-On-Behalf-Of:  5 ").unwrap(),
        ("X-On-Behalf-Of".into(), "5".into())
    );
    assert!(parse_header("Accept: text/csv").is_ok());
}

#[test]
fn methods_bodies_and_pagination_are_checked() {
    let body = Some(b"{}".to_vec());
    let refused = [
        ApiRequest {
            method: "TRACE".into(),
            ..get("x.json")
        },
        ApiRequest {
            method: "GET".into(),
            body: body.clone(),
            ..get("x.json")
        },
        ApiRequest {
            method: "HEAD".into(),
            body: body.clone(),
            ..get("x.json")
        },
        ApiRequest {
            method: "POST".into(),
            paginate: true,
            ..get("x.json")
        },
        ApiRequest {
            body: body.clone(),
            paginate: true,
            ..get("x.json")
        },
        ApiRequest {
            paginate: true,
            max_pages: 0,
            ..get("x.json")
        },
        ApiRequest {
            paginate: true,
            max_pages: 100_001,
            ..get("x.json")
        },
        ApiRequest {
            body: Some(vec![b' '; crate::api::MAX_BODY + 1]),
            ..get("x.json")
        },
        get(""),
    ];
    for request in refused {
        let result = request.check();
        assert!(matches!(result, Err(Error::Usage(_))), "{request:?}");
    }
    for fine in [
        get("x.json"),
        ApiRequest {
            body: body.clone(),
            ..get("x.json")
        },
        ApiRequest {
            method: "delete".into(),
            ..get("x.json")
        },
        ApiRequest {
            paginate: true,
            ..get("x.json")
        },
    ] {
        fine.check().unwrap();
    }
    let post = ApiRequest {
        body,
        ..get("x.json")
    };
    assert_eq!(post.method().unwrap(), reqwest::Method::POST);
}

/// Accept and Content-Type default to JSON; a given one replaces the default.
#[tokio::test]
async fn json_headers_are_sent_unless_given() {
    let server = Server::start(Duration::ZERO, |_, _| json(200, &serde_json::json!({}))).await;
    let harness = Harness::new(1, 4, server);
    let body = Some(br#"{"a":1}"#.to_vec());
    harness
        .run(&ApiRequest {
            body: body.clone(),
            ..get("x.json")
        })
        .await
        .0
        .unwrap();
    let given = vec![
        ("Accept".to_owned(), "text/csv".to_owned()),
        (
            "Content-Type".to_owned(),
            "application/merge-patch+json".to_owned(),
        ),
        ("X-Extra".to_owned(), "yes".to_owned()),
    ];
    harness
        .run(&ApiRequest {
            body,
            headers: given,
            method: "PATCH".into(),
            ..get("x.json")
        })
        .await
        .0
        .unwrap();
    let seen = harness.server.seen();
    let values = |n: usize, name: &str| -> Vec<String> {
        seen[n]
            .headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(seen[0].method, "POST");
    assert_eq!(values(0, "accept"), ["application/json"]);
    assert_eq!(values(0, "content-type"), ["application/json"]);
    assert_eq!(seen[0].body, br#"{"a":1}"#);
    assert_eq!(seen[1].method, "PATCH");
    assert_eq!(values(1, "accept"), ["text/csv"]);
    assert_eq!(values(1, "content-type"), ["application/merge-patch+json"]);
    assert_eq!(values(1, "x-extra"), ["yes"]);
    assert_eq!(
        seen[1].bearer(),
        format!("Bearer {}", super::harness::access_token("c0"))
    );
}
