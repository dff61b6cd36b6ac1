//! Reading a `{"client": {...}}` body as Zendesk does: JSON only, its fields checked, each
//! problem a 422 `RecordInvalid` naming the field.

use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value, json};

use crate::errors::ApiError;

pub(super) fn record_invalid(field: &str, error: &str, description: &str) -> ApiError {
    ApiError::Body(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": { field: [{ "description": description, "error": error }] },
        }),
    )
}

pub(super) fn missing_client() -> ApiError {
    ApiError::Body(
        StatusCode::BAD_REQUEST,
        json!({
            "error": "ParameterMissing",
            "description": "param is missing or the value is empty: client",
        }),
    )
}

/// The `client` object of a JSON body. Zendesk reads a body only as JSON.
pub(super) fn client_of(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().starts_with("application/json"));
    if !json {
        return Err(missing_client());
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        ApiError::Body(
            StatusCode::BAD_REQUEST,
            json!({
                "error": "Unparseable JSON",
                "description": "The request body could not be parsed as JSON",
            }),
        )
    })?;
    match value.get("client") {
        Some(Value::Object(client)) => Ok(client.clone()),
        _ => Err(missing_client()),
    }
}

pub(super) fn text_field<'a>(client: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    client
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// Absolute; https unless the host is `localhost` or `127.0.0.1` (the facts file).
pub(super) fn redirect_uris(client: &Map<String, Value>) -> Result<Option<Vec<String>>, ApiError> {
    let Some(given) = client.get("redirect_uri") else {
        return Ok(None);
    };
    let invalid = || record_invalid("redirect_uri", "InvalidValue", "Redirect URLs: is invalid");
    let uris: Vec<String> = match given {
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(invalid))
            .collect::<Result<_, _>>()?,
        // The Admin Center's text box: one a line.
        Value::String(text) => text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => return Err(invalid()),
    };
    for uri in &uris {
        let url = url::Url::parse(uri).map_err(|_| invalid())?;
        let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(invalid());
        }
    }
    Ok(Some(uris))
}

pub(super) fn kind_is_confidential(client: &Map<String, Value>) -> Result<Option<bool>, ApiError> {
    match client.get("kind").map(|kind| kind.as_str()) {
        None => Ok(None),
        Some(Some("public")) => Ok(Some(false)),
        Some(Some("confidential")) => Ok(Some(true)),
        Some(_) => Err(record_invalid(
            "kind",
            "InvalidValue",
            "Client kind: is invalid",
        )),
    }
}
