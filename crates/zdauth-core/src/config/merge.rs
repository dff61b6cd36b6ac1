//! An edit made from a form that was opened a while ago, applied to config.toml as it is now:
//! only the fields the user changed are written, and a field that changed on disk too (to
//! something else) is a conflict, not a silent overwrite of the other writer's change.

use super::Connection;

/// A field both the form and someone else changed, differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// As the form labels it.
    pub(crate) field: &'static str,
    /// Its value in config.toml now.
    pub(crate) on_disk: String,
}

/// `disk` with the fields that differ between `started` (what the form opened with) and
/// `edited` (what it submits) taken from `edited`; every other field stays as on disk.
pub(crate) fn merge_edit(
    started: &Connection,
    edited: &Connection,
    disk: &Connection,
) -> Result<Connection, Vec<Conflict>> {
    let mut merged = disk.clone();
    let mut conflicts = Vec::new();
    macro_rules! field {
        ($field:ident, $label:literal, $show:expr) => {
            if edited.$field != started.$field {
                if disk.$field != started.$field && disk.$field != edited.$field {
                    conflicts.push(Conflict {
                        field: $label,
                        on_disk: $show(&disk.$field),
                    });
                } else {
                    merged.$field = edited.$field.clone();
                }
            }
        };
    }
    field!(subdomain, "subdomain", |v: &String| v.clone());
    field!(client_id, "client id", |v: &String| v.clone());
    field!(scopes, "scopes", |v: &Vec<String>| v.join(" "));
    field!(redirect_port, "redirect port", |v: &u16| v.to_string());
    field!(kind, "kind", |v: &super::Kind| v.as_str().to_owned());
    field!(grant, "grant", |v: &super::Grant| v.as_str().to_owned());
    field!(tags, "tags", |v: &Vec<String>| v.join(" "));
    field!(base_url, "base_url", |v: &Option<String>| v
        .clone()
        .unwrap_or_default());
    field!(
        access_token_lifetime,
        "access_token_lifetime",
        |v: &Option<std::time::Duration>| { show_lifetime(*v) }
    );
    field!(
        refresh_token_lifetime,
        "refresh_token_lifetime",
        |v: &Option<std::time::Duration>| { show_lifetime(*v) }
    );
    if conflicts.is_empty() {
        Ok(merged)
    } else {
        Err(conflicts)
    }
}

fn show_lifetime(lifetime: Option<std::time::Duration>) -> String {
    lifetime.map_or_else(
        || "the default".to_owned(),
        |d| humantime::format_duration(d).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Kind;

    fn acme() -> Connection {
        Connection {
            name: "acme".into(),
            subdomain: "acme".into(),
            client_id: "zdauth_acme".into(),
            scopes: vec!["read".into()],
            grant: crate::config::Grant::AuthorizationCode,
            redirect_port: 8765,
            kind: Kind::Support,
            base_url: None,
            access_token_lifetime: None,
            refresh_token_lifetime: None,
            tags: Vec::new(),
        }
    }

    #[test]
    fn untouched_fields_keep_what_the_other_writer_wrote() {
        let started = acme();
        let edited = Connection {
            scopes: vec!["read".into(), "write".into()],
            ..acme()
        };
        let disk = Connection {
            redirect_port: 9100,
            ..acme()
        };
        let merged = merge_edit(&started, &edited, &disk).unwrap();
        assert_eq!(merged.redirect_port, 9100);
        assert_eq!(merged.scopes, ["read", "write"]);
    }

    #[test]
    fn the_same_field_changed_on_both_sides_is_a_conflict_unless_they_agree() {
        let started = acme();
        let edited = Connection {
            redirect_port: 9200,
            ..acme()
        };
        let disk = Connection {
            redirect_port: 9100,
            ..acme()
        };
        assert_eq!(
            merge_edit(&started, &edited, &disk),
            Err(vec![Conflict {
                field: "redirect port",
                on_disk: "9100".into()
            }])
        );
        let agreed = Connection {
            redirect_port: 9200,
            ..acme()
        };
        assert_eq!(merge_edit(&started, &edited, &agreed), Ok(agreed.clone()));
    }

    #[test]
    fn nothing_edited_writes_the_disk_as_it_is() {
        let disk = Connection {
            subdomain: "globex".into(),
            ..acme()
        };
        assert_eq!(merge_edit(&acme(), &acme(), &disk), Ok(disk.clone()));
    }
}
