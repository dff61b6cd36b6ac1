//! A sandbox wired to a fake Zendesk on loopback, with one connection `acme` pointing at it,
//! seeded by `zdauth::seed` as the demo and the benches seed theirs.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use zdauth::seed::{self, Pair, Seeder};
use zdauth_core::config::Config;
use zdauth_core::secret::Secret;
use zdauth_core::vault::Entry;
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk};

use super::Sandbox;

/// The Chat OAuth client of [`World::with_chat_client`].
pub const CHAT_CLIENT: &str = "zdauth_chat";

pub const CLIENT: &str = "zdauth_test";

pub struct World {
    pub sb: Sandbox,
    pub runtime: tokio::runtime::Runtime,
    pub fake: FakeZendesk,
    pub port: u16,
    seeder: Seeder,
}

/// A port that was free a moment ago (the catcher binds it later). Taken below the kernel's
/// ephemeral range (32768 and up by default), in turns from a process-wide counter: an
/// ephemeral port handed back can be taken meanwhile as the source port of any outgoing
/// connection, and the agent and keep-alive tests make thousands of them on loopback.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const FIRST: u16 = 20_000;
    const SPAN: u16 = 12_000;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = u16::try_from(std::process::id() % u32::from(SPAN)).unwrap();
    for _ in 0..SPAN {
        let step = NEXT.fetch_add(1, Ordering::Relaxed) % SPAN;
        let port = FIRST + (start + step) % SPAN;
        // Asked by connecting, not by binding: a probe listener could be held open by a
        // process another test is spawning (between its fork and its exec), and the port
        // would then be busy when the catcher binds it.
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let refused = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500))
            .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
        if refused {
            return port;
        }
    }
    panic!("no free port in {FIRST}..{}", FIRST + SPAN)
}

impl World {
    pub fn new(configure: impl FnOnce(&mut FakeOptions)) -> Self {
        Self::with_settings("", configure)
    }

    /// `settings` are `[settings]` lines for config.toml, one `key = value` a line.
    pub fn with_settings(settings: &str, configure: impl FnOnce(&mut FakeOptions)) -> Self {
        let sb = Sandbox::new();
        let seeder = Seeder::create(&sb.dir(), &sb.identity_file()).unwrap();
        for setting in settings.lines().filter(|l| !l.trim().is_empty()) {
            // Replaces the example's line for that key, or adds one.
            let (key, _) = setting
                .split_once(" = ")
                .expect("settings are `key = value` lines");
            let text = sb.config_text();
            let mut lines: Vec<String> = text
                .lines()
                .filter(|l| !l.starts_with(&format!("{key} = ")))
                .map(str::to_owned)
                .collect();
            let at = lines.iter().position(|l| l == "[settings]").unwrap() + 1;
            lines.insert(at, setting.to_owned());
            std::fs::write(sb.paths().config(), lines.join("\n") + "\n").unwrap();
        }
        let port = free_port();
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let mut options = FakeOptions {
            clients: vec![FakeClient::public(CLIENT, &redirect)],
            ..FakeOptions::default()
        };
        configure(&mut options);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let fake = runtime.block_on(FakeZendesk::start(options)).unwrap();
        let acme = seed::connection("acme", "acme", CLIENT, port, Some(&fake.base_url())).unwrap();
        seeder.add(&[acme]).unwrap();
        Self {
            sb,
            runtime,
            fake,
            port,
            seeder,
        }
    }

    pub fn connection(&self) -> zdauth_core::config::Connection {
        self.connection_named("acme")
    }

    fn connection_named(&self, name: &str) -> zdauth_core::config::Connection {
        Config::load(&self.sb.paths().config())
            .unwrap()
            .connection(name)
            .unwrap()
            .clone()
    }

    /// Tokens issued by the fake without a browser, stored as a login would store them.
    pub fn seed(&self) -> zdauth_fake::IssuedTokens {
        self.seed_named("acme")
    }

