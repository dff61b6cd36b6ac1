//! Request parameters from a query string, a form body or a JSON body, as one flat map.
//! Zendesk documents JSON token requests while RFC 6749 clients post forms; both must work.

use std::collections::HashMap;

use serde_json::Value;

#[derive(Default)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    /// RFC 6749 §3.1: a repeated parameter is an error, and an empty one counts as absent.
    pub(crate) fn from_form(bytes: &[u8]) -> Result<Self, String> {
        let mut map = HashMap::new();
        for (key, value) in url::form_urlencoded::parse(bytes) {
            if map.contains_key(key.as_ref()) {
                return Err(format!("parameter {key} is repeated"));
            }
            map.insert(key.into_owned(), value.into_owned());
        }
        map.retain(|_, value| !value.is_empty());
        Ok(Self(map))
    }

    /// Numbers become their decimal text and a list of strings (a scope list) is joined with
    /// spaces, so both body kinds reach the same checks.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(bytes) else {
            return Err("the body is not a JSON object".to_owned());
        };
        let mut map = HashMap::new();
        for (key, value) in object {
            let text = match value {
                Value::Null => continue,
                Value::String(text) => text,
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                Value::Array(items) => {
                    let words: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
                    match words {
                        Some(words) => words.join(" "),
                        None => return Err(format!("parameter {key} has an unusable value")),
                    }
                }
                Value::Object(_) => return Err(format!("parameter {key} has an unusable value")),
            };
            if !text.is_empty() {
                map.insert(key, text);
            }
        }
        Ok(Self(map))
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub(crate) fn scopes(&self) -> Vec<String> {
        self.get("scope")
            .map(|scope| scope.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_rejects_repeats_and_drops_empties() {
        assert!(Params::from_form(b"a=1&a=2").is_err());
        let params = Params::from_form(b"a=&b=x+y%21").unwrap();
        assert_eq!(params.get("a"), None);
        assert_eq!(params.get("b"), Some("x y!"));
    }

    #[test]
    fn json_numbers_and_lists_become_text() {
        let params =
            Params::from_json(br#"{"expires_in":600,"scope":["read","write"],"x":null}"#).unwrap();
        assert_eq!(params.get("expires_in"), Some("600"));
        assert_eq!(params.scopes(), vec!["read", "write"]);
        assert_eq!(params.get("x"), None);
        assert!(Params::from_json(b"[1]").is_err());
        assert!(Params::from_json(b"{").is_err());
    }
}
