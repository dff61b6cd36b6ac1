//! Realistic connection worlds for `zdauth demo`, the benches and the integration tests, so
//! that all three stand on the same ground as a user's config dir. Nothing here writes a file
//! by hand: the config dir is set up by the engine's `setup` (what `zdauth init` runs),
//! connections are checked by the rules of `zdauth add` and appended by its config editing
//! (comments and formatting kept), and token pairs are stored through the vault as a login
//! stores them. A pair is a grant the fake Zendesk knows, so it refreshes for real, or, with
//! no fake, random tokens of Zendesk's shape.
//!
//! [`Seeder`] is the config dir; [`fleet`] is the benches' world of many connections.

use std::path::Path;

use age::secrecy::ExposeSecret;
use jiff::{SignedDuration, Timestamp};
use zdauth_core::config::{Config, ConfigEdit, Connection, ConnectionInput};
use zdauth_core::error::Error;
use zdauth_core::expiry::ExpirySource;
use zdauth_core::paths::Paths;
use zdauth_core::secret::Secret;
use zdauth_core::setup;
use zdauth_core::vault::{self, DirLock, Entry, Keys, Tokens, User, Vault};
use zdauth_core::zendesk;
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk, IssuedTokens};

/// The scopes every seeded connection asks for and every seeded pair carries.
pub const SCOPES: [&str; 2] = ["read", "write"];

/// A config dir being seeded, with its vault unlocked.
pub struct Seeder {
    vault: Vault,
}

impl Seeder {
    /// Sets `dir` up as `zdauth init --identity-file` does: the documented example
    /// config.toml naming `identity_file` (a new X25519 identity written there), an empty
    /// vault and its recipient. `dir` is created private if it is missing.
    pub fn create(dir: &Path, identity_file: &Path) -> Result<Self, Error> {
        let paths = Paths::at(dir);
        setup::ensure_config(&paths)?;
        let identity = age::x25519::Identity::generate();
        let text = format!(
            "# public key: {}\n{}\n",
            identity.to_public(),
            identity.to_string().expose_secret()
        );
        zdauth_core::atomic_file::replace(identity_file, text.as_bytes(), None)?;
        let keys = Keys::from_identity_text(Secret::new(text), "the seeded identity")?;
        let vault = Vault::new(paths.clone(), keys);
        let lock = DirLock::acquire(&paths)?;
        let mut edit = ConfigEdit::open(&paths.config())?;
        edit.set_identity_file(&identity_file.to_string_lossy());
        edit.save()?;
        setup::create_vault(&vault, &lock)?;
        vault::write_recipient(&paths, vault.keys())?;
        drop(lock);
        Ok(Self { vault })
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub fn into_vault(self) -> Vault {
        self.vault
    }

    /// Appends `connections` to config.toml in one edit, each as `zdauth add` appends one.
    pub fn add(&self, connections: &[Connection]) -> Result<Config, Error> {
        let paths = self.vault.paths();
        let _lock = DirLock::acquire(paths)?;
        let mut edit = ConfigEdit::open(&paths.config())?;
        for connection in connections {
            if edit.config().connection(&connection.name).is_some() {
                return Err(Error::DuplicateConnection(connection.name.clone()));
            }
            edit.add_connection(connection);
        }
        edit.save()
    }

    /// Stores `entries` (by connection name) in the vault, in place of any stored before.
    pub fn store(&self, entries: impl IntoIterator<Item = (String, Entry)>) -> Result<(), Error> {
        self.vault.update(|data| data.connections.extend(entries))
    }
}

/// A connection as `zdauth add` takes it from its flags (scopes `read write`), checked by
/// the same rules; a field that breaks one is a usage error naming it.
pub fn connection(
    name: &str,
    subdomain: &str,
    client_id: &str,
    redirect_port: u16,
    base_url: Option<&str>,
) -> Result<Connection, Error> {
    let port = redirect_port.to_string();
    let scopes = SCOPES.join(" ");
    ConnectionInput {
        name,
        subdomain,
        client_id,
        scopes: &scopes,
        redirect_port: &port,
        base_url,
        ..ConnectionInput::default()
    }
    .check()
    .map_err(|errors| {
        let problems: Vec<String> = errors
            .into_iter()
            .map(|(field, message)| format!("{field:?}: {message}"))
            .collect();
        Error::Usage(format!(
            "cannot seed the connection {name}: {}",
            problems.join("; ")
        ))
    })
}

/// A token pair to store, and how long each of its tokens lives.
pub struct Pair {
    access_token: String,
    refresh_token: String,
    lifetime: SignedDuration,
    refresh_lifetime: SignedDuration,
}

impl Pair {
    /// The pair the fake Zendesk issued for a grant it knows.
    pub fn issued(issued: &IssuedTokens) -> Self {
        Self {
            access_token: issued.access_token.clone(),
            refresh_token: issued.refresh_token.clone(),
            lifetime: seconds(issued.expires_in),
            refresh_lifetime: seconds(issued.refresh_expires_in),
        }
    }

