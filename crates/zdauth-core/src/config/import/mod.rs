//! `zdauth import`: connections described in a CSV, TOML or JSON file, each row checked by
//! the rules of `add` ([`ConnectionInput`]), every problem named by its line and column.
//! The file never holds a secret: a column or key that looks like one is refused.

mod csv;
mod json;
#[cfg(test)]
mod tests;
mod toml;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::{Connection, ConnectionInput, DEFAULT_REDIRECT_PORT, Field};
use crate::error::{Error, quote};
use crate::safe_file::{self, Limit, Links};

/// 4 MiB holds tens of thousands of rows; a bigger file is not a list of accounts.
const IMPORT_LIMIT: Limit = Limit {
    bytes: 4 * 1024 * 1024,
    what: "an import file",
};

const REQUIRED: [&str; 3] = ["name", "subdomain", "client_id"];
const OPTIONAL: [&str; 8] = [
    "scopes",
    "redirect_port",
    "kind",
    "grant",
    "tags",
    "base_url",
    "access_token_lifetime",
    "refresh_token_lifetime",
];

/// One connection read from the file, and where its row starts.
#[derive(Debug, Clone)]
pub struct Imported {
    pub connection: Connection,
    pub at: At,
}

/// A place in the import file: a line and a column, the column being a character position
/// (TOML, JSON) or a CSV column's header name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub line: usize,
    pub column: Column,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// 1-based, in characters.
    Char(usize),
    /// A CSV column, by its header.
    Named(String),
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Column::Char(column) => write!(f, "{}:{column}", self.line),
            Column::Named(name) => write!(f, "{}: column {}", self.line, quote(name)),
        }
    }
}

