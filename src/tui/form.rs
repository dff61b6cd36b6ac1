//! The add/edit form: seven text fields and the grant, checked by the engine's own rules (`ConnectionInput`, as
//! `zdauth add` uses) so the TUI and the CLI can never disagree about what is valid.
//! Pure: the App turns a submit into an Effect and the loop writes the files.

use std::collections::BTreeMap;

use crossterm::event::KeyCode;

use super::field::TextField;
use super::keymap::Key;
use zdauth_core::config::{
    Connection, ConnectionInput, DEFAULT_REDIRECT_PORT, DEFAULT_SCOPES, Field, Grant,
};
use zdauth_core::secret::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FormField {
    Name,
    Subdomain,
    ClientId,
    Secret,
    /// Not text: Space or ←/→ switch between the two grants.
    Grant,
    Scopes,
    RedirectPort,
    /// Space- or comma-separated, as `zdauth add --tag` takes them one by one.
    Tags,
}

impl FormField {
    pub const ALL: [FormField; 8] = [
        FormField::Name,
        FormField::Subdomain,
        FormField::ClientId,
        FormField::Secret,
        FormField::Grant,
        FormField::Scopes,
        FormField::RedirectPort,
        FormField::Tags,
    ];

    /// Where the field's text lives; the grant has none.
    fn text_index(self) -> Option<usize> {
        match self {
            FormField::Name => Some(0),
            FormField::Subdomain => Some(1),
            FormField::ClientId => Some(2),
            FormField::Secret => Some(3),
            FormField::Grant => None,
            FormField::Scopes => Some(4),
            FormField::RedirectPort => Some(5),
            FormField::Tags => Some(6),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FormField::Name => "name",
            FormField::Subdomain => "subdomain",
            FormField::ClientId => "client id",
            FormField::Secret => "client secret",
            FormField::Grant => "grant",
            FormField::Scopes => "scopes",
            FormField::RedirectPort => "redirect port",
            FormField::Tags => "tags",
        }
    }

    pub(crate) fn of(field: Field) -> Option<Self> {
        match field {
            Field::Name => Some(FormField::Name),
            Field::Subdomain => Some(FormField::Subdomain),
            Field::ClientId => Some(FormField::ClientId),
            Field::Scopes => Some(FormField::Scopes),
            Field::RedirectPort => Some(FormField::RedirectPort),
            Field::Grant => Some(FormField::Grant),
            Field::Tags => Some(FormField::Tags),
            // Not on the form: kept from config.toml when editing.
            Field::Kind
            | Field::BaseUrl
            | Field::AccessTokenLifetime
            | Field::RefreshTokenLifetime => None,
        }
    }
}

