//! `[[connection]]` tables with config.toml's keys; toml's spans give each key's place.

use std::path::Path;

use ::toml::Spanned;
use ::toml::de::{DeTable, DeValue};

use super::{At, RawField, RawRow, Value, check_key, problem};
use crate::error::{Error, quote};

pub(super) fn rows(text: &str, file: &Path) -> Result<Vec<RawRow>, Error> {
    let document = DeTable::parse(text).map_err(|e| {
        let at = At::of_offset(text, e.span().map_or(0, |s| s.start));
        // The parser's words may quote the file's text: shown fit for a terminal, cut.
        let message = crate::text::display(e.message());
        let message: String = message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(200)
            .collect();
        problem(
            file,
            &at,
            "",
            &format!("is not valid TOML ({message}): fix this line"),
        )
    })?;
    let mut rows = Vec::new();
    for (key, value) in document.get_ref() {
        let at = At::of_offset(text, key.span().start);
        if key.get_ref() != "connection" {
            return Err(problem(
                file,
                &at,
                key.get_ref(),
                &format!(
                    "{} is not for an import file, which holds only [[connection]] tables: remove it",
                    quote(key.get_ref())
                ),
            ));
        }
        let Some(tables) = value.get_ref().as_array() else {
            return Err(problem(
                file,
                &at,
                "connection",
                "must be [[connection]] tables: write one [[connection]] per account",
            ));
        };
        for table in tables {
            rows.push(row(text, file, table)?);
        }
    }
    Ok(rows)
}

fn row(text: &str, file: &Path, table: &Spanned<DeValue<'_>>) -> Result<RawRow, Error> {
    let at = At::of_offset(text, table.span().start);
    let Some(entries) = table.get_ref().as_table() else {
        return Err(problem(
            file,
            &at,
            "connection",
            "must be [[connection]] tables: write one [[connection]] per account",
        ));
    };
    // toml keeps a table's keys sorted: put them back in the order written, so the first
    // problem reported is the first in the file.
    let mut entries: Vec<_> = entries.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    let mut fields = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let key_at = At::of_offset(text, key.span().start);
        check_key(key.get_ref(), &key_at, file, "key")?;
        fields.push(RawField {
            key: key.get_ref().to_string(),
            at: key_at,
            value: value_of(value.get_ref()),
        });
    }
    Ok(RawRow { at, fields })
}

fn value_of(value: &DeValue<'_>) -> Value {
    match value {
        DeValue::String(text) => Value::Text(text.to_string()),
        DeValue::Integer(number) => {
            i64::from_str_radix(&number.as_str().replace('_', ""), number.radix())
                .map_or(Value::Other("a number out of range"), Value::Integer)
        }
        DeValue::Array(items) => items
            .iter()
            .map(|item| item.get_ref().as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map_or(Value::Other("a list holding a non-string"), Value::List),
        DeValue::Float(_) => Value::Other("a fraction"),
        DeValue::Boolean(_) => Value::Other("a boolean"),
        DeValue::Datetime(_) => Value::Other("a date"),
        DeValue::Table(_) => Value::Other("a table"),
    }
}
