//! `zdauth` / `zdauth tui` and `zdauth demo`: the door to the TUI.

use std::path::PathBuf;
use std::sync::Arc;

use crate::demo::Demo;
use crate::exit;
use crate::logging;
use crate::tui::form::AddDefaults;
use crate::tui::runtime::gate::{Locked, first_run_then_run, unlock_then_run};
use crate::tui::runtime::run::{Setup, run};
use zdauth_core::config::{Config, ConfigError};
use zdauth_core::error::Error;
use zdauth_core::paths::Paths;
use zdauth_core::vault::IdentitySource;

use super::context::Context;
use super::passphrase::PASSPHRASE_VAR;
use super::session::Session;

pub fn tui(ctx: &Context) -> anyhow::Result<u8> {
    // First run: no config.toml yet reads as an empty one, and the welcome creates both it
    // and the identity. With an identity but no config, the usual error stands.
    let (config, missing) = match ctx.config() {
        Err(Error::Config(missing @ ConfigError::Missing { .. })) => {
            (Config::parse("", &ctx.paths.config())?, Some(missing))
        }
        other => (other?, None),
    };
    let source = ctx.identity_source(&config);
    let first_run = matches!(&source, IdentitySource::Sealed(path) if !path.exists());
    if let Some(missing) = missing.filter(|_| !first_run) {
        return Err(Error::Config(missing).into());
    }
    let passphrase_set = std::env::var_os(PASSPHRASE_VAR).is_some_and(|v| !v.is_empty());
    if first_run || (matches!(source, IdentitySource::Sealed(_)) && !passphrase_set) {
        // The passphrase is asked on the TUI's own unlock screen.
        let locked = Locked {
            paths: ctx.paths.clone(),
            source,
            config,
            no_color: no_color(),
            store_secret_id: ctx.store_secret_id.clone(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        if first_run {
            runtime.block_on(first_run_then_run(locked))?;
        } else {
            runtime.block_on(unlock_then_run(locked))?;
        }
        runtime.shutdown_background();
        return Ok(exit::OK);
    }
    let session = Session::open(ctx)?;
    let setup = Setup {
        config: session.config.clone(),
        refresher: session.refresher.clone(),
        no_color: no_color(),
        add_defaults: AddDefaults::default(),
    };
    session.runtime.block_on(run(setup))?;
    Ok(exit::OK)
}

pub fn demo(config_dir: Option<PathBuf>, verbose: bool) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let demo = Demo::start(config_dir).await?;
        logging::init(&Paths::at(demo.vault.paths().dir()), verbose);
        let refresher = zdauth_core::session::refresher(demo.vault.clone(), &demo.config.settings);
        let setup = Setup {
            config: demo.config.clone(),
            refresher: Arc::new(refresher),
            no_color: no_color(),
            add_defaults: demo.add_defaults.clone(),
        };
        run(setup).await?;
        errln!(
            "the demo ran in {} with a fake Zendesk at {}",
            demo.vault.paths().dir().display(),
            demo.fake.base_url()
        );
        Ok::<_, anyhow::Error>(())
    })?;
    runtime.shutdown_background();
    Ok(exit::OK)
}

/// <https://no-color.org>: any non-empty value.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
