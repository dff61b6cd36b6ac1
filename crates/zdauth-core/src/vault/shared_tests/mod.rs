//! The vault on a real OpenBao server (`bao server`, started per test by
//! `zdauth_fake::openbao`), with the fake Zendesk behind the refreshes. Two "machines" are two
//! config dirs, each with its own identity, both listing the other's recipient.
//!
//! Skipped (with a line on stderr) when `bao` is not installed and CI is unset.

mod backend;
mod late_writer;
mod rotation;
mod team;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use zdauth_fake::openbao::OpenBao;
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk, IssuedTokens};

use crate::config::{Config, Connection};
use crate::expiry::ExpirySource;
use crate::paths::Paths;
use crate::refresh::Refresher;
use crate::secret::Secret;
use crate::store::{Lease, Record, RecordData, Store, StoreEnv};
use crate::vault::{Entry, Keys, Tokens, Vault};
use crate::zendesk::{Timeouts, ZendeskClient, issuer};

const CLIENT: &str = "zdauth_test";

/// One OpenBao, one fake Zendesk, one connection `acme` on it.
pub(super) struct Team {
    pub(super) runtime: tokio::runtime::Runtime,
    pub(super) fake: FakeZendesk,
    pub(super) bao: OpenBao,
    pub(super) connection: Connection,
    temp: tempfile::TempDir,
}

/// One machine: its own config dir and identity, the team's store.
pub(super) struct Machine {
    pub(super) vault: Vault,
    pub(super) refresher: Arc<Refresher>,
}

impl Team {
    /// None (the test returns) when `bao` is not installed here.
    pub(super) fn start() -> Option<Self> {
        Self::start_with(|_| {})
    }

    pub(super) fn start_with(configure: impl FnOnce(&mut FakeOptions)) -> Option<Self> {
        let bao = OpenBao::start()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        let mut options = FakeOptions {
            clients: vec![FakeClient::public(CLIENT, "http://127.0.0.1:8765/callback")],
            ..FakeOptions::default()
        };
        configure(&mut options);
        let fake = runtime.block_on(FakeZendesk::start(options)).unwrap();
        let text = format!(
            "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"{CLIENT}\"\nredirect_port = 8765\nscopes = [\"read\"]\nbase_url = \"{}\"\n",
            fake.base_url()
        );
        let connection = Config::parse(&text, Path::new("t.toml"))
            .unwrap()
            .connections
            .remove(0);
        Some(Self {
            runtime,
            fake,
            bao,
            connection,
            temp: tempfile::tempdir().unwrap(),
        })
    }

