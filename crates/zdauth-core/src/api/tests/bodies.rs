//! Answer bodies as handed on: JSON as sent, null for nothing, text as a string; the access
//! token sent taken out whole, in any encoding, and nothing else touched.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::harness::{Harness, Seen, Server, access_token, get, json as answer};

async fn harness(script: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static) -> Harness {
    Harness::new(1, 4, Server::start(Duration::ZERO, script).await)
}

#[tokio::test]
async fn the_token_sent_is_redacted_whole_in_any_encoding_and_said() {
    let h = harness(|seen, n| {
        let token = seen.bearer().trim_start_matches("Bearer ").to_owned();
        let escaped = format!("\\u0063{}", &token[1..]);
        match n {
            0 => answer(
                200,
                &json!({"echo": seen.bearer(), "nested": [{"k": token.clone()}], token.clone(): 1}),
            ),
            1 => format!("<html>{token}</html>").into_response(),
            2 => answer(
                200,
                &json!({"upper": token.to_ascii_uppercase(), "b64": STANDARD.encode(&token)}),
            ),
            3 => format!(
                r#"{{"escaped": "{escaped}", "percent": "%63{}"}}"#,
                &token[1..]
            )
            .into_response(),
            _ => "".into_response(),
        }
    })
    .await;
    let token = access_token("c0");
    for n in 0..4 {
        let (outcome, pages) = h.run(&get("x.json")).await;
        outcome.unwrap();
        let text = pages[0].body.to_string();
        assert!(!text.contains(&token[1..]), "answer {n}: {text}");
        assert!(text.contains("[redacted]"), "answer {n}: {text}");
        assert!(pages[0].redacted, "answer {n}");
    }
    let (_, pages) = h.run(&get("x.json")).await;
    assert_eq!((&pages[0].body, pages[0].redacted), (&Value::Null, false));
}

/// Every Zendesk access token is a JWT with the same header; another token of the account,
/// or a piece of the one sent, is data, handed on as Zendesk sent it.
#[tokio::test]
async fn another_token_with_the_same_head_or_a_piece_of_the_one_sent_is_left_as_is() {
    let body = |token: &str| {
        json!({
            "tokens": [
                {"id": 1, "token": format!("{}OtherSignature", &token[..20])},
                {"id": 2, "token": format!("x{}", &token[1..token.len() - 1])},
                {"id": 3, "head": &token[..12], "tail": &token[token.len() - 12..]},
            ]
        })
    };
    let h = harness(move |seen, _| {
        let token = seen.bearer().trim_start_matches("Bearer ").to_owned();
        answer(200, &body(&token))
    })
    .await;
    let (outcome, pages) = h.run(&get("oauth/tokens.json")).await;
    outcome.unwrap();
    assert_eq!(pages[0].body, body(&access_token("c0")));
    assert!(!pages[0].redacted);
}

#[tokio::test]
async fn the_body_a_json_answer_holds_is_handed_on_as_json() {
    let h =
        harness(|_, _| answer(200, &json!({"users": [{"id": 12_345_678, "name": "Ann"}]}))).await;
    let (_, pages) = h.run(&get("users.json")).await;
    assert_eq!(
        pages[0].body,
        json!({"users": [{"id": 12_345_678, "name": "Ann"}]})
    );
    let text = harness(|_, _| "not json".into_response()).await;
    let (_, pages) = text.run(&get("x")).await;
    assert_eq!(pages[0].body, json!("not json"));
}
