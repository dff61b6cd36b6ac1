//! An array of objects with config.toml's connection keys. `serde_json` gives no positions
//! of values, but a borrowed `RawValue` is a slice of the input: its offset there is its
//! place, and an error inside an object is placed from the object's own offset.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{At, RawField, RawRow, Value, check_key, problem};
use crate::error::Error;

pub(super) fn rows(text: &str, file: &Path) -> Result<Vec<RawRow>, Error> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        let at = At {
            line: e.line().max(1),
            column: super::Column::Char(e.column().max(1)),
        };
        let wanted = if e.is_data() {
            "must be an array of objects, one per account: [{\"name\": ..., \"subdomain\": ..., \"client_id\": ...}]".to_owned()
        } else {
            format!("is not valid JSON ({}): fix it here", cause(&e))
        };
        problem(file, &at, "", &wanted)
    })?;
    items
        .into_iter()
        .map(|item| row(text, file, item))
        .collect()
}

/// The error without `serde_json`'s own " at line L column C", which this place replaces.
fn cause(error: &serde_json::Error) -> String {
    let text = error.to_string();
    text.rfind(" at line ")
        .map_or(text.clone(), |at| text[..at].to_owned())
}

fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

fn row(text: &str, file: &Path, item: &RawValue) -> Result<RawRow, Error> {
    let start = offset_in(text, item.get());
    let at = At::of_offset(text, start);
    let Entries(entries) = serde_json::from_str(item.get()).map_err(|_| {
        problem(
            file,
            &at,
            "",
            "is not an object: write one {\"name\": ..., \"subdomain\": ..., \"client_id\": ...} per account",
        )
    })?;
    let mut fields = Vec::with_capacity(entries.len());
    for (key, raw) in entries {
        let key_at = At::of_offset(text, offset_in(text, raw.get()));
        check_key(&key, &key_at, file, "key")?;
        let value = match serde_json::from_str::<serde_json::Value>(raw.get()) {
            Ok(value) => value_of(value),
            Err(_) => Value::Other("unreadable"),
        };
        fields.push(RawField {
            key,
            at: key_at,
            value,
        });
    }
    Ok(RawRow { at, fields })
}

fn value_of(value: serde_json::Value) -> Value {
    use serde_json::Value as Json;
    match value {
        Json::String(text) => Value::Text(text),
        Json::Number(number) => number
            .as_i64()
            .map_or(Value::Other("a fraction"), Value::Integer),
        Json::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Json::String(text) => Some(text),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map_or(Value::Other("a list holding a non-string"), Value::List),
        Json::Bool(_) => Value::Other("a boolean"),
        Json::Null => Value::Other("null"),
        Json::Object(_) => Value::Other("an object"),
    }
}

/// An object's entries in the order written, each value still a slice of the input.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Ordered<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Ordered<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Ordered(PhantomData))
    }
}
