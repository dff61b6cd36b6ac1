//! `init` and `passwd`: the identity that encrypts the vault.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::exit;
use zdauth_core::atomic_file;
use zdauth_core::error::Error;
use zdauth_core::setup;
use zdauth_core::vault::{DirLock, IdentitySource};

use super::context::Context;
use super::passphrase::{self, NEW_PASSPHRASE_VAR, PASSPHRASE_VAR};

pub fn init(ctx: &Context, identity_file: Option<PathBuf>) -> anyhow::Result<u8> {
    let paths = &ctx.paths;
    let config_path = paths.config();
    // Decide and check everything before writing anything: init never replaces an identity,
    // and a refused init leaves the config dir as it found it. The example config stands in
    // for one not written yet.
    let config = setup::config_or_example(paths)?;
    let asked_for_file = identity_file.is_some();
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
    let (vault, kept) = match &plan {
        Plan::Seal(path) => {
            report_config(&config_path, setup::ensure_config(paths)?);
            let kept = paths.vault().exists();
            let work_factor = config.settings.kdf_work_factor;
            let ask = || passphrase::new(PASSPHRASE_VAR);
            let vault = setup::seal_new_identity(paths, path, ask, work_factor)?;
            outln!(
                "wrote {} (scrypt work factor {work_factor})",
                path.display()
            );
            let kept = if kept {
                Some(vault.load()?.connections.len())
            } else {
                None
            };
            (vault, kept)
        }
        Plan::UseFile(file) | Plan::ConfigureFile(file) => {
            let record = matches!(plan, Plan::ConfigureFile(_));
            // Only a path given on the command line is made: one named by settings or the
            // environment that is missing is more likely an unmounted disk than a new host.
            let done = setup::use_identity_file(paths, file, record, asked_for_file)?;
            report_config(&config_path, done.wrote_config);
            if done.created_identity {
                outln!(
                    "created the identity file {} (mode 600, no passphrase: anyone who can read it can open the vault)",
                    file.display()
                );
            } else {
                outln!("using the identity file {}", file.display());
            }
            (done.vault, done.kept_connections)
        }
    };
    match kept {
        Some(count) => outln!(
            "kept {} ({count} stored connections)",
            paths.vault().display()
        ),
        None => outln!("wrote {}", paths.vault().display()),
    }
    outln!("vault recipient: {}", vault.keys().recipient());
    outln!("next: zdauth add NAME --subdomain SUBDOMAIN --client-id ID");
    Ok(exit::OK)
}

fn report_config(path: &std::path::Path, wrote: bool) {
    if wrote {
        outln!("wrote {}", path.display());
    } else {
        outln!("kept {}", path.display());
    }
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
