//! Edits config.toml in place with `toml_edit`, keeping the user's comments, order and
//! formatting. Every edit is validated as a whole before it is written.

use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use super::{Config, ConfigError, Connection, DEFAULT_REDIRECT_PORT, Grant, Kind};
use crate::error::Error;

pub struct ConfigEdit {
    path: PathBuf,
    document: DocumentMut,
    /// The file as it was when opened.
    config: Config,
}

impl ConfigEdit {
    /// Opens an existing, valid config.toml. The caller holds the dir lock until `save`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let text = super::read(path)?;
        // Refuse to edit a file that is already invalid: the user must see its error first.
        let config = Config::parse(&text, path)?;
        let document = text
            .parse::<DocumentMut>()
            .map_err(|e| ConfigError::Invalid {
                file: path.to_path_buf(),
                line: 1,
                key: String::new(),
                message: e.to_string(),
            })?;
        if document
            .get("connection")
            .is_some_and(|item| !item.is_array_of_tables())
        {
            return Err(ConfigError::Invalid {
                file: path.to_path_buf(),
                line: 1,
                key: "connection".into(),
                message: "written as an inline array, which zdauth cannot edit: write each connection as a [[connection]] table".into(),
            }
            .into());
        }
        Ok(Self {
            path: path.to_path_buf(),
            document,
            config,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn add_connection(&mut self, connection: &Connection) {
        let mut table = Table::new();
        fill(&mut table, connection, None);
        // Comments after the last table belong to the document's tail; keep them above the
        // new table, where the user wrote them, rather than letting them drift below it.
        let tail = self
            .document
            .trailing()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !tail.is_empty() {
            table.decor_mut().set_prefix(tail);
            self.document.set_trailing("");
        }
        let connections = self
            .document
            .entry("connection")
            .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
        if let Some(array) = connections.as_array_of_tables_mut() {
            array.push(table);
        }
    }

    /// Rewrites the named connection's table in place: only keys whose value changed are
    /// touched, so its comments, its formatting and any keys zdauth does not know stay.
    /// Returns whether a connection of that name was there.
    pub(crate) fn update_connection(&mut self, name: &str, connection: &Connection) -> bool {
        let old = self.config.connection(name).cloned();
        let table = self
            .document
            .get_mut("connection")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|array| {
                array
                    .iter_mut()
                    .find(|table| table.get("name").and_then(Item::as_str) == Some(name))
            });
        match table {
            Some(table) => {
                fill(table, connection, old.as_ref());
                true
            }
            None => false,
        }
    }

    /// Returns whether a connection of that name was there.
    pub(crate) fn remove_connection(&mut self, name: &str) -> bool {
        let Some(array) = self
            .document
            .get_mut("connection")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return false;
        };
        let Some(index) = array
            .iter()
            .position(|table| table.get("name").and_then(Item::as_str) == Some(name))
        else {
            return false;
        };
        // The comments above the removed table stay, above whatever follows it.
        let prefix = array
            .remove(index)
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_owned();
        let is_empty = array.is_empty();
        if let Some(table) = array.get_mut(index) {
            let own = table
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or_default();
            let joined = format!("{prefix}{own}");
            table.decor_mut().set_prefix(joined);
        } else {
            let tail = self.document.trailing().as_str().unwrap_or_default();
            let joined = format!("{prefix}{tail}");
            self.document.set_trailing(joined);
        }
        if is_empty {
            self.document.remove("connection");
        }
        true
    }

    pub fn set_identity_file(&mut self, identity_file: &str) {
        let settings = self
            .document
            .entry("settings")
            .or_insert_with(|| Item::Table(Table::new()));
        if let Some(table) = settings.as_table_like_mut() {
            table.insert("identity_file", value(identity_file));
        }
    }

    /// Validates the edited document as [`Self::save`] would, without writing it.
    pub(crate) fn preview(&self) -> Result<Config, Error> {
        Ok(Config::parse(&self.document.to_string(), &self.path)?)
    }

    /// Validates the edited document and replaces the file atomically.
    pub fn save(self) -> Result<Config, Error> {
        let text = self.document.to_string();
        let config = Config::parse(&text, &self.path)?;
        crate::atomic_file::replace(&self.path, text.as_bytes(), None)?;
        Ok(config)
    }
}

/// Writes the fields of `connection` that differ from `old` (all of them without one) into
/// `table`; a field at its default is left out (or taken out), as a person would write it.
fn fill(table: &mut Table, connection: &Connection, old: Option<&Connection>) {
    let (new, old) = (connection, old);
    let changed = |key: &str| {
        let Some(old) = old else { return true };
        match key {
            "name" => old.name != new.name,
            "subdomain" => old.subdomain != new.subdomain,
            "client_id" => old.client_id != new.client_id,
            "scopes" => old.scopes != new.scopes,
            "redirect_port" => old.redirect_port != new.redirect_port,
            "kind" => old.kind != new.kind,
            "base_url" => old.base_url != new.base_url,
            "access_token_lifetime" => old.access_token_lifetime != new.access_token_lifetime,
            "refresh_token_lifetime" => old.refresh_token_lifetime != new.refresh_token_lifetime,
            "tags" => old.tags != new.tags,
            _ => true,
        }
    };
    let mut set = |key: &str, item: Option<Item>| match item {
        _ if !changed(key) => {}
        // Replacing only the value keeps the key's own decor (a comment at the line's end).
        Some(item) => match table.get_mut(key) {
            Some(Item::Value(old)) if item.is_value() => {
                let decor = old.decor().clone();
                *old = item.into_value().expect("checked");
                *old.decor_mut() = decor;
            }
            _ => {
                table.insert(key, item);
            }
        },
        None => {
            table.remove(key);
        }
    };
    let duration = |d: Option<std::time::Duration>| {
        d.map(|d| value(humantime::format_duration(d).to_string()))
    };
    set("name", Some(value(&connection.name)));
    set("subdomain", Some(value(&connection.subdomain)));
    set("client_id", Some(value(&connection.client_id)));
    set(
        "scopes",
        Some(value(connection.scopes.iter().collect::<Array>())),
    );
    set(
        "redirect_port",
        (connection.redirect_port != DEFAULT_REDIRECT_PORT)
            .then(|| value(i64::from(connection.redirect_port))),
    );
    set(
        "kind",
        (connection.kind != Kind::Support).then(|| value(connection.kind.as_str())),
    );
    set("base_url", connection.base_url.as_deref().map(value));
    set(
        "access_token_lifetime",
        duration(connection.access_token_lifetime),
    );
    set(
        "refresh_token_lifetime",
        duration(connection.refresh_token_lifetime),
    );
    set(
        "grant",
        (connection.grant != Grant::AuthorizationCode).then(|| value(connection.grant.as_str())),
    );
    set(
        "tags",
        (!connection.tags.is_empty()).then(|| value(connection.tags.iter().collect::<Array>())),
    );
}