    /// A world whose fake also knows a Chat OAuth client, [`CHAT_CLIENT`], on the same
    /// redirect URI as the Support one.
    pub fn with_chat_client() -> Self {
        Self::new(|options| {
            let redirect = options.clients[0].redirect_uris[0].clone();
            options
                .clients
                .push(FakeClient::chat(CHAT_CLIENT, &redirect));
        })
    }

    /// `zdauth add chat` for [`CHAT_CLIENT`] on the fake (subdomain acme), plus `extra` flags.
    pub fn add_chat(&self, extra: &[&str]) {
        let (port, base) = (self.port.to_string(), self.fake.base_url());
        let mut args = vec![
            "add",
            "chat",
            "--subdomain",
            "acme",
            "--client-id",
            CHAT_CLIENT,
            "--kind",
            "chat",
            "--base-url",
            &base,
            "--redirect-port",
            &port,
        ];
        args.extend_from_slice(extra);
        self.sb.run(&args).success();
    }

    /// Another connection to the fake, on `subdomain`, with tokens stored.
    pub fn add_seeded(&self, name: &str, subdomain: &str) {
        let base_url = self.fake.base_url();
        let connection =
            seed::connection(name, subdomain, CLIENT, self.port, Some(&base_url)).unwrap();
        self.seeder.add(&[connection]).unwrap();
        self.seed_named(name);
    }

    /// A pair the fake issued, stored as a login at this moment would store it.
    fn seed_named(&self, name: &str) -> zdauth_fake::IssuedTokens {
        let issued = self.fake.issue_grant(CLIENT, &seed::SCOPES);
        let tokens = Pair::issued(&issued).obtained_at(Timestamp::now());
        let entry = seed::entry(&self.connection_named(name), tokens, None);
        self.seeder.store([(name.to_owned(), entry)]).unwrap();
        issued
    }

    /// Moves the stored pair `secs` into the past (seed first): obtained and expiring that
    /// much earlier, as if time had passed.
    pub fn age_pair(&self, secs: i64) {
        let lock = self.sb.vault().lock_connection("acme").unwrap();
        let mut entry = lock.reload().unwrap().unwrap();
        let tokens = entry.tokens.as_mut().unwrap();
        let back = SignedDuration::from_secs(secs);
        tokens.obtained_at -= back;
        tokens.expires_at = tokens.expires_at.map(|at| at - back);
        lock.persist(entry).unwrap();
    }

    /// Replaces the stored access token (seed first), e.g. with characters a shell acts on.
    pub fn set_access(&self, token: &str) {
        let lock = self.sb.vault().lock_connection("acme").unwrap();
        let mut entry = lock.reload().unwrap().unwrap();
        entry.tokens.as_mut().unwrap().access_token = Secret::new(token);
        lock.persist(entry).unwrap();
    }

    pub fn stored(&self) -> Entry {
        self.sb
            .vault()
            .load()
            .unwrap()
            .connections
            .remove("acme")
            .unwrap_or_default()
    }

    pub fn stored_access(&self) -> String {
        self.stored()
            .tokens
            .unwrap()
            .access_token
            .expose()
            .to_owned()
    }

    pub fn stored_refresh(&self) -> String {
        self.stored()
            .tokens
            .unwrap()
            .refresh_token
            .unwrap()
            .expose()
            .to_owned()
    }

    /// A BROWSER program that follows every redirect, as a browser whose user clicks Allow.
    pub fn browser(&self) -> String {
        let script = self.sb.temp.path().join("browser.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nexec curl -sS -L --max-time 20 -o /dev/null \"$1\"\n",
        )
        .unwrap();
        format!("sh {}", script.display())
    }

    /// `zdauth login acme` through [`Self::browser`]; the run, which the caller checks.
    pub fn login(&self) -> super::Run {
        let browser = self.browser();
        self.sb.run_with(
            &["login", "acme", "--timeout", "30s"],
            &[("BROWSER", &browser)],
            None,
        )
    }
}
