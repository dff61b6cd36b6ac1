//! `init` and `passwd`: the identity that encrypts the vault.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::atomic_file;
use crate::config::{self, Config, ConfigEdit};
use crate::error::Error;
use crate::exit;
use crate::vault::{self, DirLock, IdentitySource, Keys, Vault};

use super::context::Context;
use super::passphrase::{self, NEW_PASSPHRASE_VAR, PASSPHRASE_VAR};

pub fn init(ctx: &Context, identity_file: Option<PathBuf>) -> anyhow::Result<u8> {
    let paths = &ctx.paths;
    paths.create_dir()?;
    let config_path = paths.config();
    let lock = DirLock::acquire(paths)?;
    if config_path.exists() {
        println!("kept {}", config_path.display());
    } else {
        atomic_file::replace(&config_path, config::EXAMPLE.as_bytes(), None)?;
        println!("wrote {}", config_path.display());
    }
    let config = Config::load(&config_path)?;

    let keys = match identity_file {
        Some(file) => {
            refuse_existing_identity(ctx)?;
            let file = std::path::absolute(&file)
                .with_context(|| format!("cannot resolve {}", file.display()))?;
            let keys = Keys::from_identity_file(&file)?;
            let mut edit = ConfigEdit::open(&config_path)?;
            edit.set_identity_file(&file.to_string_lossy());
            edit.save()?;
            println!("using the identity file {}", file.display());
            keys
        }
        None => match ctx.identity_source(&config) {
            IdentitySource::PlainFile(file) => {
                println!("using the identity file {}", file.display());
                Keys::from_identity_file(&file)?
            }
            IdentitySource::Sealed(path) => {
                refuse_existing_identity(ctx)?;
                let keys = Keys::generate();
                let passphrase = passphrase::new(PASSPHRASE_VAR)?;
                let sealed = keys.seal(&passphrase, config.settings.kdf_work_factor)?;
                atomic_file::replace(&path, &sealed, None)?;
                println!(
                    "wrote {} (scrypt work factor {})",
                    path.display(),
                    config.settings.kdf_work_factor
                );
                keys
            }
        },
    };

    vault::check_recipient(paths, &keys)?;
    vault::write_recipient(paths, &keys)?;
    let vault = Vault::new(paths.clone(), keys);
    if paths.vault().exists() {
        let data = vault.load()?;
        println!(
            "kept {} ({} stored connections)",
            paths.vault().display(),
            data.connections.len()
        );
    } else {
        vault.update_locked(&lock, |_| ())?;
        println!("wrote {}", paths.vault().display());
    }
    println!("vault recipient: {}", vault.keys().recipient());
    println!("next: zdauth add NAME --subdomain SUBDOMAIN --client-id ID");
    Ok(exit::OK)
}

fn refuse_existing_identity(ctx: &Context) -> Result<(), Error> {
    let path = ctx.paths.identity();
    if path.exists() {
        return Err(Error::IdentityExists { path });
    }
    Ok(())
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
    println!("changed the passphrase of {}", path.display());
    Ok(exit::OK)
}
