//! An API answer's body as `zdauth api` hands it on: JSON as sent, an empty body as null, any
//! other text as a JSON string; and nothing of the access token that was sent, whatever the
//! server echoed (checklist item 29: a hostile server or proxy may echo request headers).
//! Only the whole token goes, in any of its encodings: a run it shares with another token is
//! data (every Zendesk access token is a JWT with the same header), and a piece of a JWT
//! without its signature grants nothing.

use serde_json::Value;

use super::redact::Sent;
use crate::secret::Secret;

/// The body as handed on, and whether the token was taken out of it.
pub(crate) fn api_body(body: &[u8], token: &Secret) -> (Value, bool) {
    let sent = Sent::whole([token.expose()]);
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        return (Value::Null, false);
    }
    // The whole text first: one linear pass in the common case, where nothing is found.
    let scrubbed = sent.redact(&text);
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    let redacted = scrubbed != text;
    let value = match parsed {
        None => Value::String(scrubbed),
        Some(value) if !redacted => value,
        Some(value) => match serde_json::from_str(&scrubbed) {
            Ok(value) => value,
            // What was taken out was not all inside strings (say, digits of a number): each
            // string on its own, so the structure stays.
            Err(_) => scrub_strings(value, &sent),
        },
    };
    (value, redacted)
}

fn scrub_strings(value: Value, sent: &Sent<'_>) -> Value {
    match value {
        Value::String(text) => Value::String(sent.redact(&text)),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| scrub_strings(v, sent)).collect())
        }
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, v)| (sent.redact(&key), scrub_strings(v, sent)))
                .collect(),
        ),
        other => other,
    }
}
