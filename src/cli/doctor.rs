//! `zdauth doctor [--online]`: one line per check, `ok|warn|FAIL  what — what to do`; exit 1
//! on any FAIL. It only looks: no mode is tightened (the start-up fix is skipped for it), no
//! agent started, no passphrase asked, no token refreshed.

use jiff::Timestamp;

use super::args::DoctorArgs;
use super::context::Context;
use super::passphrase::{IDENTITY_FILE_VAR, PASSPHRASE_VAR};
use super::report::own_entry;
use crate::exit;
use zdauth_core::clipboard::Surroundings;
use zdauth_core::config::{Config, Settings};
use zdauth_core::doctor::{self, Check, Level};
use zdauth_core::error::Error;
use zdauth_core::secret::Secret;
use zdauth_core::store::Store;
use zdauth_core::vault::{self, IdentitySource, Keys};

#[derive(Default)]
struct Report {
    worst: Option<Level>,
}

impl Report {
    fn say(&mut self, check: &Check) {
        outln!("{check}");
        self.worst = self.worst.max(Some(check.level));
    }
}

pub fn doctor(ctx: &Context, args: &DoctorArgs) -> u8 {
    let mut report = Report::default();
    let (dir, go_on) = doctor::config_dir(&ctx.paths);
    report.say(&dir);
    let mut config = None;
    if go_on {
        for check in doctor::files(&ctx.paths) {
            report.say(&check);
        }
        // A missing config.toml was just reported; its parse error would say it twice.
        if ctx.paths.config().exists() {
            config = loaded(ctx, &mut report);
        }
    }
    let settings = config
        .as_ref()
        .map(|c| c.settings.clone())
        .unwrap_or_default();
    let env_identity = std::env::var(IDENTITY_FILE_VAR).ok();
    let source = vault::identity_source(&ctx.paths, &settings, env_identity.as_deref());
    // A config.toml that does not load may name the identity file: judged by the defaults,
    // the identity would be reported missing when it is not.
    let mut agent_client = None;
    if config.is_some() || !ctx.paths.config().exists() {
        report.say(&doctor::identity(&ctx.paths, &source));
        let sealed = matches!(source, IdentitySource::Sealed(_));
        let (agent, client) = doctor::agent(&ctx.paths, sealed);
        report.say(&agent);
        agent_client = client;
    }
    report.say(&doctor::clipboard(&settings, &Surroundings::from_env()));
    report.say(&doctor::browser());
    if let Some(config) = &config {
        for check in doctor::redirect_ports(config) {
            report.say(&check);
        }
        store(ctx, config, &mut report);
        states(ctx, config, &source, agent_client, &mut report);
        if args.online {
            online(config, &settings, &mut report);
        }
    }
    match report.worst {
        Some(Level::Fail) => exit::OTHER,
        _ => exit::OK,
    }
}

fn loaded(ctx: &Context, report: &mut Report) -> Option<Config> {
    match ctx.config() {
        Ok(config) => {
            let count = config.connections.len();
            let noun = if count == 1 {
                "connection"
            } else {
                "connections"
            };
            report.say(&Check::ok(format!("config.toml loads: {count} {noun}")));
            Some(config)
        }
        Err(e) => {
            report.say(&Check::fail("config.toml does not load", e.to_string()));
            None
        }
    }
}

fn states(
    ctx: &Context,
    config: &Config,
    source: &IdentitySource,
    agent: Option<(zdauth_core::agent::AgentClient, Option<String>)>,
    report: &mut Report,
) {
    if config.connections.is_empty() {
        report.say(&Check::ok(
            "connections: none yet (`zdauth add` or `zdauth import FILE` adds them)",
        ));
        return;
    }
    let opened = |keys| {
        let env = ctx.store_env(config)?.unwrap_or_default();
        vault::open(&ctx.paths, keys, config, &env)?.load()
    };
    let data = match open_without_prompt(ctx, source, agent) {
        Ok(Some(keys)) => match opened(keys) {
            Ok(data) => data,
            Err(e) => {
                report.say(&Check::fail("vault: cannot be read", e.to_string()));
                return;
            }
        },
        Ok(None) => {
            report.say(&Check::warn(
                "connection states: vault locked: skipped",
                format!(
                    "run `zdauth unlock` (or set {PASSPHRASE_VAR}), then `zdauth doctor` again"
                ),
            ));
            return;
        }
        Err(e) => {
            report.say(&Check::fail("vault: cannot be opened", e.to_string()));
            return;
        }
    };
    let now = Timestamp::now();
    for connection in &config.connections {
        let entry = own_entry(&data, connection);
        let margin = config.settings.refresh_margin;
        report.say(&doctor::token_state(connection, entry, now, margin));
    }
}

/// With `[store]`: whether it answers and its token may do what zdauth needs.
fn store(ctx: &Context, config: &Config, report: &mut Report) {
    let Some(settings) = &config.store else {
        return;
    };
    let opened = ctx
        .store_env(config)
        .and_then(|env| Store::open(settings, &env.unwrap_or_default()));
    match opened {
        Ok(store) => {
            for check in doctor::store(&store, settings) {
                report.say(&check);
            }
        }
        Err(e) => report.say(&Check::fail("store: cannot be opened", e.to_string())),
    }
}

/// The identity, if it opens without asking anyone: a plain file, an unlocked agent, or the
/// passphrase in the environment. None: it would take a prompt.
fn open_without_prompt(
    ctx: &Context,
    source: &IdentitySource,
    agent: Option<(zdauth_core::agent::AgentClient, Option<String>)>,
) -> Result<Option<Keys>, Error> {
    match source {
        IdentitySource::PlainFile(path) => Keys::from_identity_file(path).map(Some),
        // The identity check has said so.
        IdentitySource::Sealed(path) if !path.exists() => Ok(None),
        IdentitySource::Sealed(_) => {
            if let Some((client, recipient)) = agent
                && let Some(keys) = zdauth_core::agent::keys_from(&ctx.paths, client, recipient)?
            {
                return Ok(Some(keys));
            }
            match std::env::var(PASSPHRASE_VAR).ok().filter(|v| !v.is_empty()) {
                Some(passphrase) => {
                    let passphrase = Secret::new(passphrase);
                    vault::unlock(&ctx.paths, source, |_| Ok(passphrase)).map(Some)
                }
                None => Ok(None),
            }
        }
    }
}

fn online(config: &Config, settings: &Settings, report: &mut Report) {
    let connections: Vec<_> = config.connections.iter().collect();
    if connections.is_empty() {
        return;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            report.say(&Check::fail(
                format!("clock: cannot start: {e}"),
                "run it again",
            ));
            return;
        }
    };
    let timeout = settings.http_timeout;
    for check in runtime.block_on(doctor::clock_checks(&connections, timeout)) {
        report.say(&check);
    }
}
