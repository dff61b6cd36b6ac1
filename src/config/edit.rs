//! Edits config.toml in place with toml_edit, keeping the user's comments, order and
//! formatting. Every edit is validated as a whole before it is written.

use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use super::{Config, ConfigError, Connection, DEFAULT_REDIRECT_PORT, Kind};
use crate::error::{Error, io_error};

pub struct ConfigEdit {
    path: PathBuf,
    document: DocumentMut,
    /// The file as it was when opened.
    config: Config,
}

impl ConfigEdit {
    /// Opens an existing, valid config.toml. The caller holds the dir lock until `save`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| io_error("read", path, e))?;
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
        table["name"] = value(&connection.name);
        table["subdomain"] = value(&connection.subdomain);
        table["client_id"] = value(&connection.client_id);
        table["scopes"] = value(connection.scopes.iter().collect::<Array>());
        if connection.redirect_port != DEFAULT_REDIRECT_PORT {
            table["redirect_port"] = value(i64::from(connection.redirect_port));
        }
        if connection.kind != Kind::Support {
            table["kind"] = value(connection.kind.as_str());
        }
        if let Some(base_url) = &connection.base_url {
            table["base_url"] = value(base_url);
        }
        if let Some(lifetime) = connection.access_token_lifetime {
            table["access_token_lifetime"] =
                value(humantime::format_duration(lifetime).to_string());
        }
        if let Some(lifetime) = connection.refresh_token_lifetime {
            table["refresh_token_lifetime"] =
                value(humantime::format_duration(lifetime).to_string());
        }
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

    /// Returns whether a connection of that name was there.
    pub fn remove_connection(&mut self, name: &str) -> bool {
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
        match array.get_mut(index) {
            Some(table) => {
                let own = table
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or_default();
                let joined = format!("{prefix}{own}");
                table.decor_mut().set_prefix(joined);
            }
            None => {
                let tail = self.document.trailing().as_str().unwrap_or_default();
                let joined = format!("{prefix}{tail}");
                self.document.set_trailing(joined);
            }
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

    /// Validates the edited document and replaces the file atomically.
    pub fn save(self) -> Result<Config, Error> {
        let text = self.document.to_string();
        let config = Config::parse(&text, &self.path)?;
        crate::atomic_file::replace(&self.path, text.as_bytes(), None)?;
        Ok(config)
    }

    pub fn text(&self) -> String {
        self.document.to_string()
    }
}