    /// Made-up tokens of Zendesk's shape and default lifetimes (30 minutes, 30 days), for a
    /// world no server answers for.
    pub fn random() -> Self {
        Self {
            access_token: random_token(),
            refresh_token: random_token(),
            lifetime: SignedDuration::from_mins(30),
            refresh_lifetime: SignedDuration::from_hours(24 * 30),
        }
    }

    /// The pair as a login at `obtained_at` stores it.
    pub fn obtained_at(self, obtained_at: Timestamp) -> Tokens {
        Tokens {
            access_token: Secret::new(self.access_token),
            refresh_token: Some(Secret::new(self.refresh_token)),
            token_type: "bearer".into(),
            scopes: SCOPES.map(str::to_owned).to_vec(),
            obtained_at,
            expires_at: Some(obtained_at + self.lifetime),
            expiry_source: ExpirySource::Server,
            refresh_expires_at: Some(obtained_at + self.refresh_lifetime),
        }
    }

    /// The pair as a login stored it, with `left` of its access token's life to go at `now`
    /// (past its end if negative).
    pub fn with_left(self, now: Timestamp, left: SignedDuration) -> Tokens {
        let obtained_at = now + left - self.lifetime;
        self.obtained_at(obtained_at)
    }
}

/// The user `whoami` learns at a login: Ada, an admin at `connection`.
pub fn admin(id: u64, connection: &str) -> User {
    User {
        id,
        name: "Ada Admin".into(),
        email: format!("ada@{connection}.test"),
        role: "admin".into(),
    }
}

/// The vault entry a login on `connection` leaves: its pair, the user it learned and the
/// issuer the pair belongs to.
pub fn entry(connection: &Connection, tokens: Tokens, user: Option<User>) -> Entry {
    Entry {
        tokens: Some(tokens),
        user,
        issuer: Some(zendesk::issuer(connection)),
        ..Entry::default()
    }
}

/// The client every [`fleet`] connection uses.
pub const FLEET_CLIENT: &str = "zdauth_bench";

/// The name of the `i`th (from 0) connection of a [`fleet`]: `acme-0001`, `acme-0002`, …
pub fn fleet_name(i: usize) -> String {
    format!("acme-{:04}", i + 1)
}

/// Fake options that accept refreshes from every connection of a [`fleet`].
pub fn fleet_fake_options() -> FakeOptions {
    FakeOptions {
        clients: vec![FakeClient::public(
            FLEET_CLIENT,
            "http://127.0.0.1:8765/callback",
        )],
        ..FakeOptions::default()
    }
}

/// `count` connections seeded in `dir` (identity in `dir/identity.txt`), the vault returned
/// unlocked: most fresh, some close to expiry, some expired but refreshable, each with the
/// user `whoami` learned. With `fake`, every connection points at it and every pair is a
/// grant it knows; without, connections point at Zendesk itself (nothing here calls it),
/// pairs are random and every 20th connection also needs a login.
pub fn fleet(dir: &Path, count: usize, fake: Option<&FakeZendesk>) -> Result<Vault, Error> {
    let seeder = Seeder::create(dir, &dir.join("identity.txt"))?;
    let base_url = fake.map(FakeZendesk::base_url);
    let connections = (0..count)
        .map(|i| {
            let name = fleet_name(i);
            connection(&name, &name, FLEET_CLIENT, 8765, base_url.as_deref())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let config = seeder.add(&connections)?;
    let now = Timestamp::now();
    let entries = config
        .connections
        .iter()
        .zip(0_u64..)
        .map(|(connection, i)| {
            let pair = fake.map_or_else(Pair::random, |fake| {
                Pair::issued(&fake.issue_grant(FLEET_CLIENT, &SCOPES))
            });
            let minutes_left = match i % 10 {
                _ if i == 0 => 29,
                8 => 3,
                9 => -4,
                n => 10 + 2 * n.cast_signed(),
            };
            let tokens = pair.with_left(now, SignedDuration::from_mins(minutes_left));
            let needs_login = fake.is_none() && i % 20 == 19;
            let entry = Entry {
                last_refresh: Some(tokens.obtained_at),
                login_required: needs_login,
                last_error: needs_login
                    .then(|| "Zendesk refused the refresh token (invalid_grant)".into()),
                ..entry(
                    connection,
                    tokens,
                    Some(admin(360_000_000_000 + i, &connection.name)),
                )
            };
            (connection.name.clone(), entry)
        });
    seeder.store(entries)?;
    Ok(seeder.into_vault())
}

/// Seconds as the fake counts them, saturating far beyond any token's life.
fn seconds(secs: u64) -> SignedDuration {
    SignedDuration::from_secs(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// 64 hex characters, the shape of a Zendesk token. Not a secret of anyone's, so std's
/// randomly keyed hasher is random enough, and the app needs no random-number crate for it.
fn random_token() -> String {
    use std::fmt::Write;
    use std::hash::{BuildHasher, RandomState};
    (0..4).fold(String::with_capacity(64), |mut token, _| {
        // Writing to a String cannot fail.
        let _ = write!(token, "{:016x}", RandomState::new().hash_one(()));
        token
    })
}
