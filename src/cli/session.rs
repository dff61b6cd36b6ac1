//! What the commands that use tokens share: the config, the unlocked vault behind the refresh
//! transaction (wired by the engine from the settings), and a runtime to drive it.

use std::sync::Arc;

use zdauth_core::config::{Config, Connection};
use zdauth_core::error::Error;
use zdauth_core::refresh::Refresher;

use super::context::Context;

pub struct Session {
    pub config: Config,
    pub refresher: Arc<Refresher>,
    pub runtime: tokio::runtime::Runtime,
}

impl Drop for Session {
    fn drop(&mut self) {
        // A stdin reader (login --no-browser) may still be blocked in a read; dropping the
        // runtime normally would wait for it.
        let runtime = std::mem::replace(
            &mut self.runtime,
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("an empty runtime builds"),
        );
        runtime.shutdown_background();
    }
}

impl Session {
    pub fn open(ctx: &Context) -> anyhow::Result<Self> {
        Self::with_config(ctx, ctx.config()?)
    }

    /// For a command that checked its selection against `config` first: a typo costs no
    /// passphrase.
    pub fn with_config(ctx: &Context, config: Config) -> anyhow::Result<Self> {
        let refresher = zdauth_core::session::refresher(ctx.unlock(&config)?, &config.settings);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Self {
            config,
            refresher: Arc::new(refresher),
            runtime,
        })
    }

    pub fn connection(&self, name: &str) -> Result<&Connection, Error> {
        self.config
            .connection(name)
            .ok_or_else(|| Error::UnknownConnection(name.to_owned()))
    }
}
