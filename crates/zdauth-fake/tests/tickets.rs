//! Ticket bodies echoed: what `zdauth api -f` and `--input` send comes back with an id, and a
//! body Zendesk cannot take gets Zendesk's 400 or 422.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{PUBLIC, call, options, start};

const JSON: &str = "application/json";

#[tokio::test]
async fn created_and_updated_tickets_echo_what_was_sent() {
    let fake = start(options()).await;
    let token = fake.issue_grant(PUBLIC, &["read", "write"]).access_token;
    let sent = json!({ "ticket": {
        "subject": "Printer on fire",
        "priority": "urgent",
        "tags": ["a", "b"],
        "comment": { "body": "The smoke is very colorful." },
    }})
    .to_string();
    let post = |body: String| {
        let fake = &fake;
        let token = token.clone();
        async move {
            let body = Some((JSON, body.as_str()));
            call(
                fake,
                Method::POST,
                "/api/v2/tickets.json",
                Some(&token),
                body,
            )
            .await
        }
    };
    let made = post(sent.clone()).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let ticket = &made.json()["ticket"];
    assert_eq!(ticket["subject"], "Printer on fire");
    assert_eq!(ticket["tags"], json!(["a", "b"]));
    assert_eq!(ticket["comment"]["body"], "The smoke is very colorful.");
    let id = ticket["id"].as_u64().expect("an id");
    assert_eq!(id, 4, "after the 3 tickets every fake starts with");
    let location = made.header("location").expect("a Location");
    assert_eq!(
        location,
        format!("{}/api/v2/tickets/{id}.json", fake.base_url())
    );
    assert_eq!(post(sent).await.json()["ticket"]["id"], 5);

    let update = Some((JSON, r#"{"ticket":{"status":"solved"}}"#));
    for existing in [1, id] {
        let path = format!("/api/v2/tickets/{existing}.json");
        let put = call(&fake, Method::PUT, &path, Some(&token), update).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text);
        assert_eq!(
            put.json(),
            json!({ "ticket": { "status": "solved", "id": existing } })
        );
    }
    for missing in [
        "/api/v2/tickets/99.json",
        "/api/v2/tickets/0.json",
        "/api/v2/tickets/x.json",
    ] {
        let put = call(&fake, Method::PUT, missing, Some(&token), update).await;
        assert_eq!(put.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(put.json()["error"], "RecordNotFound");
    }
}

#[tokio::test]
async fn bodies_zendesk_cannot_take_are_refused_as_it_refuses_them() {
    let fake = start(options()).await;
    let token = fake.issue_grant(PUBLIC, &["write"]).access_token;
    let send =
        |method: Method, path: &'static str, content_type: &'static str, body: &'static str| {
            let fake = &fake;
            let token = token.clone();
            async move { call(fake, method, path, Some(&token), Some((content_type, body))).await }
        };
    let malformed = send(Method::POST, "/api/v2/tickets.json", JSON, r#"{"ticket":"#).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.json()["error"].is_string());
    let put_malformed = send(Method::PUT, "/api/v2/tickets/1.json", JSON, "nope").await;
    assert_eq!(put_malformed.status, StatusCode::BAD_REQUEST);

    for (method, path, content_type, body) in [
        (
            Method::POST,
            "/api/v2/tickets.json",
            JSON,
            r#"{"subject":"no ticket key"}"#,
        ),
        (
            Method::POST,
            "/api/v2/tickets.json",
            JSON,
            r#"{"ticket":"a string"}"#,
        ),
        (
            Method::POST,
            "/api/v2/tickets.json",
            JSON,
            r#"{"ticket":{"subject":"no comment"}}"#,
        ),
        (
            Method::POST,
            "/api/v2/tickets.json",
            JSON,
            r#"{"ticket":{"comment":{"body":" "}}}"#,
        ),
        (
            Method::PUT,
            "/api/v2/tickets/1.json",
            JSON,
            r#"{"status":"solved"}"#,
        ),
        (
            Method::POST,
            "/api/v2/tickets.json",
            "application/x-www-form-urlencoded",
            "ticket[comment][body]=hi",
        ),
    ] {
        let answer = send(method.clone(), path, content_type, body).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {body}"
        );
        let error = answer.json();
        assert_eq!(error["error"], "RecordInvalid");
        assert_eq!(error["description"], "Record validation errors");
        let blank = &error["details"]["base"][0];
        assert_eq!(blank["error"], "BlankValue", "{error}");
        if method == Method::POST {
            assert_eq!(blank["description"], "Description: cannot be blank");
        }
    }
}
