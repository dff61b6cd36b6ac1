//! Two "machines" sharing one team store: a real OpenBao dev server of the test's own
//! (`zdauth_fake::openbao`, skipped with a message when bao is missing, a failure under CI),
//! machine one the [`World`] with the fake Zendesk, machine two a second config dir with its
//! own identity and the same `acme` connection. Both have a `[store]` table naming the test's
//! store and each other's recipient; the store token reaches every child through `BAO_TOKEN`
//! in its environment, never argv.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use zdauth::seed::{self, Pair, Seeder};
use zdauth_core::config::Config;
use zdauth_core::store::StoreEnv;
use zdauth_core::vault::{self, Entry, Keys, Vault};
use zdauth_fake::openbao::OpenBao;
use zdauth_fake::{FakeOptions, IssuedTokens};

use super::world::{CLIENT, World};
use super::{Run, Sandbox};

/// Every store variable a developer's shell may carry, removed from each child.
const STORE_VARS: [&str; 5] = [
    "BAO_ADDR",
    "BAO_TOKEN",
    "VAULT_ADDR",
    "VAULT_TOKEN",
    "ZDAUTH_STORE_SECRET_ID",
];

/// The store's secret of the connection, as the design names it.
pub const SECRET: &str = "secret/data/zdauth/acme";

pub struct Team {
    /// Dropped last: the machines' processes may still talk to it while they end.
    pub w: World,
    pub two: Sandbox,
    pub bao: OpenBao,
}

/// One machine's config dir and the store token its processes get.
#[derive(Clone, Copy)]
pub struct Machine<'a> {
    pub sb: &'a Sandbox,
    pub token: &'a str,
}

impl Team {
    /// `settings` as for [`World::with_settings`], on both machines; `None` when bao is
    /// missing outside CI (the launcher said why).
    pub fn start(settings: &str) -> Option<Self> {
        Self::start_with(settings, |_| {})
    }

    pub fn start_with(settings: &str, configure: impl FnOnce(&mut FakeOptions)) -> Option<Self> {
        let bao = OpenBao::start()?;
        let w = World::with_settings(settings, configure);
        let two = second_machine(&w, settings);
        let team = Self { w, two, bao };
        let (one, two) = (recipient(&team.w.sb), recipient(&team.two));
        join_store(&team.w.sb, &team.bao, &[two.as_str()]);
        join_store(&team.two, &team.bao, &[one.as_str()]);
        Some(team)
    }

    pub fn one(&self) -> Machine<'_> {
        Machine {
            sb: &self.w.sb,
            token: self.bao.root_token(),
        }
    }

    pub fn two(&self) -> Machine<'_> {
        Machine {
            sb: &self.two,
            token: self.bao.root_token(),
        }
    }

    /// A pair the fake issued, written into the store as machine one's login would leave
    /// it, its access token with `left` to go (negative: expired that long ago).
    pub fn seed(&self, left: SignedDuration) -> IssuedTokens {
        self.seed_named("acme", left)
    }

    /// [`Self::seed`] for another connection of machine one's config.toml.
    pub fn seed_named(&self, name: &str, left: SignedDuration) -> IssuedTokens {
        let config = Config::load(&self.w.sb.paths().config()).unwrap();
        let connection = config.connection(name).unwrap();
        let issued = self.w.fake.issue_grant(CLIENT, &seed::SCOPES);
        let tokens = Pair::issued(&issued).with_left(Timestamp::now(), left);
        let entry = Entry {
            last_refresh: Some(tokens.obtained_at),
            ..seed::entry(connection, tokens, None)
        };
        let vault = self.one().vault();
        let lock = vault.lock_connection(name).unwrap();
        lock.reload().unwrap();
        lock.persist(entry).unwrap();
        issued
    }

    /// The secret's KV v2 answer (`data.data`, `data.metadata`), `None` when there is none.
    pub fn secret(&self) -> Option<Value> {
        bao_request(&self.bao, "GET", &format!("/v1/{SECRET}"), None)
    }

    /// The lease the secret carries now, if any.
    pub fn lease(&self) -> Option<Value> {
        let lease = self.secret()?["data"]["data"]["lease"].clone();
        (!lease.is_null()).then_some(lease)
    }

    /// Writes `data` as the secret's next version, as anyone with the store token could.
    pub fn overwrite(&self, data: &Value) {
        bao_request(
            &self.bao,
            "POST",
            &format!("/v1/{SECRET}"),
            Some(&json!({ "data": data })),
        )
        .expect("the store took the write");
    }

    /// Whether the fake takes `token` on its API, asked over HTTP as any client would.
    pub fn works(&self, token: &str) -> bool {
        let url = format!("{}/api/v2/users/me.json", self.w.fake.base_url());
        // reqwest is built without a crypto provider of its own: the tree's (ring) serves it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        self.w.runtime.block_on(async {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
    }
}

