//! How answers reach stdout. One connection: the answer's JSON, pretty on a terminal and
//! compact when piped; many: one NDJSON line per answer. On a terminal every string of an
//! answer is cleaned first (JSON escapes C0 controls, not C1 or bidi), so a server's text
//! cannot drive the terminal; piped, the data goes out as it came.

use serde::Serialize;
use serde_json::{Map, Value};
use zdauth_core::api::Page;
use zdauth_core::text::display;

use super::jq::Jq;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One connection picked by a plain name.
    Single,
    /// NDJSON, one line per answer (per result value after `--jq`).
    Many,
}

pub struct Printer {
    pub shape: Shape,
    /// Whether stdout is a terminal.
    pub terminal: bool,
    pub jq: Option<Jq>,
}

/// One NDJSON line, its fields in this order.
#[derive(Serialize)]
struct Line<'a> {
    connection: &'a str,
    subdomain: &'a str,
    status: u16,
    body: &'a Value,
}

impl Printer {
    /// Hands one answer's lines to `emit` (each without its newline), until `emit` returns
    /// false (stdout went away); the filter's error on it, if it failed, for the caller to
    /// report. A filter applies to 2xx answers only: an error answer is printed as Zendesk
    /// sent it, since a filter written for the success shape would only hide what went wrong.
    /// The filter's values go out as jaq yields them.
    pub fn page(&self, page: &Page, emit: &mut dyn FnMut(&str) -> bool) -> Result<(), String> {
        match (&self.jq, self.shape) {
            (Some(jq), shape) if (200..300).contains(&page.status) => {
                jq.run(&page.body, |value| match (shape, value) {
                    (Shape::Single, Value::String(text)) => emit(&self.text(&text)),
                    (Shape::Single, value) => emit(&self.json(&value)),
                    (Shape::Many, value) => emit(&self.line(page, &value)),
                })
            }
            (_, Shape::Single) => {
                emit(&self.json(&page.body));
                Ok(())
            }
            (_, Shape::Many) => {
                emit(&self.line(page, &page.body));
                Ok(())
            }
        }
    }

    fn json(&self, value: &Value) -> String {
        if self.terminal {
            serde_json::to_string_pretty(&clean(value))
        } else {
            serde_json::to_string(value)
        }
        .expect("a JSON value serializes")
    }

    fn text(&self, text: &str) -> String {
        if self.terminal {
            display(text)
        } else {
            text.to_owned()
        }
    }

    fn line(&self, page: &Page, body: &Value) -> String {
        let cleaned;
        let body = if self.terminal {
            cleaned = clean(body);
            &cleaned
        } else {
            body
        };
        serde_json::to_string(&Line {
            connection: &page.connection,
            subdomain: &page.subdomain,
            status: page.status,
            body,
        })
        .expect("a JSON value serializes")
    }
}

/// The value with every string and key fit for a terminal.
pub fn clean(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(display(text)),
        Value::Array(items) => Value::Array(items.iter().map(clean).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, value)| (display(key), clean(value)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cleaning_reaches_every_string_and_key() {
        let hostile =
            json!({"a\u{1b}]52;c;eA==\u{7}": ["x\u{9b}31my", {"k": "\u{202e}evil"}], "n": 1});
        let shown = serde_json::to_string(&clean(&hostile)).unwrap();
        for bad in ['\u{1b}', '\u{9b}', '\u{202e}', '\u{7}'] {
            assert!(!shown.contains(bad), "{shown:?}");
        }
        assert_eq!(
            clean(&json!({"n": [1, true, null]})),
            json!({"n": [1, true, null]})
        );
    }

    #[test]
    fn ndjson_lines_name_the_connection_first() {
        let printer = Printer {
            shape: Shape::Many,
            terminal: false,
            jq: None,
        };
        let page = Page {
            connection: "acme".into(),
            subdomain: "acme".into(),
            status: 200,
            body: json!({"b": 1}),
            redacted: false,
            number: 1,
        };
        assert_eq!(
            printer.line(&page, &page.body),
            r#"{"connection":"acme","subdomain":"acme","status":200,"body":{"b":1}}"#
        );
    }
}
