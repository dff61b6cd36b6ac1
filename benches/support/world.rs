//! A config dir holding N realistic connections, seeded through the library the way a login
//! would store them. Shared by the bench binaries and `examples/bench_world.rs`.

use std::path::Path;

use age::secrecy::ExposeSecret;
use jiff::{SignedDuration, Timestamp};
use zdauth_core::config::Config;
use zdauth_core::paths::Paths;
use zdauth_core::secret::Secret;
use zdauth_core::vault::{self, Entry, Keys, Tokens, User, Vault, VaultData};
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk};

pub const CLIENT: &str = "zdauth_bench";

pub fn name(i: usize) -> String {
    format!("acme-{:04}", i + 1)
}

/// Fake options that accept refreshes from every seeded connection.
pub fn fake_options() -> FakeOptions {
    FakeOptions {
        clients: vec![FakeClient::public(CLIENT, "http://127.0.0.1:8765/callback")],
        ..FakeOptions::default()
    }
}

/// Writes identity.txt, config.toml and vault.age for `count` connections into `dir` (which
/// must exist), and returns the unlocked vault. With `fake`, every token pair is a grant the
/// fake knows, so the connections can be refreshed; without, tokens are random strings of the
/// same shape.
pub fn seed(dir: &Path, count: usize, fake: Option<&FakeZendesk>) -> Vault {
    let paths = Paths::at(dir);
    paths.create_dir().unwrap();
    // A temp dir may come with looser modes than zdauth wants; it would say so on every run.
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let identity = age::x25519::Identity::generate();
    let identity_file = dir.join("identity.txt");
    let identity_text = format!(
        "# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    );
    std::fs::write(&identity_file, &identity_text).unwrap();
    // Without a fake, connections point at Zendesk itself, as most users' do; nothing here
    // calls it.
    let base_url = fake.map_or(String::new(), |f| {
        format!("base_url = \"{}\"\n", f.base_url())
    });
    let mut text = format!(
        "[settings]\nrefresh_margin = \"5m\"\nidentity_file = {:?}\n",
        identity_file.display().to_string()
    );
    for i in 0..count {
        text.push_str(&format!(
            "\n[[connection]]\nname = \"{n}\"\nsubdomain = \"{n}\"\nclient_id = \"{CLIENT}\"\n{base_url}",
            n = name(i)
        ));
    }
    zdauth_core::atomic_file::replace(&paths.config(), text.as_bytes(), None).unwrap();
    let config = Config::load(&paths.config()).unwrap();
    let keys = Keys::from_identity_text(Secret::new(identity_text), "the bench identity").unwrap();
    let vault = Vault::new(paths, keys);
    let data = vault_data(&config, fake, Timestamp::now());
    vault.update(|stored| *stored = data).unwrap();
    // After the first vault, as `init` does: with recipient.txt a missing vault means a lost one.
    vault::write_recipient(vault.paths(), vault.keys()).unwrap();
    vault
}

/// One entry per connection: most fresh, some close to expiry, some expired but refreshable,
/// each with the user `whoami` learned; without a fake, every 20th also needs a login.
pub fn vault_data(config: &Config, fake: Option<&FakeZendesk>, now: Timestamp) -> VaultData {
    let mut data = VaultData::default();
    for (i, connection) in config.connections.iter().enumerate() {
        let (access, refresh) = match fake {
            Some(fake) => {
                let issued = fake.issue_grant(CLIENT, &["read", "write"]);
                (issued.access_token, issued.refresh_token)
            }
            None => (random_token(), random_token()),
        };
        let minutes_left: i64 = match i % 10 {
            _ if i == 0 => 29,
            8 => 3,
            9 => -4,
            n => 10 + 2 * n as i64,
        };
        let entry = Entry {
            tokens: Some(Tokens {
                access_token: Secret::new(access),
                refresh_token: Some(Secret::new(refresh)),
                token_type: "bearer".into(),
                scopes: vec!["read".into(), "write".into()],
                obtained_at: now - SignedDuration::from_mins(30 - minutes_left),
                expires_at: Some(now + SignedDuration::from_mins(minutes_left)),
                expiry_source: zdauth_core::expiry::ExpirySource::Server,
                refresh_expires_at: Some(now + SignedDuration::from_hours(24 * 29)),
            }),
            user: Some(User {
                id: 360_000_000_000 + i as u64,
                name: "Ada Admin".into(),
                email: format!("ada@{}.example", connection.name),
                role: "admin".into(),
            }),
            last_refresh: Some(now - SignedDuration::from_mins(30 - minutes_left)),
            login_required: fake.is_none() && i % 20 == 19,
            last_error: (fake.is_none() && i % 20 == 19)
                .then(|| "Zendesk refused the refresh token (invalid_grant)".into()),
            issuer: Some(zdauth_core::zendesk::issuer(connection)),
            ..Entry::default()
        };
        data.connections.insert(connection.name.clone(), entry);
    }
    data
}

/// 64 hex characters, the shape of a Zendesk token.
fn random_token() -> String {
    (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}