impl Machine<'_> {
    /// The real binary on this machine, the store token in its environment.
    pub fn zdauth(&self, args: &[&str]) -> Command {
        let mut command = self.sb.zdauth(args);
        for var in STORE_VARS {
            command.env_remove(var);
        }
        command.env("BAO_TOKEN", self.token);
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.zdauth(args).output().unwrap())
    }

    /// [`Self::run`] with `env` added and `stdin` as the child's input.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
        use std::io::Write;
        let mut command = self.zdauth(args);
        command
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command.spawn().unwrap();
        if let Some(text) = stdin {
            let mut input = child.stdin.take().unwrap();
            input.write_all(text.as_bytes()).unwrap();
        }
        Run::of(child.wait_with_output().unwrap())
    }

    /// The printed access token of `zdauth token acme` plus `extra`, which must succeed.
    pub fn token(&self, extra: &[&str]) -> String {
        let mut args = vec!["token", "acme"];
        args.extend_from_slice(extra);
        self.run(&args).success().stdout.trim_end().to_owned()
    }

    /// The vault as this machine's doors open it: with the store.
    pub fn vault(&self) -> Vault {
        let keys = Keys::from_identity_file(&self.sb.identity_file()).unwrap();
        let config = Config::load(&self.sb.paths().config()).unwrap();
        let env = StoreEnv {
            token: Some(self.token.to_owned()),
            ..StoreEnv::default()
        };
        vault::open(&self.sb.paths(), keys, &config, &env).unwrap()
    }

    /// `acme`'s entry as this machine reads it from the store.
    pub fn stored(&self) -> Entry {
        let lock = self.vault().lock_connection("acme").unwrap();
        lock.reload().unwrap().unwrap_or_default()
    }

    pub fn stored_access(&self) -> String {
        self.stored()
            .tokens
            .unwrap()
            .access_token
            .expose()
            .to_owned()
    }
}

/// A second config dir with its own plain identity and `acme` as machine one has it.
pub fn second_machine(w: &World, settings: &str) -> Sandbox {
    let sb = Sandbox::new();
    let seeder = Seeder::create(&sb.dir(), &sb.identity_file()).unwrap();
    seeder.add(&[w.connection()]).unwrap();
    for setting in settings.lines().filter(|l| !l.trim().is_empty()) {
        set_setting(&sb, setting);
    }
    sb
}

/// A fresh config dir with its own identity and no connection: a third member.
pub fn bare_machine() -> Sandbox {
    let sb = Sandbox::new();
    Seeder::create(&sb.dir(), &sb.identity_file()).unwrap();
    sb
}

/// Replaces `[settings]`' line for the key of `setting` (`key = value`), or adds it.
pub fn set_setting(sb: &Sandbox, setting: &str) {
    let (key, _) = setting.split_once(" = ").expect("a `key = value` line");
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

/// This machine's age recipient, as recipient.txt has it.
pub fn recipient(sb: &Sandbox) -> String {
    let text = std::fs::read_to_string(sb.paths().recipient()).unwrap();
    text.lines()
        .find(|l| l.starts_with("age1"))
        .expect("recipient.txt names a recipient")
        .to_owned()
}

/// Puts a `[store]` table naming `bao` and `recipients` into config.toml, in place of one
/// there before, ahead of the connections (as a user would write it).
pub fn join_store(sb: &Sandbox, bao: &OpenBao, recipients: &[&str]) {
    let listed: Vec<String> = recipients.iter().map(|r| format!("{r:?}")).collect();
    let table = format!(
        "[store]\nkind = \"openbao\"\naddress = \"{}\"\nrecipients = [{}]\n\n",
        bao.addr(),
        listed.join(", ")
    );
    let text = sb.config_text();
    let mut kept = String::new();
    let mut in_store = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_store = line.trim() == "[store]";
        }
        if !in_store {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    let at = kept
        .find("\n[[connection]]")
        .map_or(kept.len(), |at| at + 1);
    kept.insert_str(at, &table);
    std::fs::write(sb.paths().config(), kept).unwrap();
}

/// One request to the store's HTTP API with its root token; the JSON answer, `None` on
/// 404. Panics on any other failure: the test's own store must answer.
pub fn bao_request(bao: &OpenBao, method: &str, path: &str, body: Option<&Value>) -> Option<Value> {
    let (status, answer) = bao.api(method, path, body.cloned());
    if status == 404 {
        return None;
    }
    assert!((200..300).contains(&status), "{path}: {status} {answer}");
    Some(answer)
}

/// Waits (bounded) until the fake holds a token POST, or every one of `children` has ended
/// (then the caller's checks of their output say why none came).
pub fn wait_for_post(t: &Team, children: &mut [std::process::Child]) {
    wait_until("a token POST arrived", Duration::from_secs(60), || {
        t.w.fake.counters().token_posts_in_flight > 0
            || children.iter_mut().all(|c| c.try_wait().unwrap().is_some())
    });
}

/// Waits (bounded by `within`) until `done` holds; panics naming `what` if it never does.
#[track_caller]
pub fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < within, "never {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
