//! A connection as a person types it (the CLI's `add` flags, the TUI's form): text per field,
//! checked by the same rules as config.toml, with every field's problem reported at once so a
//! form can show each beside its field.

use super::fields::{
    Lifetime, check_base_url, check_client_id, check_connection_name, check_lifetime, check_port,
    parse_scopes, parse_tags,
};
use super::{Connection, Grant, Kind};
use crate::error::quote;
use crate::subdomain;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Subdomain,
    ClientId,
    Kind,
    Scopes,
    RedirectPort,
    BaseUrl,
    AccessTokenLifetime,
    RefreshTokenLifetime,
    Grant,
    Tags,
}

/// Typed text; `None` for an optional field left out.
#[derive(Debug, Clone, Default)]
pub struct ConnectionInput<'a> {
    pub name: &'a str,
    /// A bare subdomain, a `*.zendesk.com` host or a pasted Zendesk URL.
    pub subdomain: &'a str,
    pub client_id: &'a str,
    pub kind: Option<&'a str>,
    /// Space- or comma-separated.
    pub scopes: &'a str,
    pub redirect_port: &'a str,
    pub base_url: Option<&'a str>,
    pub access_token_lifetime: Option<&'a str>,
    pub refresh_token_lifetime: Option<&'a str>,
    /// `authorization_code` (the default) or `client_credentials`.
    pub grant: Option<&'a str>,
    /// Space- or comma-separated; empty for none.
    pub tags: &'a str,
}

impl ConnectionInput<'_> {
    /// The connection, or one message per field that is wrong (in field order).
    pub fn check(&self) -> Result<Connection, Vec<(Field, String)>> {
        let mut errors = Vec::new();
        let name = keep(
            &mut errors,
            Field::Name,
            check_connection_name(self.name).map(|()| self.name.to_owned()),
        );
        let subdomain = keep(
            &mut errors,
            Field::Subdomain,
            subdomain::normalize(self.subdomain).map_err(|e| e.to_string()),
        );
        let client_id = keep(
            &mut errors,
            Field::ClientId,
            check_client_id(self.client_id),
        );
        let kind = keep(&mut errors, Field::Kind, kind(self.kind));
        let scopes = keep(
            &mut errors,
            Field::Scopes,
            parse_scopes(kind.unwrap_or(Kind::Support), self.scopes),
        );
        let redirect_port = keep(&mut errors, Field::RedirectPort, port(self.redirect_port));
        let base_url = keep(
            &mut errors,
            Field::BaseUrl,
            self.base_url.map(check_base_url).transpose(),
        );
        let access_token_lifetime = keep(
            &mut errors,
            Field::AccessTokenLifetime,
            self.access_token_lifetime
                .map(|t| check_lifetime(t, Lifetime::Access))
                .transpose(),
        );
        let refresh_token_lifetime = keep(
            &mut errors,
            Field::RefreshTokenLifetime,
            self.refresh_token_lifetime
                .map(|t| check_lifetime(t, Lifetime::Refresh))
                .transpose(),
        );
        let grant = keep(
            &mut errors,
            Field::Grant,
            match self.grant {
                None => Ok(Grant::AuthorizationCode),
                Some(text) => Grant::checked(
                    text,
                    kind.unwrap_or(Kind::Support),
                    refresh_token_lifetime.flatten(),
                ),
            },
        );
        let tags = keep(&mut errors, Field::Tags, parse_tags(self.tags));
        match (
            name,
            subdomain,
            client_id,
            kind,
            scopes,
            redirect_port,
            base_url,
            access_token_lifetime,
            refresh_token_lifetime,
            grant,
            tags,
        ) {
            (
                Some(name),
                Some(subdomain),
                Some(client_id),
                Some(kind),
                Some(scopes),
                Some(redirect_port),
                Some(base_url),
                Some(access_token_lifetime),
                Some(refresh_token_lifetime),
                Some(grant),
                Some(tags),
            ) => Ok(Connection {
                name,
                subdomain,
                client_id,
                scopes,
                redirect_port,
                kind,
                base_url,
                access_token_lifetime,
                refresh_token_lifetime,
                grant,
                tags,
            }),
            _ => Err(errors),
        }
    }
}

fn kind(text: Option<&str>) -> Result<Kind, String> {
    match text {
        None => Ok(Kind::Support),
        Some(text) => Kind::parse(text)
            .ok_or_else(|| format!("{} is not a kind: use support or chat", quote(text))),
    }
}

fn keep<T>(
    errors: &mut Vec<(Field, String)>,
    field: Field,
    result: Result<T, String>,
) -> Option<T> {
    result.map_err(|message| errors.push((field, message))).ok()
}

fn port(text: &str) -> Result<u16, String> {
    let text = text.trim();
    let number = text.parse::<i64>().map_err(|_| {
        format!(
            "{} is not a port number: pick one from 1024 to 65535 (8765 is the default)",
            quote(text)
        )
    })?;
    check_port(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(name: &'a str, subdomain: &'a str, port: &'a str) -> ConnectionInput<'a> {
        ConnectionInput {
            name,
            subdomain,
            client_id: "zdauth_acme",
            scopes: "read write",
            redirect_port: port,
            ..ConnectionInput::default()
        }
    }

    #[test]
    fn a_pasted_url_becomes_the_bare_subdomain() {
        let connection = input("acme", "https://ACME.zendesk.com/agent/tickets/1", "8765")
            .check()
            .unwrap();
        assert_eq!(connection.subdomain, "acme");
        assert_eq!(connection.scopes, ["read", "write"]);
        assert_eq!(connection.kind, Kind::Support);
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let errors = input("Acme!", "evil.com/x", "80").check().unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, [Field::Name, Field::Subdomain, Field::RedirectPort]);
        assert!(errors[2].1.contains("1024 to 65535"), "{errors:?}");
        let errors = input("acme", "acme", "http").check().unwrap_err();
        assert!(errors[0].1.contains("not a port number"), "{errors:?}");
    }

    /// What the TUI's form shows beside a field: a pasted megabyte is quoted by its start.
    #[test]
    fn a_pasted_megabyte_is_quoted_by_a_short_prefix() {
        let pasted = "\u{1b}]52;c;".to_owned() + &"é".repeat(1 << 20);
        let errors = input(&pasted, &pasted, &pasted).check().unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        for (field, message) in &errors {
            assert!(message.chars().count() < 300, "{field:?}: {message}");
            assert!(
                message.contains("\"\\u{1b}]52;c;éé"),
                "{field:?}: {message}"
            );
            assert!(message.contains("é…\""), "{field:?}: {message}");
            assert!(!message.contains('\u{1b}'), "{field:?}: {message}");
        }
    }
}
