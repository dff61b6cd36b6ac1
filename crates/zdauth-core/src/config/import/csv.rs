//! CSV with a header row; a cell's position is its line and its column's header.

use std::path::Path;

use super::{At, Column, RawField, RawRow, Value, check_key, problem};
use crate::error::Error;

pub(super) fn rows(text: &str, file: &Path) -> Result<Vec<RawRow>, Error> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(::csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| syntax(file, &e))?;
    let header_line = header.position().map_or(1, |p| line_of(p.line()));
    let headers: Vec<String> = header.iter().map(str::to_ascii_lowercase).collect();
    for (index, key) in headers.iter().enumerate() {
        let at = At {
            line: header_line,
            column: Column::Named(key.clone()),
        };
        if key.is_empty() {
            return Err(problem(
                file,
                &At {
                    line: header_line,
                    column: Column::Named(format!("#{}", index + 1)),
                },
                "",
                "has no name: the header row names every column",
            ));
        }
        check_key(key, &at, file, "column")?;
        if headers[..index].contains(key) {
            return Err(problem(file, &at, "", "is in the header twice: keep one"));
        }
    }
    for required in super::REQUIRED {
        if !headers.iter().any(|h| h == required) {
            return Err(problem(
                file,
                &At {
                    line: header_line,
                    column: Column::Named(required.to_owned()),
                },
                "",
                &format!(
                    "is not in the header: the first row must name at least {}",
                    super::REQUIRED.join(", ")
                ),
            ));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| syntax(file, &e))?;
        let line = record.position().map_or(0, |p| line_of(p.line()));
        let fields = headers
            .iter()
            .zip(record.iter())
            .map(|(key, cell)| RawField {
                key: key.clone(),
                at: At {
                    line,
                    column: Column::Named(key.clone()),
                },
                value: Value::Text(cell.to_owned()),
            })
            .collect();
        rows.push(RawRow {
            at: At {
                line,
                column: Column::Named(headers[0].clone()),
            },
            fields,
        });
    }
    Ok(rows)
}

/// A CSV the reader cannot take: a row of the wrong length, bytes that are not UTF-8.
fn syntax(file: &Path, error: &::csv::Error) -> Error {
    let line = error.position().map_or(1, |p| line_of(p.line()));
    let message = match error.kind() {
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "this row has {len} cells, the header {expected_len}: give every row the header's columns (leave a cell empty for the default)"
        ),
        ::csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text: save the file as UTF-8".into(),
        _ => "is not CSV the reader can take: check the quoting on this line".into(),
    };
    Error::Usage(format!(
        "{}:{line}: {message}; nothing was imported",
        file.display()
    ))
}

fn line_of(line: u64) -> usize {
    usize::try_from(line).unwrap_or(usize::MAX)
}
