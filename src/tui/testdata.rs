//! The four connections the tests look at, at a fixed clock: one of each state.

use jiff::{SignedDuration, Timestamp};

use super::app::{App, Options};
use super::keymap::Key;
use super::msg::Msg;
use super::row::RowTokens;
use zdauth_core::config::{Config, Connection, Grant, Kind, Settings};
use zdauth_core::secret::Secret;
use zdauth_core::vault::{Entry, Tokens, User, VaultData};

pub const NOW: &str = "2026-11-28T12:00:00Z";

pub fn now() -> Timestamp {
    NOW.parse().unwrap()
}

pub fn at(secs: i64) -> Timestamp {
    now() + SignedDuration::from_secs(secs)
}

/// Full token strings: none of them may ever reach the screen or a Debug print. They share
/// nothing with names shown on screen, so any 7 characters of one found there is a leak.
pub const SECRETS: &[&str] = &[
    "ACAT-Q7wE9rT2yU4iO6pA8sD0",
    "ACRT-Q7wE9rT2yU4iO6pA8sD0",
    "GLAT-Q7wE9rT2yU4iO6pA8sD0",
    "GLRT-Q7wE9rT2yU4iO6pA8sD0",
    "INAT-Q7wE9rT2yU4iO6pA8sD0",
    "INRT-Q7wE9rT2yU4iO6pA8sD0",
    "UMAT-Q7wE9rT2yU4iO6pA8sD0",
    "UMRT-Q7wE9rT2yU4iO6pA8sD0",
];

fn token(name: &str, kind: &str) -> Secret {
    let tag = name[..2].to_ascii_uppercase();
    Secret::new(format!("{tag}{kind}-Q7wE9rT2yU4iO6pA8sD0"))
}

pub fn connection(name: &str) -> Connection {
    Connection {
        name: name.into(),
        subdomain: format!("{name}-support"),
        client_id: format!("zdauth_{name}"),
        scopes: vec!["read".into(), "write".into()],
        redirect_port: 8765,
        kind: Kind::Support,
        base_url: None,
        access_token_lifetime: None,
        refresh_token_lifetime: None,
        grant: Grant::AuthorizationCode,
        tags: Vec::new(),
    }
}

pub fn config(names: &[&str]) -> Config {
    Config {
        store: None,
        settings: Settings::default(),
        connections: names.iter().map(|n| connection(n)).collect(),
        keys: Vec::new(),
        file: "/cfg/config.toml".into(),
    }
}

fn entry(name: &str, lifetime: i64, left: i64, refresh_days: i64) -> Entry {
    Entry {
        tokens: Some(Tokens {
            access_token: token(name, "AT"),
            refresh_token: Some(token(name, "RT")),
            token_type: "bearer".into(),
            scopes: vec!["read".into(), "write".into()],
            obtained_at: at(left - lifetime),
            expires_at: Some(at(left)),
            expiry_source: zdauth_core::expiry::ExpirySource::Server,
            refresh_expires_at: Some(at(refresh_days * 86_400)),
        }),
        user: Some(User {
            id: 1,
            name: name.into(),
            email: format!("admin@{name}.test"),
            role: "admin".into(),
        }),
        last_refresh: Some(at(left - lifetime)),
        ..Entry::default()
    }
}

/// acme fresh (29:41 left), globex expiring (03:20), initech expired but refreshable,
/// umbrella refused by Zendesk: login required.
pub fn vault() -> VaultData {
    let mut data = VaultData::default();
    let mut put = |name: &str, e: Entry| {
        data.connections.insert(name.into(), e);
    };
    put("acme", entry("acme", 1800, 29 * 60 + 41, 30));
    put("globex", entry("globex", 1800, 200, 10));
    put("initech", entry("initech", 1800, -120, 5));
    let mut umbrella = entry("umbrella", 1800, 600, 20);
    umbrella.login_required = true;
    umbrella.last_error = Some("Zendesk refused the refresh token (invalid_grant)".into());
    put("umbrella", umbrella);
    data
}

pub const NAMES: [&str; 4] = ["acme", "globex", "initech", "umbrella"];

/// Central European time as a POSIX rule, so the tests need no tz database on the machine.
pub fn berlin() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap()
}

pub fn app() -> App {
    app_with(Options {
        vault_path: "~/.config/zdauth/vault.age".into(),
        time_zone: berlin(),
        ..Options::default()
    })
}

/// [`app`] with tags: acme `prod eu`, globex `eu`, initech `dev`, umbrella none.
pub fn tagged_app() -> App {
    let mut config = config(&NAMES);
    for (connection, tags) in
        config
            .connections
            .iter_mut()
            .zip([&["prod", "eu"][..], &["eu"], &["dev"], &[]])
    {
        connection.tags = tags.iter().map(|&t| t.to_owned()).collect();
    }
    let options = Options {
        vault_path: "~/.config/zdauth/vault.age".into(),
        time_zone: berlin(),
        ..Options::default()
    };
    App::new(&config, &vault(), now(), options)
}

pub fn app_with(options: Options) -> App {
    App::new(&config(&NAMES), &vault(), now(), options)
}

/// A fresh 30-minute pair obtained at `obtained`.
pub fn fresh(obtained: Timestamp) -> RowTokens {
    RowTokens {
        masked: "newAT-…".into(),
        token_type: "bearer".into(),
        scopes: vec!["read".into()],
        obtained_at: obtained,
        expires_at: Some(obtained + SignedDuration::from_secs(1800)),
        expiry_source: zdauth_core::expiry::ExpirySource::Server,
        has_refresh_token: true,
        refresh_expires_at: Some(obtained + SignedDuration::from_hours(24 * 30)),
    }
}

pub fn press(app: &mut App, keys: &str) -> Vec<super::app::Effect> {
    keys.chars()
        .flat_map(|c| app.update(Msg::Key(Key::char(c))))
        .collect()
}

/// Sets when `name`'s stored refresh token runs out: `secs` from now, or not told (`None`).
pub fn refresh_in(data: &mut VaultData, name: &str, secs: Option<i64>) {
    let tokens = data
        .connections
        .get_mut(name)
        .and_then(|e| e.tokens.as_mut())
        .unwrap();
    tokens.refresh_expires_at = secs.map(at);
}

/// The agent as `zdauth_core::agent::summary` reports it.
pub fn agent(
    unlocked: bool,
    until: Option<&str>,
    next: Option<&str>,
) -> zdauth_core::agent::AgentSummary {
    zdauth_core::agent::AgentSummary {
        unlocked,
        unlocked_until: until.map(|t| t.parse().unwrap()),
        next_keepalive: next.map(|t| t.parse().unwrap()),
    }
}

/// `n` connections `c00`, `c01`… all fresh (16:40 left) and refreshable, the list told a
/// `width` × `height` terminal.
pub fn many(n: usize, width: u16, height: u16) -> App {
    let names: Vec<String> = (0..n).map(|i| format!("c{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut data = VaultData::default();
    for name in &names {
        data.connections
            .insert(name.clone(), entry(name, 1800, 1000, 30));
    }
    let mut app = App::new(&config(&refs), &data, now(), Options::default());
    app.update(Msg::Resize { width, height });
    app
}
