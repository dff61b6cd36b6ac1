//! Room for the next vault, proved before a refresh token is spent (checklist item 31).
//!
//! A refresh that rotates and then cannot save has lost the grant unless a rescue works, so
//! the space the save needs is taken first: an unnamed file in the vault's dir, allocated as
//! large as the next vault can be. It is given back just before the save, which then finds that
//! space free even if the disk filled up while the request was on the wire. Unnamed, it can
//! never be left behind: the kernel frees it when the process ends, however it ends.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use crate::error::Error;
use crate::paths::Paths;

/// Room for the new pair on top of today's vault: far more than any pair Zendesk issues
/// (a few KB), and the log line or two written before the save.
const MARGIN: u64 = 64 * 1024;

/// Space held in the vault's dir until dropped.
#[derive(Debug)]
pub(crate) struct Reserved {
    _space: File,
}

impl Reserved {
    /// Hands the space back for the save that follows.
    pub(crate) fn release(self) {
        drop(self);
    }
}

/// Takes as much space as the next vault.age will need, or says there is none.
pub(crate) fn reserve(paths: &Paths) -> Result<Reserved, Error> {
    // A linked vault.age is saved beside its target, so that is where the room must be.
    let target = crate::atomic_file::link_target(&paths.vault())?;
    let dir = target
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(paths.dir());
    let current = std::fs::metadata(paths.vault()).map_or(0, |m| m.len());
    let wanted = current + MARGIN;
    let space = tempfile::tempfile_in(dir).map_err(|e| no_room(dir, e))?;
    allocate(&space, wanted).map_err(|e| no_room(dir, e))?;
    Ok(Reserved { _space: space })
}

fn no_room(dir: &Path, cause: io::Error) -> Error {
    Error::NoRoom {
        dir: dir.to_path_buf(),
        cause,
    }
}

/// Real blocks, not a sparse length: what a later write into the same dir can count on.
fn allocate(file: &File, len: u64) -> io::Result<()> {
    match crate::sys::allocate(file, len) {
        // Filesystems without fallocate: write the zeros.
        Err(e) if e.kind() == io::ErrorKind::Unsupported => {
            let mut writer = io::BufWriter::new(file);
            io::copy(&mut io::repeat(0).take(len), &mut writer)?;
            writer.flush()?;
            drop(writer);
            file.sync_all()
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reservation_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let reserved = reserve(&paths).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        reserved.release();
    }

    #[test]
    fn a_missing_dir_is_no_room_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path().join("gone"));
        let error = reserve(&paths).unwrap_err().to_string();
        assert!(error.contains("gone"), "{error}");
        assert!(error.contains("your tokens were kept"), "{error}");
    }
}
