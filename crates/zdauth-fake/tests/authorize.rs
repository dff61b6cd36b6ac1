//! The authorization endpoint: PKCE for public clients, no redirect to an unknown client or
//! an unregistered URI, and the consent page's Allow and Deny.

use reqwest::{StatusCode, header};
use zdauth_fake::{Approval, FakeOptions, FakeZendesk};

use crate::support::{
    CHAT, PUBLIC, REDIRECT, challenge, exchange, get_authorize, http, location, options, start,
    verifier,
};

#[tokio::test]
async fn public_client_without_pkce_is_redirected_with_invalid_request() {
    let fake = start(options()).await;
    for extra in [
        vec![],
        vec![
            ("code_challenge", challenge("x")),
            ("code_challenge_method", "plain".to_owned()),
        ],
    ] {
        let mut query = vec![
            ("response_type", "code".to_owned()),
            ("client_id", PUBLIC.to_owned()),
            ("redirect_uri", REDIRECT.to_owned()),
            ("state", "s1".to_owned()),
        ];
        query.extend(extra);
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = get_authorize(&fake, "/oauth/authorizations/new", &query).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let params = location(&response).1;
        assert_eq!(params["error"], "invalid_request");
        assert_eq!(params["state"], "s1");
        assert!(!params.contains_key("code"));
    }
    let response = get_authorize(
        &fake,
        "/oauth/authorizations/new",
        &[
            ("response_type", "token"),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    let params = location(&response).1;
    assert_eq!(params["error"], "unsupported_response_type");
    assert!(!params.contains_key("state"), "no state sent, none echoed");
}

#[tokio::test]
async fn unknown_client_or_unregistered_redirect_gets_a_page_not_a_redirect() {
    let fake = start(options()).await;
    let cases = [
        [("client_id", "nobody"), ("redirect_uri", REDIRECT)],
        [
            ("client_id", PUBLIC),
            ("redirect_uri", "http://127.0.0.1:8766/callback"),
        ],
        [
            ("client_id", PUBLIC),
            ("redirect_uri", "http://127.0.0.1:8765/callback/"),
        ],
        [("client_id", CHAT), ("redirect_uri", REDIRECT)],
    ];
    for case in cases {
        let mut query = vec![("response_type", "code"), ("state", "s")];
        query.extend(case);
        let response = get_authorize(&fake, "/oauth/authorizations/new", &query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case:?}");
        assert!(response.headers().get(header::LOCATION).is_none());
        let page = response.text().await.expect("a page");
        assert!(page.contains("Invalid authorization request"));
    }
}

async fn consent_page(fake: &FakeZendesk, v: &str) -> (String, String) {
    let response = get_authorize(
        fake,
        "/oauth/authorizations/new",
        &[
            ("response_type", "code"),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
            ("state", "<st>"),
            ("scope", "read <b>x</b>"),
            ("code_challenge", &challenge(v)),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("HTML");
    assert!(page.contains("Allow") && page.contains("Deny"));
    assert!(!page.contains("<b>x</b>"), "echoed scope is escaped");
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("form action")
        .to_owned();
    let request = page
        .split("name=\"request\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("request id")
        .to_owned();
    (action, request)
}

#[tokio::test]
async fn consent_page_allow_and_deny() {
    let fake = start(FakeOptions {
        approval: Approval::Consent,
        ..options()
    })
    .await;
    let v = verifier();
    let (action, request) = consent_page(&fake, &v).await;
    let decide = |request: String, decision: &'static str| {
        let url = format!("{}{action}", fake.base_url());
        async move {
            http()
                .post(url)
                .form(&[("request", request.as_str()), ("decision", decision)])
                .send()
                .await
                .expect("answers")
        }
    };
    let response = decide(request.clone(), "allow").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let params = location(&response).1;
    assert_eq!(params["state"], "<st>");
    let (status, tokens) = exchange(&fake, &params["code"], &v).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(tokens["scope"], "read <b>x</b>");
    let response = decide(request, "allow").await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "a consent is answered once"
    );

    let (_, request) = consent_page(&fake, &v).await;
    let response = decide(request, "deny").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let params = location(&response).1;
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "<st>");
}
