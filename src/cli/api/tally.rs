//! How each connection's call ended, as stderr and the exit code tell it: one line per
//! failure (`zdauth: NAME: …`), the highest code of any, and with many connections a summary
//! (`38 ok, 1 error, 1 needs login`).

use std::collections::HashMap;

use serde_json::Value;
use zdauth_core::api::{Outcome, Page};
use zdauth_core::error::{Error, ErrorClass};
use zdauth_core::text::display;

use crate::cli::one_line;
use crate::exit;

/// The summary's words, in its order after `ok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ok,
    Error,
    NeedsLogin,
    Network,
    Truncated,
}

#[derive(Default)]
struct Seen {
    last_status: Option<u16>,
    /// What Zendesk said in the last answer, if it was an error status.
    said: String,
    jq_failed: bool,
    redacted: bool,
}

#[derive(Default)]
pub struct Tally {
    seen: HashMap<String, Seen>,
    kinds: Vec<Kind>,
    code: u8,
}

impl Tally {
    pub fn page(&mut self, page: &Page) {
        let seen = self.seen.entry(page.connection.clone()).or_default();
        seen.last_status = Some(page.status);
        if page.redacted && !seen.redacted {
            seen.redacted = true;
            errln!(
                "zdauth: {}: the answer held the access token sent; it was replaced by [redacted]",
                page.connection
            );
        }
        if !(200..300).contains(&page.status) {
            seen.said = said(&page.body);
        }
    }

    /// The filter failed on one of the connection's answers: said once per connection.
    pub fn jq_failed(&mut self, connection: &str, error: &str) {
        let seen = self.seen.entry(connection.to_owned()).or_default();
        if !seen.jq_failed {
            seen.jq_failed = true;
            errln!("zdauth: {connection}: {}", display(error));
        }
    }

    /// The walk of `connection` ended: its line on stderr if it failed.
    pub fn done(&mut self, connection: &str, result: &Result<Outcome, Error>) {
        let seen = self.seen.remove(connection).unwrap_or_default();
        let (kind, code) = match result {
            Err(error) => {
                let text = error.to_string();
                // The engine's messages often start with the name already.
                let text = text
                    .strip_prefix(&format!("{connection}: "))
                    .unwrap_or(&text);
                errln!("zdauth: {connection}: {}", one_line(text));
                match error.class() {
                    // Issue 14: a token refused even after one refresh needs a login too;
                    // the engine files it with Zendesk errors, which `whoami` keeps.
                    _ if matches!(error, Error::TokenRefused { .. }) => {
                        (Kind::NeedsLogin, exit::LOGIN_REQUIRED)
                    }
                    ErrorClass::LoginRequired => (Kind::NeedsLogin, exit::for_error(error)),
                    ErrorClass::ZendeskOrNetwork => (Kind::Network, exit::for_error(error)),
                    _ => (Kind::Error, exit::for_error(error)),
                }
            }
            Ok(Outcome::Truncated { pages }) => {
                errln!(
                    "zdauth: {connection}: stopped after {pages} pages with more to fetch: raise --max-pages"
                );
                (Kind::Truncated, exit::OTHER)
            }
            // Walks are cancelled only once stdout went away, when no end is told any more.
            Ok(Outcome::Done | Outcome::Cancelled) => match seen.last_status {
                Some(status) if !(200..300).contains(&status) => {
                    let said = if seen.said.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", seen.said)
                    };
                    errln!("zdauth: {connection}: the API answered {status}{said}");
                    (Kind::Error, exit::API_ERROR)
                }
                _ if seen.jq_failed => (Kind::Error, exit::OTHER),
                _ => (Kind::Ok, exit::OK),
            },
        };
        self.kinds.push(kind);
        self.code = self.code.max(code);
    }

    pub fn code(&self) -> u8 {
        self.code
    }

    /// `38 ok, 1 error, 1 needs login`: only the parts after `ok` that are not zero.
    pub fn summary(&self) -> String {
        let count = |kind| self.kinds.iter().filter(|&&k| k == kind).count();
        let mut parts = vec![format!("{} ok", count(Kind::Ok))];
        let words = [
            (Kind::Error, "error", "errors"),
            (Kind::NeedsLogin, "needs login", "needs login"),
            (Kind::Network, "network error", "network errors"),
            (Kind::Truncated, "truncated", "truncated"),
        ];
        for (kind, one, many) in words {
            match count(kind) {
                0 => {}
                1 => parts.push(format!("1 {one}")),
                n => parts.push(format!("{n} {many}")),
            }
        }
        parts.join(", ")
    }
}

/// What Zendesk said in an error answer: `{"error", "description"}` (REST), `{"error":
/// {"title", "message"}}`, `{"errors": [{"title", "detail"}]}` (pagination), or OAuth's
/// `error_description`; cleaned and cut short.
fn said(body: &Value) -> String {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let parts: Vec<String> = match body.get("error") {
        Some(Value::Object(error)) => [text(error.get("title")), text(error.get("message"))]
            .into_iter()
            .flatten()
            .collect(),
        Some(Value::String(error)) => {
            let detail = text(body.get("description")).or(text(body.get("error_description")));
            std::iter::once(error.clone()).chain(detail).collect()
        }
        _ => match body.get("errors").and_then(|e| e.get(0)) {
            Some(first) => [text(first.get("title")), text(first.get("detail"))]
                .into_iter()
                .flatten()
                .collect(),
            None => text(body.get("description")).into_iter().collect(),
        },
    };
    cut(&one_line(&parts.join(": ")))
}

/// At most 200 characters, an ellipsis where it was cut: what a server's or jaq's message
/// may quote (the whole answer) stays a line to read.
pub fn cut(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn zendesks_error_shapes_are_said() {
        let rest = json!({"error": "RecordNotFound", "description": "Not found"});
        assert_eq!(said(&rest), "RecordNotFound: Not found");
        let titled =
            json!({"error": {"title": "Forbidden", "message": "You\ndo not\u{1b}[2J have access"}});
        assert_eq!(said(&titled), "Forbidden: You do not have access");
        let oauth = json!({"error": "invalid_token", "error_description": "expired"});
        assert_eq!(said(&oauth), "invalid_token: expired");
        let listed = json!({"errors": [{"code": "X", "title": "Invalid", "detail": "too big"}]});
        assert_eq!(said(&listed), "Invalid: too big");
        assert_eq!(said(&json!("<html>")), "");
        assert_eq!(
            said(&json!({"error": "x".repeat(500)})).chars().count(),
            201
        );
    }

    #[test]
    fn the_summary_counts_only_what_happened() {
        let mut tally = Tally {
            kinds: vec![Kind::Ok; 38],
            ..Tally::default()
        };
        tally.kinds.extend([Kind::Error, Kind::NeedsLogin]);
        assert_eq!(tally.summary(), "38 ok, 1 error, 1 needs login");
        tally
            .kinds
            .extend([Kind::Error, Kind::Network, Kind::Network, Kind::Truncated]);
        assert_eq!(
            tally.summary(),
            "38 ok, 2 errors, 1 needs login, 2 network errors, 1 truncated"
        );
        assert_eq!(Tally::default().summary(), "0 ok");
    }
}
