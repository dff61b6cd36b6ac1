//! What every command needs: where the files are, the config, and the unlocked vault.

use zdauth_core::config::Config;
use zdauth_core::error::Error;
use zdauth_core::paths::Paths;
use zdauth_core::vault::{self, IdentitySource, Vault};

use super::passphrase::{self, IDENTITY_FILE_VAR};

pub struct Context {
    pub paths: Paths,
}

impl Context {
    pub fn config(&self) -> Result<Config, Error> {
        Ok(Config::load(&self.paths.config())?)
    }

    pub fn identity_source(&self, config: &Config) -> IdentitySource {
        let env = std::env::var(IDENTITY_FILE_VAR).ok();
        vault::identity_source(&self.paths, &config.settings, env.as_deref())
    }

    /// Opens the identity (asking for the passphrase if it is sealed) once for this process.
    pub fn unlock(&self, config: &Config) -> Result<Vault, Error> {
        let source = self.identity_source(config);
        let keys = vault::unlock(&self.paths, &source, passphrase::existing)?;
        let vault = Vault::new(self.paths.clone(), keys)
            .with_rescue_places(vault::rescue::user_places(&self.paths));
        // Before anything reads a token: a rescued pair replaces the spent one (item 31).
        for taken in vault.take_back_rescues()? {
            eprintln!("zdauth: {taken}");
        }
        Ok(vault)
    }
}
