//! The success body of a token request, as Zendesk sends it: `expires_in` only when the
//! request asked for a lifetime (then the one granted), `refresh_token_expires_in` beside every
//! refresh token, status 201. Test knobs (feature `testing`) may leave fields out or replace them after the fact.

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::errors::OAuthError;
use crate::state::State;

pub(crate) fn success(state: &State, grant_id: &str, asked_expires_in: bool) -> Response {
    let Some(grant) = state.grants.get(grant_id) else {
        return OAuthError::invalid_grant("The grant disappeared").into_response();
    };
    let pair = &grant.pair;
    let options = &state.options;
    let mut body = Map::new();
    body.insert("access_token".into(), json!(pair.access_token));
    body.insert("token_type".into(), json!("bearer"));
    body.insert("scope".into(), json!(grant.scopes.join(" ")));
    if asked_expires_in && options.answers_expires_in() {
        body.insert("expires_in".into(), json!(pair.lifetimes.access_secs));
    }
    if let Some(refresh_token) = &pair.refresh_token {
        body.insert("refresh_token".into(), json!(refresh_token));
        if options.answers_refresh_expires_in() {
            body.insert(
                "refresh_token_expires_in".into(),
                json!(pair.lifetimes.refresh_secs),
            );
        }
    }
    options.rewrite_answer(&mut body);
    (
        options.success_code(),
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(Value::Object(body)),
    )
        .into_response()
}
