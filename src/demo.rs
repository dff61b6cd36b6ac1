//! `zdauth demo`: the real TUI against the fake Zendesk, in a throwaway config dir, with four
//! connections in different states. Nothing here is a second code path: the demo writes an
//! ordinary config.toml and vault.age and runs the same engine on them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use age::secrecy::ExposeSecret;
use jiff::{SignedDuration, Timestamp};

use zdauth_core::config::Config;
use zdauth_core::error::{Error, io_error};
use zdauth_core::paths::Paths;
use zdauth_core::secret::Secret;
use zdauth_core::vault::{self, Entry, Keys, Tokens, User, Vault};
use zdauth_core::zendesk;
use zdauth_fake::{Approval, FakeClient, FakeOptions, FakeZendesk};

const CLIENT: &str = "zdauth_demo";
/// (name, access token minutes left; None: never logged in)
const CONNECTIONS: [(&str, Option<i64>); 4] = [
    ("acme", Some(30)),
    ("globex", Some(2)),
    ("initech", Some(-5)),
    ("umbrella", None),
];

pub struct Demo {
    pub config: Config,
    pub vault: Vault,
    pub fake: FakeZendesk,
    /// Kept so the throwaway dir lives as long as the demo.
    _temp: Option<tempfile::TempDir>,
}

impl Demo {
    /// Sets up the demo in `dir` (which must hold no config yet) or in a temp dir.
    pub async fn start(dir: Option<PathBuf>) -> Result<Self, Error> {
        let (temp, dir) = match dir {
            Some(dir) => (None, dir),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("zdauth-demo-")
                    .tempdir()
                    .map_err(|e| io_error("create a temp dir in", &std::env::temp_dir(), e))?;
                let dir = temp.path().to_path_buf();
                (Some(temp), dir)
            }
        };
        let paths = Paths::at(&dir);
        if paths.config().exists() {
            return Err(Error::Usage(format!(
                "{} already holds a zdauth config; the demo needs an empty dir: unset ZDAUTH_CONFIG_DIR or point it at a new dir",
                dir.display()
            )));
        }
        paths.create_dir()?;
        let keys = write_identity(&paths)?;
        let ports = free_ports()?;
        let fake = FakeZendesk::start(FakeOptions {
            clients: vec![FakeClient {
                redirect_uris: ports
                    .iter()
                    .map(|p| format!("http://127.0.0.1:{p}/callback"))
                    .collect(),
                ..FakeClient::public(CLIENT, "http://127.0.0.1:1/callback")
            }],
            approval: Approval::Consent,
            lenient_lifetimes: true,
            // Enough to see a refresh spin.
            latency: Duration::from_millis(400),
            ..FakeOptions::default()
        })
        .await
        .map_err(|e| io_error("start the demo server on", Path::new("127.0.0.1"), e))?;

        let text = config_text(&paths, &fake.base_url(), &ports);
        zdauth_core::atomic_file::replace(&paths.config(), text.as_bytes(), None)?;
        let config = Config::load(&paths.config())?;
        let vault = Vault::new(paths.clone(), keys);
        seed(&vault, &config, &fake)?;
        vault::write_recipient(&paths, vault.keys())?;
        Ok(Self {
            config,
            vault,
            fake,
            _temp: temp,
        })
    }
}

fn write_identity(paths: &Paths) -> Result<Keys, Error> {
    let identity = age::x25519::Identity::generate();
    let text = format!(
        "# zdauth demo identity\n{}\n",
        identity.to_string().expose_secret()
    );
    let path = paths.dir().join("demo-identity.txt");
    zdauth_core::atomic_file::replace(&path, text.as_bytes(), None)?;
    Keys::from_identity_text(Secret::new(text), "the demo identity")
}

fn free_ports() -> Result<Vec<u16>, Error> {
    (0..CONNECTIONS.len())
        .map(|_| {
            TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| io_error("find a free port on", Path::new("127.0.0.1"), e))
        })
        .collect()
}

fn config_text(paths: &Paths, base_url: &str, ports: &[u16]) -> String {
    let mut text = format!(
        "# zdauth demo: every connection talks to a fake Zendesk at {base_url}\n\n[settings]\nrefresh_margin = \"5m\"\nidentity_file = {:?}\n",
        paths.dir().join("demo-identity.txt").display().to_string()
    );
    for ((name, _), port) in CONNECTIONS.iter().zip(ports) {
        text.push_str(&format!(
            "\n[[connection]]\nname = \"{name}\"\nsubdomain = \"{name}\"\nclient_id = \"{CLIENT}\"\nscopes = [\"read\", \"write\"]\nredirect_port = {port}\nbase_url = \"{base_url}\"\n"
        ));
    }
    text
}

fn seed(vault: &Vault, config: &Config, fake: &FakeZendesk) -> Result<(), Error> {
    let now = Timestamp::now();
    vault.update(|data| {
        for (connection, (_, minutes_left)) in config.connections.iter().zip(CONNECTIONS) {
            let Some(minutes_left) = minutes_left else {
                continue;
            };
            let issued = fake.issue_grant(CLIENT, &["read", "write"]);
            if minutes_left < 0 {
                fake.expire_access_token(&issued.grant_id);
            }
            let entry = Entry {
                tokens: Some(Tokens {
                    access_token: Secret::new(issued.access_token),
                    refresh_token: Some(Secret::new(issued.refresh_token)),
                    token_type: "bearer".into(),
                    scopes: vec!["read".into(), "write".into()],
                    obtained_at: now - SignedDuration::from_mins(30 - minutes_left),
                    expires_at: Some(now + SignedDuration::from_mins(minutes_left)),
                    expiry_source: zdauth_core::expiry::ExpirySource::Server,
                    refresh_expires_at: Some(
                        now + SignedDuration::from_secs(issued.refresh_expires_in as i64),
                    ),
                }),
                user: Some(User {
                    id: 1001,
                    name: "Ada Admin".into(),
                    email: format!("ada@{}.test", connection.name),
                    role: "admin".into(),
                }),
                issuer: Some(zendesk::issuer(connection)),
                ..Entry::default()
            };
            data.connections.insert(connection.name.clone(), entry);
        }
    })
}
