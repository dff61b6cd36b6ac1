//! What every command needs: where the files are, the config, and the unlocked vault.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use zdauth_core::agent::AgentClient;
use zdauth_core::config::{AgentMode, Config};
use zdauth_core::error::Error;
use zdauth_core::paths::Paths;
use zdauth_core::vault::{self, IdentitySource, Keys, Vault};

use super::agent::running_agent;
use super::passphrase::{self, IDENTITY_FILE_VAR};
use zdauth_core::agent::unlock_keys as unlock_through;

pub struct Context {
    pub paths: Paths,
    /// False for `passwd`, which must hold the identity itself to seal it again.
    pub use_agent: bool,
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
        let source = self.identity_source(config);
        let keys = match &source {
            IdentitySource::Sealed(path) if self.use_agent && path.exists() => {
                self.keys_through_agent(config, path)?
            }
            _ => vault::unlock(&self.paths, &source, passphrase::existing)?,
        };
        let vault = Vault::new(self.paths.clone(), keys)
            .with_rescue_places(vault::rescue::user_places(&self.paths));
        // Before anything reads a token: a rescued pair replaces the spent one (item 31).
        for taken in vault.take_back_rescues()? {
            eprintln!("zdauth: {taken}");
        }
        Ok(vault)
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
        match hello {
            Some(hello) if hello.unlocked => {
                match zdauth_core::agent::keys_from(&self.paths, client.clone(), hello.recipient)? {
                    Some(keys) => Ok(keys),
                    None => unlock_through(&self.paths, client, Some(passphrase::for_agent(path)?)),
                }
            }
            // A locked agent: the user locked it (or it timed out); unlocking it again here
            // is what `zdauth unlock` would do.
            Some(_) => unlock_through(&self.paths, client, Some(passphrase::for_agent(path)?)),
            None if config.settings.agent == AgentMode::Off => local(passphrase::existing(path)?),
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