    /// The store as a machine listing `recipients` (beside its own) opens it.
    pub(super) fn store(&self, recipients: &[&str]) -> Store {
        let list = recipients
            .iter()
            .map(|r| format!("\"{r}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!(
            "[store]\nkind = \"openbao\"\naddress = \"{}\"\nrecipients = [{list}]\n",
            self.bao.addr()
        );
        let settings = Config::parse(&text, Path::new("t.toml"))
            .unwrap()
            .store
            .unwrap();
        let env = StoreEnv {
            token: Some(self.bao.root_token().to_owned()),
            ..StoreEnv::default()
        };
        Store::open(&settings, &env).unwrap()
    }

    /// A machine with identity `keys` whose `[store].recipients` are `recipients`.
    pub(super) fn machine(&self, keys: Keys, recipients: &[&str]) -> Machine {
        self.machine_in(&self.new_dir(), keys, recipients)
    }

    /// A config dir of its own.
    pub(super) fn new_dir(&self) -> std::path::PathBuf {
        self.temp
            .path()
            .join(format!("m{:08x}", rand::random::<u32>()))
    }

    /// [`Self::machine`] in `dir`.
    pub(super) fn machine_in(&self, dir: &Path, keys: Keys, recipients: &[&str]) -> Machine {
        let descriptors = [(
            "acme".to_owned(),
            crate::store::Descriptor::of(&self.connection),
        )]
        .into();
        let vault = Vault::new(Paths::at(dir), keys)
            .with_store(self.store(recipients), descriptors)
            .unwrap();
        let client = ZendeskClient::new(Timeouts::default());
        Machine {
            refresher: Arc::new(Refresher::new(vault.clone(), client)),
            vault,
        }
    }

    /// Two machines, each listing the other.
    pub(super) fn pair_of_machines(&self) -> (Machine, Machine) {
        let (a, b) = (Keys::generate(), Keys::generate());
        let (ra, rb) = (a.recipient().to_owned(), b.recipient().to_owned());
        (self.machine(a, &[&rb]), self.machine(b, &[&ra]))
    }

    /// A grant the fake issued, stored through `machine` as a login would; `due`: with its
    /// access token already expired, so the next `ensure` refreshes.
    pub(super) fn seed(&self, machine: &Machine, due: bool) -> IssuedTokens {
        let issued = self.fake.issue_grant(CLIENT, &["read"]);
        let mut entry = self.entry(&issued);
        if due {
            let tokens = entry.tokens.as_mut().unwrap();
            tokens.expires_at = Some(Timestamp::now() - SignedDuration::from_secs(5));
        }
        let lock = machine.vault.lock_connection("acme").unwrap();
        lock.reload().unwrap();
        lock.persist(entry).unwrap();
        issued
    }

    /// `issued` as a login stores it now.
    pub(super) fn entry(&self, issued: &IssuedTokens) -> Entry {
        let now = Timestamp::now();
        let secs = |s: u64| SignedDuration::from_secs(i64::try_from(s).unwrap());
        Entry {
            tokens: Some(Tokens {
                access_token: Secret::new(&issued.access_token),
                refresh_token: Some(Secret::new(&issued.refresh_token)),
                token_type: "bearer".into(),
                scopes: vec!["read".into()],
                obtained_at: now,
                expires_at: Some(now + secs(issued.expires_in)),
                expiry_source: ExpirySource::Server,
                refresh_expires_at: Some(now + secs(issued.refresh_expires_in)),
            }),
            issuer: Some(issuer(&self.connection)),
            ..Entry::default()
        }
    }

    /// The secret as the store has it (root token), without opening it.
    pub(super) fn record(&self, name: &str) -> Option<Record> {
        self.store(&[]).read(name).unwrap()
    }

    /// Puts `lease` on the secret as it is now, as another machine's zdauth would.
    pub(super) fn put_lease(&self, name: &str, lease: Option<Lease>) {
        let record = self.record(name).unwrap();
        let data = RecordData {
            lease,
            ..record.data
        };
        let written = self.store(&[]).write(name, &data, record.version).unwrap();
        assert!(matches!(written, crate::store::Written::Version(_)));
    }

    /// A lease of a machine that is not one of ours, for `secs` from now (negative: expired).
    pub(super) fn foreign_lease(secs: i64) -> Lease {
        Lease {
            holder: "elsewhere/4242/00000000deadbeef".into(),
            until: Timestamp::now() + SignedDuration::from_secs(secs),
        }
    }

    pub(super) fn counters(&self) -> zdauth_fake::Counters {
        self.fake.counters()
    }
}

impl Machine {
    /// The refresh transaction, as a door runs it.
    pub(super) fn ensure(
        &self,
        team: &Team,
        want: crate::refresh::Want,
    ) -> Result<crate::refresh::Fresh, crate::error::Error> {
        team.runtime
            .block_on(self.refresher.ensure(&team.connection, want))
    }

    pub(super) fn stored(&self) -> Option<Entry> {
        self.vault.load_entry("acme").unwrap()
    }

    pub(super) fn stored_refresh(&self) -> String {
        self.stored()
            .and_then(|e| e.tokens)
            .and_then(|t| t.refresh_token)
            .map(|t| t.expose().to_owned())
            .unwrap_or_default()
    }
}

/// An identity's text, to open the same identity twice (`Keys` is not `Clone`).
pub(super) fn identity_text() -> String {
    use age::secrecy::ExposeSecret;
    format!(
        "{}\n",
        age::x25519::Identity::generate()
            .to_string()
            .expose_secret()
    )
}

pub(super) fn keys_of(text: &str) -> Keys {
    Keys::from_identity_text(Secret::new(text), "the test identity").unwrap()
}

/// The margin the doors use for `token`: refreshed only when due.
pub(super) const MARGIN: crate::refresh::Want =
    crate::refresh::Want::Margin(Duration::from_secs(60));
