//! A sandbox wired to a fake Zendesk on loopback, with one connection `acme` pointing at it.

use std::net::TcpListener;

use jiff::{SignedDuration, Timestamp};
use zdauth_core::config::Config;
use zdauth_core::secret::Secret;
use zdauth_core::vault::{Entry, Tokens};
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk};

use super::Sandbox;

pub const CLIENT: &str = "zdauth_test";

pub struct World {
    pub sb: Sandbox,
    pub runtime: tokio::runtime::Runtime,
    pub fake: FakeZendesk,
    pub port: u16,
}

/// A port that was free a moment ago (the catcher binds it later).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl World {
    pub fn new(configure: impl FnOnce(&mut FakeOptions)) -> Self {
        Self::with_settings("", configure)
    }

    /// `settings` are `[settings]` lines for config.toml, one `key = value` a line.
    pub fn with_settings(settings: &str, configure: impl FnOnce(&mut FakeOptions)) -> Self {
        let sb = Sandbox::new();
        sb.init_with_identity_file();
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
        let port_text = port.to_string();
        sb.run(&[
            "add",
            "acme",
            "--subdomain",
            "acme",
            "--client-id",
            CLIENT,
            "--base-url",
            &fake.base_url(),
            "--redirect-port",
            &port_text,
        ])
        .success();
        Self {
            sb,
            runtime,
            fake,
            port,
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

    /// Another connection to the fake, on `subdomain`, with tokens stored.
    pub fn add_seeded(&self, name: &str, subdomain: &str) {
        let port = self.port.to_string();
        let base_url = self.fake.base_url();
        self.sb
            .run(&[
                "add",
                name,
                "--subdomain",
                subdomain,
                "--client-id",
                CLIENT,
                "--base-url",
                &base_url,
                "--redirect-port",
                &port,
            ])
            .success();
        self.seed_named(name);
    }

    fn seed_named(&self, name: &str) -> zdauth_fake::IssuedTokens {
        let issued = self.fake.issue_grant(CLIENT, &["read", "write"]);
        let now = Timestamp::now();
        let entry = Entry {
            tokens: Some(Tokens {
                access_token: Secret::new(issued.access_token.clone()),
                refresh_token: Some(Secret::new(issued.refresh_token.clone())),
                token_type: "bearer".into(),
                scopes: vec!["read".into(), "write".into()],
                obtained_at: now,
                expires_at: Some(now + SignedDuration::from_secs(issued.expires_in as i64)),
                expiry_source: zdauth_core::expiry::ExpirySource::Server,
                refresh_expires_at: Some(
                    now + SignedDuration::from_secs(issued.refresh_expires_in as i64),
                ),
            }),
            issuer: Some(zdauth_core::zendesk::issuer(&self.connection_named(name))),
            ..Entry::default()
        };
        self.sb
            .vault()
            .lock_connection(name)
            .unwrap()
            .persist(entry)
            .unwrap();
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
