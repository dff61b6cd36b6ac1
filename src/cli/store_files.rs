//! `zdauth store list --format toml|csv|json`: the store's connections as a file that
//! `zdauth import` takes, so another machine can add the same list. Only public fields: the
//! descriptors hold no secret, and the import refuses any key that looks like one.

use std::path::Path;

use serde::Serialize;

use zdauth_core::config::import;
use zdauth_core::store::Descriptor;

use super::store_args::StoreListFormat;

/// One `[[connection]]` (or CSV row, or JSON object), with import's keys.
#[derive(Debug, Serialize)]
struct Row<'a> {
    name: &'a str,
    subdomain: &'a str,
    client_id: &'a str,
    kind: &'a str,
    grant: &'a str,
    scopes: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<&'a str>,
}

impl<'a> Row<'a> {
    fn of(descriptor: &'a Descriptor) -> Self {
        Self {
            name: &descriptor.name,
            subdomain: &descriptor.subdomain,
            client_id: &descriptor.client_id,
            kind: &descriptor.kind,
            grant: &descriptor.grant,
            scopes: &descriptor.scopes,
            tags: &descriptor.tags,
            base_url: descriptor.base_url.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct TomlFile<'a> {
    connection: Vec<Row<'a>>,
}

/// The file for `descriptors`, in `format` (not `Table`).
pub fn render(descriptors: &[&Descriptor], format: StoreListFormat) -> String {
    let rows: Vec<Row> = descriptors.iter().map(|d| Row::of(d)).collect();
    match format {
        StoreListFormat::Toml if rows.is_empty() => String::new(),
        StoreListFormat::Toml => {
            toml::to_string(&TomlFile { connection: rows }).unwrap_or_default()
        }
        StoreListFormat::Json => {
            let mut text = serde_json::to_string_pretty(&rows).unwrap_or_default();
            text.push('\n');
            text
        }
        StoreListFormat::Csv | StoreListFormat::Table => csv(&rows),
    }
}

/// Why `zdauth import` would refuse `descriptor` (a member's machine wrote it, and a value this
/// zdauth does not take would fail the whole import), or `None` when it takes it.
pub fn refused(descriptor: &Descriptor, format: StoreListFormat) -> Option<String> {
    let text = render(&[descriptor], format);
    let file = Path::new(match format {
        StoreListFormat::Toml => "store.toml",
        StoreListFormat::Json => "store.json",
        StoreListFormat::Csv | StoreListFormat::Table => "store.csv",
    });
    match import::parse(&text, file) {
        Ok(rows) if rows.len() == 1 && rows[0].connection.name == descriptor.name => None,
        Ok(_) => Some("it does not read back as one connection".into()),
        Err(e) => Some(e.to_string()),
    }
}

const HEADER: [&str; 8] = [
    "name",
    "subdomain",
    "client_id",
    "kind",
    "grant",
    "scopes",
    "tags",
    "base_url",
];

fn csv(rows: &[Row]) -> String {
    let mut text = HEADER.join(",");
    text.push('\n');
    for row in rows {
        let cells = [
            row.name.to_owned(),
            row.subdomain.to_owned(),
            row.client_id.to_owned(),
            row.kind.to_owned(),
            row.grant.to_owned(),
            row.scopes.join(" "),
            row.tags.join(" "),
            row.base_url.unwrap_or_default().to_owned(),
        ];
        let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// Quoted when the reader would otherwise split, trim or drop it.
fn cell(value: &str) -> String {
    let plain = !value.contains([',', '"', '\n', '\r', '#']) && value.trim() == value;
    if plain {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(name: &str) -> Descriptor {
        Descriptor {
            name: name.to_owned(),
            subdomain: format!("{name}-co"),
            client_id: "zdauth_client".into(),
            kind: "support".into(),
            base_url: None,
            grant: "authorization_code".into(),
            scopes: vec!["read".into(), "write".into()],
            tags: vec![],
        }
    }

    fn team() -> Vec<Descriptor> {
        let mut chat = descriptor("chatty");
        chat.kind = "chat".into();
        chat.scopes = vec!["read".into(), "write".into(), "chat".into()];
        chat.tags = vec!["prod".into(), "eu".into()];
        let mut local = descriptor("local");
        local.base_url = Some("http://127.0.0.1:8080".into());
        local.grant = "client_credentials".into();
        local.client_id = "a,\"quoted\"#id".into();
        vec![descriptor("acme"), chat, local]
    }

    /// What the store lists, imported on another machine, is the same connections.
    #[test]
    fn every_format_reads_back_through_import() {
        let team = team();
        let all: Vec<&Descriptor> = team.iter().collect();
        for (format, file) in [
            (StoreListFormat::Toml, "team.toml"),
            (StoreListFormat::Csv, "team.csv"),
            (StoreListFormat::Json, "team.json"),
        ] {
            let text = render(&all, format);
            let rows = import::parse(&text, Path::new(file))
                .unwrap_or_else(|e| panic!("{file}: {e}\n{text}"));
            assert_eq!(rows.len(), team.len(), "{file}");
            for (row, want) in rows.iter().zip(&team) {
                let got = Descriptor::of(&row.connection);
                assert_eq!(&got, want, "{file}\n{text}");
            }
            for descriptor in &team {
                assert_eq!(refused(descriptor, format), None, "{file}");
            }
        }
    }

    #[test]
    fn an_empty_store_is_an_empty_list() {
        assert_eq!(render(&[], StoreListFormat::Toml), "");
        assert_eq!(render(&[], StoreListFormat::Json), "[]\n");
        assert_eq!(
            render(&[], StoreListFormat::Csv),
            format!("{}\n", HEADER.join(","))
        );
    }

    /// A descriptor another member's machine wrote that this zdauth would not import is found
    /// alone, so that it does not fail the rest.
    #[test]
    fn a_descriptor_import_refuses_is_named() {
        let mut bad = descriptor("acme");
        bad.subdomain = "not a subdomain!".into();
        for format in [
            StoreListFormat::Toml,
            StoreListFormat::Csv,
            StoreListFormat::Json,
        ] {
            let why = refused(&bad, format).expect("refused");
            assert!(why.contains("subdomain"), "{why}");
        }
    }
}
