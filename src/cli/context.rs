//! What every command needs: where the files are, the config, and the unlocked vault.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use zdauth_core::agent::{AgentClient, LockedBy};
use zdauth_core::config::{AgentMode, Config};
use zdauth_core::error::Error;
use zdauth_core::paths::Paths;
use zdauth_core::store::StoreEnv;
use zdauth_core::vault::{self, IdentitySource, Keys, Vault};

use super::agent::running_agent;
use super::passphrase::{self, IDENTITY_FILE_VAR};
use zdauth_core::agent::unlock_keys as unlock_through;

pub struct Context {
    pub paths: Paths,
    /// False for `passwd`, which must hold the identity itself to seal it again.
    pub use_agent: bool,
    /// The team store's AppRole secret id, read from stdin at the start
    /// (`--store-secret-id-stdin`).
    pub store_secret_id: Option<zdauth_core::secret::Secret>,
}

/// "Could not use the agent" is said once per process, however often the vault is opened.
static WARNED: AtomicBool = AtomicBool::new(false);

impl Context {
    pub fn config(&self) -> Result<Config, Error> {
        Ok(Config::load(&self.paths.config())?)
    }

    pub fn identity_source(&self, config: &Config) -> IdentitySource {
        let env = std::env::var(IDENTITY_FILE_VAR).ok();
        vault::identity_source(&self.paths, &config.settings, env.as_deref())
    }

    /// Opens the identity once for this process: through the agent for a sealed identity
    /// (starting it when `settings.agent = "auto"`), else here, asking for the passphrase
    /// if it is sealed.
    pub fn unlock(&self, config: &Config) -> Result<Vault, Error> {
        // The store's settings are checked before a passphrase is asked.
        let env = self.store_env(config)?.unwrap_or_default();
        let vault = vault::open(&self.paths, self.keys(config)?, config, &env)?;
        // Before anything reads a token: a rescued pair replaces the spent one (item 31).
        for taken in vault.take_back_rescues()? {
            eprintln!("zdauth: {taken}");
        }
        Ok(vault)
    }

    /// The identity alone (see [`Self::unlock`]).
    pub fn keys(&self, config: &Config) -> Result<Keys, Error> {
        let source = self.identity_source(config);
        match &source {
            IdentitySource::Sealed(path) if self.use_agent && path.exists() => {
                self.keys_through_agent(config, path)
            }
            _ => vault::unlock(&self.paths, &source, passphrase::existing),
        }
    }

    /// How this process reaches the team store; `None` without `[store]`.
    pub fn store_env(&self, config: &Config) -> Result<Option<StoreEnv>, Error> {
        super::store_env::store_env(config, self.store_secret_id.as_ref())
    }

    /// The identity of a running agent; or, asking the passphrase once, of an agent this
    /// command starts or unlocks; or opened here if the agent cannot be had.
    fn keys_through_agent(&self, config: &Config, path: &Path) -> Result<Keys, Error> {
        let local = |passphrase: zdauth_core::secret::Secret| {
            let source = IdentitySource::Sealed(path.to_path_buf());
            vault::unlock(&self.paths, &source, |_| Ok(passphrase))
        };
        let running = AgentClient::new(&self.paths).and_then(|c| Ok((c.hello()?, c)));
        let (hello, client) = match running {
            Ok(found) => found,
            Err(e) => {
                warn_once(&e);
                return local(passphrase::existing(path)?);
            }
        };
        let off = config.settings.agent == AgentMode::Off;
        match hello {
            Some(hello) if hello.unlocked => {
                match zdauth_core::agent::keys_from(&self.paths, client.clone(), hello.recipient)? {
                    Some(keys) => Ok(keys),
                    // Locked between its hello and now.
                    None => self.through_locked_agent(client, path, off),
                }
            }
            Some(_) => self.through_locked_agent(client, path, off),
            None if off => local(passphrase::existing(path)?),
            None => {
                let passphrase = passphrase::existing(path)?;
                match running_agent(&self.paths) {
                    // The agent's answer stands, a wrong passphrase included: its scrypt
                    // said so, and running one here too would only double the wait.
                    Ok((client, _)) => unlock_through(&self.paths, client, Some(passphrase)),
                    // Never worse than without an agent.
                    Err(e) => {
                        warn_once(&e);
                        local(passphrase)
                    }
                }
            }
        }
    }

    /// A locked agent is unlocked again here only when it locked by itself (its timeout) or
    /// never was: after `zdauth lock` the user wants it to forget the identity, and `off`
    /// uses an agent the user unlocked but never unlocks one. Otherwise this command opens
    /// the identity for itself and the agent stays locked.
    fn through_locked_agent(
        &self,
        client: AgentClient,
        path: &Path,
        off: bool,
    ) -> Result<Keys, Error> {
        let passphrase = passphrase::for_agent(path)?;
        let reunlock = !off
            && client
                .status()
                .ok()
                .flatten()
                .is_some_and(|status| status.locked_by != Some(LockedBy::Command));
        if reunlock {
            return unlock_through(&self.paths, client, Some(passphrase));
        }
        let source = IdentitySource::Sealed(path.to_path_buf());
        vault::unlock(&self.paths, &source, |_| Ok(passphrase))
    }
}

fn warn_once(e: &Error) {
    if !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(error = %e, "opening the identity without the agent");
        eprintln!(
            "zdauth: warning: {}; opening the identity here instead",
            zdauth_core::text::display(&e.to_string())
        );
    }
}
