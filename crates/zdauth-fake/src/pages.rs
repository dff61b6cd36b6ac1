//! The few HTML pages a browser sees: authorization errors that cannot be redirected, and the
//! consent page. Everything echoed from a request is escaped.

use std::fmt::Write as _;

use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::options::FakeUser;

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:36em;margin:3em auto}}\
         button{{font-size:1.1em;margin-right:1em}}</style></head>\n<body>{body}</body></html>\n",
        text(title)
    );
    let headers: [(HeaderName, &str); 4] = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    ];
    (status, headers, page).into_response()
}

/// RFC 6749 §4.1.2.1: with an unknown client or an unregistered redirect URI the server must
/// not redirect, or it would be an open redirector; it tells the user instead.
pub(crate) fn authorization_error(detail: &str) -> Response {
    let body = format!(
        "<h1>Invalid authorization request</h1>\n<p>{}</p>\n",
        text(detail)
    );
    html(
        StatusCode::BAD_REQUEST,
        "Invalid authorization request",
        &body,
    )
}

pub(crate) struct ConsentView<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) scopes: &'a [String],
    pub(crate) redirect_uri: &'a str,
    pub(crate) user: &'a FakeUser,
    pub(crate) action: &'a str,
    pub(crate) request_id: &'a str,
}

pub(crate) fn consent(view: &ConsentView<'_>) -> Response {
    let scopes = view.scopes.iter().fold(String::new(), |mut items, scope| {
        // Writing to a String cannot fail.
        let _ = write!(items, "<li><code>{}</code></li>", text(scope));
        items
    });
    let body = format!(
        "<h1>Allow access?</h1>\n\
         <p>The app <strong>{client}</strong> asks to act as <strong>{name}</strong> \
         (<code>{email}</code>) with these scopes:</p>\n<ul>{scopes}</ul>\n\
         <p>You will be sent back to <code>{redirect}</code>.</p>\n\
         <form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>\n",
        client = text(view.client_id),
        name = text(&view.user.name),
        email = text(&view.user.email),
        redirect = text(view.redirect_uri),
        action = attr(view.action),
        request = attr(view.request_id),
    );
    html(StatusCode::OK, "Allow access?", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn consent_escapes_what_it_echoes() {
        let user = FakeUser {
            name: "<script>alert(1)</script>".to_owned(),
            ..FakeUser::default()
        };
        let scopes = vec!["read\"><b>".to_owned()];
        let response = consent(&ConsentView {
            client_id: "<img src=x>",
            scopes: &scopes,
            redirect_uri: "http://127.0.0.1/cb?a=<b>",
            user: &user,
            action: "/x",
            request_id: "\"onclick=",
        });
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let page = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(!page.contains("<script>"));
        assert!(!page.contains("<img"));
        assert!(!page.contains("<b>"));
        assert!(!page.contains("\"onclick="));
    }
}