/// What a new connection starts with when not Zendesk's defaults: the demo points the add
/// form at its fake, whose client and redirect ports are registered there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddDefaults {
    pub client_id: String,
    pub redirect_port: Option<u16>,
    /// Not on the form: shown above the fields, kept as `base_url`.
    pub base_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormStep {
    Stay,
    Cancel,
    Submit {
        connection: Connection,
        /// `None`: none typed (add: a public client; edit: keep the stored one).
        secret: Option<Secret>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionForm {
    /// The connection being edited; `None` when adding.
    pub editing: Option<Connection>,
    fields: [TextField; 7],
    pub grant: Grant,
    pub focus: FormField,
    pub errors: BTreeMap<FormField, String>,
    /// What the save said when it failed (a lock, a file, a rule about stored tokens).
    pub failure: Option<String>,
    pub saving: bool,
    /// Names already taken (adding only).
    taken: Vec<String>,
    /// After the first submit, errors follow the typing.
    checked: bool,
    /// Where a new connection's Zendesk is when not at zendesk.com (the demo's fake).
    pub base_url: Option<String>,
}

impl ConnectionForm {
    pub fn add(taken: Vec<String>) -> Self {
        Self {
            editing: None,
            fields: [
                TextField::new(""),
                TextField::new(""),
                TextField::new(""),
                TextField::masked(),
                TextField::new(&DEFAULT_SCOPES.join(" ")),
                TextField::new(&DEFAULT_REDIRECT_PORT.to_string()),
                TextField::new(""),
            ],
            grant: Grant::AuthorizationCode,
            focus: FormField::Name,
            errors: BTreeMap::new(),
            failure: None,
            saving: false,
            taken,
            checked: false,
            base_url: None,
        }
    }

    /// The add form, pre-filled with `defaults` where they say something.
    pub fn add_with(taken: Vec<String>, defaults: &AddDefaults) -> Self {
        let mut form = Self::add(taken);
        if !defaults.client_id.is_empty() {
            form.fields[2] = TextField::new(&defaults.client_id);
        }
        if let Some(port) = defaults.redirect_port {
            form.fields[5] = TextField::new(&port.to_string());
        }
        form.base_url.clone_from(&defaults.base_url);
        form
    }

    /// Pre-filled; the name stays fixed (scripts, locks and the vault go by it).
    pub fn edit(connection: &Connection) -> Self {
        Self {
            editing: Some(connection.clone()),
            fields: [
                TextField::new(&connection.name),
                TextField::new(&connection.subdomain),
                TextField::new(&connection.client_id),
                TextField::masked(),
                TextField::new(&connection.scopes.join(" ")),
                TextField::new(&connection.redirect_port.to_string()),
                TextField::new(&connection.tags.join(" ")),
            ],
            grant: connection.grant,
            focus: FormField::Subdomain,
            ..Self::add(Vec::new())
        }
    }

    /// The text of a text field (the grant's is empty).
    pub fn text(&self, which: FormField) -> &str {
        which.text_index().map_or("", |i| self.fields[i].text())
    }

    /// Whether a text field refused the last key or paste for want of room.
    pub fn is_full(&self, which: FormField) -> bool {
        which.text_index().is_some_and(|i| self.fields[i].is_full())
    }

    /// What the screen shows for a text field, split where its cursor is.
    pub fn shown_around_cursor(&self, which: FormField) -> Option<(String, String)> {
        which
            .text_index()
            .map(|i| self.fields[i].shown_around_cursor())
    }

    /// What the screen shows for a field: masked text, or the grant's name.
    pub fn shown(&self, which: FormField) -> String {
        match which.text_index() {
            Some(i) => self.fields[i].shown(),
            None => format!("‹ {} ›", self.grant.describe()),
        }
    }

    pub fn editable(&self, which: FormField) -> bool {
        !(which == FormField::Name && self.editing.is_some())
    }

    pub fn key(&mut self, key: Key) -> FormStep {
        if self.saving {
            return FormStep::Stay;
        }
        match key.code {
            KeyCode::Esc => return FormStep::Cancel,
            KeyCode::Enter => return self.submit(),
            KeyCode::Tab | KeyCode::Down => self.move_focus(1),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(-1),
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right
                if self.focus == FormField::Grant =>
            {
                self.grant = match self.grant {
                    Grant::AuthorizationCode => Grant::ClientCredentials,
                    Grant::ClientCredentials => Grant::AuthorizationCode,
                };
                if self.checked {
                    self.errors = self.check().err().unwrap_or_default();
                }
            }
            _ => {
                let typed = self
                    .focus
                    .text_index()
                    .is_some_and(|i| self.fields[i].key(key));
                if typed && self.checked {
                    self.errors = self.check().err().unwrap_or_default();
                }
            }
        }
        FormStep::Stay
    }

    /// A bracketed paste into the focused field.
    pub fn paste(&mut self, text: &str) {
        let Some(at) = self.focus.text_index() else {
            return;
        };
        if self.saving || !self.editable(self.focus) {
            return;
        }
        self.fields[at].paste(text);
        if self.checked {
            self.errors = self.check().err().unwrap_or_default();
        }
    }

    /// The save failed: the form stays, with the reason, for another try or Esc.
    pub fn failed(&mut self, message: String) {
        self.saving = false;
        self.failure = Some(message);
    }

    fn move_focus(&mut self, by: isize) {
        let editable: Vec<FormField> = FormField::ALL
            .into_iter()
            .filter(|&f| self.editable(f))
            .collect();
        let at = editable.iter().position(|&f| f == self.focus).unwrap_or(0);
        let next = (at.cast_signed() + by)
            .rem_euclid(editable.len().cast_signed())
            .cast_unsigned();
        self.focus = editable[next];
    }

    fn submit(&mut self) -> FormStep {
        self.checked = true;
        self.failure = None;
        match self.check() {
            Ok((connection, secret)) => {
                self.errors.clear();
                self.saving = true;
                FormStep::Submit { connection, secret }
            }
            Err(errors) => {
                if let Some(&first) = errors.keys().next() {
                    self.focus = first;
                }
                self.errors = errors;
                FormStep::Stay
            }
        }
    }

    fn check(&self) -> Result<(Connection, Option<Secret>), BTreeMap<FormField, String>> {
        let text = |f: FormField| self.text(f);
        let base = self.editing.as_ref();
        let lifetime =
            |d: Option<std::time::Duration>| d.map(|d| humantime::format_duration(d).to_string());
        let access = lifetime(base.and_then(|b| b.access_token_lifetime));
        let refresh = lifetime(base.and_then(|b| b.refresh_token_lifetime));
        let input = ConnectionInput {
            name: text(FormField::Name),
            subdomain: text(FormField::Subdomain),
            client_id: text(FormField::ClientId),
            kind: base.map(|b| b.kind.as_str()),
            scopes: text(FormField::Scopes),
            redirect_port: text(FormField::RedirectPort),
            base_url: base.map_or(self.base_url.as_deref(), |b| b.base_url.as_deref()),
            access_token_lifetime: access.as_deref(),
            refresh_token_lifetime: refresh.as_deref(),
            grant: Some(self.grant.as_str()),
            tags: text(FormField::Tags),
        };
        let mut errors = BTreeMap::new();
        let checked = input.check().map_err(|list| {
            for (field, message) in list {
                // Fields not on the form come from config.toml, which was valid when read.
                let at = FormField::of(field).unwrap_or(FormField::Name);
                errors.entry(at).or_insert(message);
            }
        });
        let secret_blank = text(FormField::Secret).trim().is_empty();
        if self.grant == Grant::ClientCredentials && secret_blank && self.editing.is_none() {
            errors.insert(
                FormField::Secret,
                "client credentials need the confidential client's secret: type it here".into(),
            );
        }
        let name = text(FormField::Name);
        if self.taken.iter().any(|n| n == name) {
            errors.insert(
                FormField::Name,
                format!(
                    "a connection named {} exists: pick another name",
                    zdauth_core::error::quote(name)
                ),
            );
        }
        match checked {
            Ok(connection) if errors.is_empty() => {
                let secret = text(FormField::Secret);
                let secret = (!secret.trim().is_empty()).then(|| Secret::new(secret));
                Ok((connection, secret))
            }
            _ => Err(errors),
        }
    }
}
