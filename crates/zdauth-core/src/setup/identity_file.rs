//! A plain age identity file made by `init --identity-file PATH` where nothing is yet: the
//! key an unattended host opens without a passphrase, so it is made as a secret file is.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use age::secrecy::ExposeSecret;

use crate::error::{Error, io_error};
use crate::paths::FILE_MODE;
use crate::secret::Secret;
use crate::vault::Keys;

/// What is at the path given for the identity file.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    Nothing,
    /// A file, or a link to something: opened (and judged) as the user's identity file.
    Something,
}

/// Looks without following a link. A link that leads nowhere is refused here: creating the
/// key "there" would write wherever the link points.
pub(super) fn inspect(path: &Path) -> Result<Found, Error> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() && fs::metadata(path).is_err() => {
            Err(Error::Usage(format!(
                "{} is a symbolic link to {}, which does not exist: zdauth makes an identity file only where nothing is; remove the link or give the path of the real file",
                path.display(),
                fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string())
            )))
        }
        Ok(_) => Ok(Found::Something),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Found::Nothing),
        Err(e) => Err(io_error("inspect", path, e)),
    }
}

/// A new identity for `path`, and the text to write there. Only checks: `path`'s dir must
/// exist already (a typo in it should not silently make a tree of dirs).
pub(super) fn generate(path: &Path) -> Result<(Keys, Secret), Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !fs::metadata(dir).is_ok_and(|meta| meta.is_dir()) {
        return Err(Error::Usage(format!(
            "cannot create the identity file {}: the directory {} does not exist; create it first, or give another path",
            path.display(),
            dir.display()
        )));
    }
    let identity = age::x25519::Identity::generate();
    let text = Secret::new(format!(
        "# created by zdauth init; a plain age identity: anyone who reads this file can open the vault\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    ));
    let keys = Keys::from_identity_text(text.clone(), &path.display().to_string())?;
    Ok((keys, text))
}

/// Creates `path` with `text`, mode 0600: only where nothing is (`O_EXCL`, which also refuses a
/// link that appeared since the look) and never through a link; synced with its dir before
/// anything refers to it.
pub(super) fn create(path: &Path, text: &Secret) -> Result<(), Error> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| io_error("create the identity file", path, e))?;
    let written = file
        // The mode asked at creation is narrowed by the umask; the file is exactly 0600.
        .set_permissions(fs::Permissions::from_mode(FILE_MODE))
        .and_then(|()| file.write_all(text.expose().as_bytes()))
        .and_then(|()| file.sync_all())
        .and_then(|()| sync_parent(path));
    if let Err(e) = written {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(io_error("write the identity file", path, e));
    }
    Ok(())
}

fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => Ok(()),
    }
}
