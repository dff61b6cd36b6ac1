//! `zdauth demo`: the real TUI against the fake Zendesk, in a throwaway config dir, with four
//! connections in different states. Nothing here is a second code path: the demo seeds an
//! ordinary config.toml and vault.age (`crate::seed`) and runs the same engine on them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use zdauth_core::config::Config;
use zdauth_core::error::{Error, io_error};
use zdauth_core::paths::Paths;
use zdauth_core::vault::{Entry, Vault};
use zdauth_fake::{Approval, FakeClient, FakeOptions, FakeZendesk};

use crate::seed::{self, Pair, Seeder};
use crate::tui::form::AddDefaults;

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
    /// What `a` starts with: the fake's address, its client, and a redirect port the fake
    /// has registered for it, so an added connection logs in against the demo too.
    pub add_defaults: AddDefaults,
    pub vault: Vault,
    pub fake: FakeZendesk,
    /// Kept so the throwaway dir lives as long as the demo.
    _temp: Option<tempfile::TempDir>,
}

impl Demo {
    /// Sets up the demo in `dir` (which must hold no config yet) or in a temp dir.
    pub async fn start(dir: Option<PathBuf>) -> Result<Self, Error> {
        let (temp, dir) = if let Some(dir) = dir {
            (None, dir)
        } else {
            let temp = tempfile::Builder::new()
                .prefix("zdauth-demo-")
                .tempdir()
                .map_err(|e| io_error("create a temp dir in", &std::env::temp_dir(), e))?;
            let dir = temp.path().to_path_buf();
            (Some(temp), dir)
        };
        let paths = Paths::at(&dir);
        if paths.config().exists() {
            return Err(Error::Usage(format!(
                "{} already holds a zdauth config; the demo needs an empty dir: unset ZDAUTH_CONFIG_DIR or point it at a new dir",
                dir.display()
            )));
        }
        let seeder = Seeder::create(&dir, &dir.join("demo-identity.txt"))?;
        // One more than the seeded connections: the port a connection added with `a` gets.
        let ports = free_ports(CONNECTIONS.len() + 1)?;
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
        let base_url = fake.base_url();
        let connections = CONNECTIONS
            .iter()
            .zip(&ports)
            .map(|((name, _), port)| seed::connection(name, name, CLIENT, *port, Some(&base_url)))
            .collect::<Result<Vec<_>, _>>()?;
        let config = seeder.add(&connections)?;
        seeder.store(logins(&config, &fake))?;
        let vault = seeder.into_vault();
        let add_defaults = AddDefaults {
            client_id: CLIENT.to_owned(),
            redirect_port: ports.last().copied(),
            base_url: Some(base_url),
        };
        Ok(Self {
            config,
            add_defaults,
            vault,
            fake,
            _temp: temp,
        })
    }
}

fn free_ports(count: usize) -> Result<Vec<u16>, Error> {
    (0..count)
        .map(|_| {
            TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| io_error("find a free port on", Path::new("127.0.0.1"), e))
        })
        .collect()
}

/// A login's entry for each connection the table gives time left on, its pair a grant the
/// fake knows (expired there too when its time is up).
fn logins(config: &Config, fake: &FakeZendesk) -> Vec<(String, Entry)> {
    let now = Timestamp::now();
    config
        .connections
        .iter()
        .zip(CONNECTIONS)
        .zip(1001..)
        .filter_map(|((connection, (_, minutes_left)), user_id)| {
            let minutes_left = minutes_left?;
            let issued = fake.issue_grant(CLIENT, &seed::SCOPES);
            if minutes_left < 0 {
                fake.expire_access_token(&issued.grant_id);
            }
            let tokens =
                Pair::issued(&issued).with_left(now, SignedDuration::from_mins(minutes_left));
            let user = seed::admin(user_id, &connection.name);
            Some((
                connection.name.clone(),
                seed::entry(connection, tokens, Some(user)),
            ))
        })
        .collect()
}