impl At {
    /// The place of byte `offset` of `text`.
    pub(super) fn of_offset(text: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: Column::Char(before[line_start..].chars().count() + 1),
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// A value as a format gives it, before the rules of `add` see it.
#[derive(Debug, Clone)]
pub(super) enum Value {
    Text(String),
    List(Vec<String>),
    Integer(i64),
    /// Anything else, by its type's name ("a boolean"), to refuse.
    Other(&'static str),
}

#[derive(Debug, Clone)]
pub(super) struct RawField {
    pub(super) key: String,
    /// Where the key is written: the place an error about it points at.
    pub(super) at: At,
    pub(super) value: Value,
}

/// One connection's keys in the order written.
#[derive(Debug, Clone)]
pub(super) struct RawRow {
    pub(super) at: At,
    pub(super) fields: Vec<RawField>,
}

/// An import file's problem, at its place: `FILE:LINE:COLUMN: KEY: what to do`.
pub(super) fn problem(file: &Path, at: &At, key: &str, message: &str) -> Error {
    let key = if key.is_empty() || matches!(&at.column, Column::Named(k) if k == key) {
        String::new()
    } else if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && key.len() <= 40 {
        format!("{key}: ")
    } else {
        // A key from the file: escaped and cut, like any text the user wrote.
        format!("{}: ", quote(key))
    };
    Error::Usage(format!(
        "{}:{at}: {key}{message}; nothing was imported",
        file.display()
    ))
}

/// Reads `file` (by its extension: .csv, .toml or .json) and checks every row; the first
/// problem found is the error, and nothing is returned without every row being good.
pub fn read(file: &Path) -> Result<Vec<Imported>, Error> {
    let text = safe_file::read_text(file, Links::Follow, IMPORT_LIMIT)?.ok_or_else(|| {
        Error::Usage(format!(
            "{} does not exist: check the path of the file to import",
            file.display()
        ))
    })?;
    parse(&text, file)
}

/// [`read`] on text already read; `file` names it in errors and picks the format.
pub fn parse(text: &str, file: &Path) -> Result<Vec<Imported>, Error> {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let rows = match extension.as_deref() {
        Some("csv") => csv::rows(text, file)?,
        Some("toml") => toml::rows(text, file)?,
        Some("json") => json::rows(text, file)?,
        _ => {
            return Err(Error::Usage(format!(
                "{}: cannot tell the format: name the file .csv, .toml or .json",
                file.display()
            )));
        }
    };
    if rows.is_empty() {
        return Err(Error::Usage(format!(
            "{} holds no connections: add a row per account (name, subdomain, client_id)",
            file.display()
        )));
    }
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut imported = Vec::with_capacity(rows.len());
    for row in &rows {
        let connection = check_row(row, file)?;
        if let Some(line) = seen.insert(connection.name.clone(), row.at.line) {
            let at = place_of(row, "name");
            return Err(problem(
                file,
                &at,
                "name",
                &format!(
                    "{} is also the name on line {line}: names must be unique",
                    quote(&connection.name)
                ),
            ));
        }
        imported.push(Imported {
            connection,
            at: row.at.clone(),
        });
    }
    Ok(imported)
}

/// The place of `key` in `row`, or the row's own when the key is not there.
pub(super) fn place_of(row: &RawRow, key: &str) -> At {
    row.fields
        .iter()
        .find(|f| f.key == key)
        .map_or_else(|| row.at.clone(), |f| f.at.clone())
}

/// Refuses a key that is not a connection's, or that looks like it would hold a secret.
pub(super) fn check_key(key: &str, at: &At, file: &Path, column: &str) -> Result<(), Error> {
    if REQUIRED.contains(&key) || OPTIONAL.contains(&key) {
        return Ok(());
    }
    let lower = key.to_ascii_lowercase();
    let secret = ["secret", "token", "password", "passwd", "api_key", "apikey"]
        .iter()
        .any(|word| lower.contains(word));
    let message = if secret {
        format!(
            "secrets never go in an import file: delete this {column} and its values, import, then store each secret with `zdauth edit NAME --secret-stdin`"
        )
    } else {
        format!(
            "{} is not a connection key: use {} (and optionally {})",
            quote(key),
            REQUIRED.join(", "),
            OPTIONAL.join(", ")
        )
    };
    Err(problem(file, at, key, &message))
}

/// The row through the rules of `add`; an error points at the key it is about.
fn check_row(row: &RawRow, file: &Path) -> Result<Connection, Error> {
    let mut texts: HashMap<&str, (String, &At)> = HashMap::new();
    for field in &row.fields {
        let text = match (&field.value, field.key.as_str()) {
            (Value::Text(text), _) => text.clone(),
            (Value::List(items), "scopes" | "tags") => {
                if let Some(item) = items
                    .iter()
                    .find(|i| i.is_empty() || i.contains([' ', ',']))
                {
                    return Err(problem(
                        file,
                        &field.at,
                        &field.key,
                        &format!("{} is not one word: write one per item", quote(item)),
                    ));
                }
                items.join(" ")
            }
            (Value::Integer(number), "redirect_port") => number.to_string(),
            (value, key) => {
                let wanted = match key {
                    "scopes" | "tags" => "a list of strings",
                    "redirect_port" => "a number",
                    _ => "a string",
                };
                let found = match value {
                    Value::List(_) => "a list",
                    Value::Integer(_) => "a number",
                    Value::Other(kind) => kind,
                    Value::Text(_) => unreachable!("matched above"),
                };
                return Err(problem(
                    file,
                    &field.at,
                    key,
                    &format!("is {found}: write {wanted}"),
                ));
            }
        };
        if texts
            .insert(field.key.as_str(), (text, &field.at))
            .is_some()
        {
            return Err(problem(
                file,
                &field.at,
                &field.key,
                "is given twice in this row: keep one",
            ));
        }
    }
    for key in REQUIRED {
        if texts.get(key).is_none_or(|(t, _)| t.trim().is_empty()) {
            return Err(problem(
                file,
                &place_of(row, key),
                key,
                &format!(
                    "is missing or empty: every row needs {}",
                    REQUIRED.join(", ")
                ),
            ));
        }
    }
    let get = |key: &str| {
        texts
            .get(key)
            .map(|(t, _)| t.as_str())
            .filter(|t| !t.trim().is_empty())
    };
    let kind = get("kind");
    // Unknown kinds are reported by the check; the scopes then default as for support.
    let default_scopes = super::Kind::parse(kind.unwrap_or("support"))
        .unwrap_or(super::Kind::Support)
        .default_scopes()
        .join(" ");
    let port = DEFAULT_REDIRECT_PORT.to_string();
    let input = ConnectionInput {
        name: get("name").unwrap_or_default(),
        subdomain: get("subdomain").unwrap_or_default(),
        client_id: get("client_id").unwrap_or_default(),
        kind,
        scopes: get("scopes").unwrap_or(&default_scopes),
        redirect_port: get("redirect_port").unwrap_or(&port),
        base_url: get("base_url"),
        access_token_lifetime: get("access_token_lifetime"),
        refresh_token_lifetime: get("refresh_token_lifetime"),
        grant: get("grant"),
        tags: get("tags").unwrap_or_default(),
    };
    input.check().map_err(|errors| {
        let (field, message) = errors.into_iter().next().expect("an error per failure");
        let key = key_of(field);
        problem(file, &place_of(row, key), key, &message)
    })
}

fn key_of(field: Field) -> &'static str {
    match field {
        Field::Name => "name",
        Field::Subdomain => "subdomain",
        Field::ClientId => "client_id",
        Field::Kind => "kind",
        Field::Scopes => "scopes",
        Field::RedirectPort => "redirect_port",
        Field::BaseUrl => "base_url",
        Field::AccessTokenLifetime => "access_token_lifetime",
        Field::RefreshTokenLifetime => "refresh_token_lifetime",
        Field::Grant => "grant",
        Field::Tags => "tags",
    }
}
