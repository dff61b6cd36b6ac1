//! A server that echoes the request in its errors, as debugging servers and some proxies do:
//! the raw body, query and headers, secrets and all. zdauth must scrub them before it shows,
//! logs or stores any of it (checklist item 29).

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Token requests are small; anything past this is not echoed.
const MAX_ECHOED: usize = 64 * 1024;

/// The request as one line of text (body first, so that a reader's cut keeps it), and the
/// request rebuilt for the handler.
pub(crate) async fn capture(request: Request) -> (Request, String) {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_ECHOED)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let headers: Vec<String> = parts
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect();
    let echo = format!(
        "request body {} | {} {} | headers {}",
        String::from_utf8_lossy(&bytes),
        parts.method,
        parts.uri,
        headers.join("; ")
    );
    (Request::from_parts(parts, Body::from(bytes)), echo)
}

/// An error answer whose JSON body gets the echo in `error_description`; any other answer
/// goes out as it was.
pub(crate) async fn into_description(response: Response, echo: &str) -> Response {
    if !(response.status().is_client_error() || response.status().is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_ECHOED)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let Ok(serde_json::Value::Object(mut fields)) = serde_json::from_slice(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let said = fields
        .get("error_description")
        .and_then(|d| d.as_str())
        .unwrap_or("error");
    let description = format!("{said}; {echo}");
    fields.insert("error_description".into(), description.into());
    let body = serde_json::to_vec(&fields).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// A plain-text error page that is the request itself.
pub(crate) fn plain(status: u16, echo: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, format!("Internal error while handling {echo}\n")).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
