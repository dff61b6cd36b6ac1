//! `init` and `passwd`: the identity that encrypts the vault.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::exit;
use zdauth_core::atomic_file;
use zdauth_core::config::{Config, ConfigEdit};
use zdauth_core::error::Error;
use zdauth_core::setup;
use zdauth_core::vault::{self, DirLock, IdentitySource, Keys, Vault};

use super::context::Context;
use super::passphrase::{self, NEW_PASSPHRASE_VAR, PASSPHRASE_VAR};

pub fn init(ctx: &Context, identity_file: Option<PathBuf>) -> anyhow::Result<u8> {
    let paths = &ctx.paths;
    let config_path = paths.config();
    if setup::ensure_config(paths)? {
        outln!("wrote {}", config_path.display());
    } else {
        outln!("kept {}", config_path.display());
    }
    let config = Config::load(&config_path)?;

    // Decide and check everything before writing anything: init never replaces an identity.
    let plan = match (identity_file, ctx.identity_source(&config)) {
        (_, IdentitySource::Sealed(path)) if path.exists() => {
            return Err(Error::IdentityExists { path }.into());
        }
        (Some(file), IdentitySource::PlainFile(current)) => {
            let file = absolute(&file)?;
            if file != current {
                return Err(Error::Usage(format!(
                    "the identity file {} is already configured; zdauth init never replaces an identity (edit settings.identity_file yourself if you mean it)",
                    current.display()
                ))
                .into());
            }
            Plan::UseFile(file)
        }
        (Some(file), IdentitySource::Sealed(_)) => Plan::ConfigureFile(absolute(&file)?),
        (None, IdentitySource::PlainFile(file)) => Plan::UseFile(file),
        (None, IdentitySource::Sealed(path)) => Plan::Seal(path),
    };
    let existed = paths.vault().exists();
    let vault = match &plan {
        Plan::Seal(path) => {
            let work_factor = config.settings.kdf_work_factor;
            let ask = || passphrase::new(PASSPHRASE_VAR);
            let vault = setup::seal_new_identity(paths, path, ask, work_factor)?;
            outln!(
                "wrote {} (scrypt work factor {work_factor})",
                path.display()
            );
            vault
        }
        Plan::UseFile(file) | Plan::ConfigureFile(file) => {
            let keys = Keys::from_identity_file(file)?;
            vault::check_recipient(paths, &keys)?;
            let vault = Vault::new(paths.clone(), keys);
            if existed {
                vault.load()?;
            }
            let lock = DirLock::acquire(paths)?;
            if let Plan::ConfigureFile(_) = plan {
                let mut edit = ConfigEdit::open(&config_path)?;
                edit.set_identity_file(&file.to_string_lossy());
                edit.save()?;
            }
            outln!("using the identity file {}", file.display());
            setup::create_vault(&vault, &lock)?;
            vault::write_recipient(paths, vault.keys())?;
            vault
        }
    };
    if existed {
        let data = vault.load()?;
        outln!(
            "kept {} ({} stored connections)",
            paths.vault().display(),
            data.connections.len()
        );
    } else {
        outln!("wrote {}", paths.vault().display());
    }
    outln!("vault recipient: {}", vault.keys().recipient());
    outln!("next: zdauth add NAME --subdomain SUBDOMAIN --client-id ID");
    Ok(exit::OK)
}

enum Plan {
    /// Seal a new identity into identity.age.
    Seal(PathBuf),
    /// Record a plain identity file in config.toml.
    ConfigureFile(PathBuf),
    /// A plain identity file is already configured.
    UseFile(PathBuf),
}

fn absolute(file: &std::path::Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(file).with_context(|| format!("cannot resolve {}", file.display()))
}

pub fn passwd(ctx: &Context) -> anyhow::Result<u8> {
    let config = ctx.config()?;
    let path = match ctx.identity_source(&config) {
        IdentitySource::Sealed(path) => path,
        IdentitySource::PlainFile(file) => {
            return Err(Error::Usage(format!(
                "this setup uses the plain identity file {}, which has no passphrase; passwd changes identity.age only",
                file.display()
            ))
            .into());
        }
    };
    let vault = ctx.unlock(&config)?;
    let passphrase = passphrase::new(NEW_PASSPHRASE_VAR)?;
    let sealed = vault
        .keys()
        .seal(&passphrase, config.settings.kdf_work_factor)?;
    let _lock = DirLock::acquire(&ctx.paths)?;
    atomic_file::replace(&path, &sealed, None)?;
    outln!("changed the passphrase of {}", path.display());
    Ok(exit::OK)
}
