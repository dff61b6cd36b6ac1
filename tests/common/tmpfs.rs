//! A small tmpfs over a test's config dir, for running out of space for real (root only).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted over a dir, carrying the dir's files into it; unmounted on drop, so a
/// failing test leaves no mount behind.
pub struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// None (after a message) where mounting is not allowed.
    pub fn over(dir: &Path, options: &str) -> Option<Self> {
        let root = rustix::process::geteuid().is_root();
        let staging = dir.with_extension("before-mount");
        copy_tree(dir, &staging);
        let mounted = root
            && Command::new("mount")
                .args(["-t", "tmpfs", "-o", options, "tmpfs"])
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success());
        if !mounted {
            let why = "needs root and mount(8) to put the config dir on a small tmpfs";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
            eprintln!("skipped: {why}");
            return None;
        }
        let disk = Self {
            dir: dir.to_path_buf(),
        };
        copy_tree(&staging, dir);
        Some(disk)
    }

    /// Takes every free byte; the space comes back when the returned path is removed.
    pub fn fill(&self) -> PathBuf {
        let path = self.dir.join("filler");
        let mut file = fs::File::create(&path).unwrap();
        for chunk in [64 * 1024, 4096, 1] {
            let bytes = vec![7u8; chunk];
            while file.write_all(&bytes).is_ok() {}
        }
        let _ = file.sync_all();
        path
    }

    /// Takes every free inode (blocks stay free); they come back when the dir is removed.
    pub fn fill_inodes(&self) -> PathBuf {
        let dir = self.dir.join("inode-filler");
        fs::create_dir(&dir).unwrap();
        for n in 0.. {
            if fs::File::create(dir.join(n.to_string())).is_err() {
                break;
            }
        }
        dir
    }
    /// Fills the disk, then gives back `free` bytes; [`Self::empty`] frees it all.
    pub fn fill_leaving(&self, free: u64) {
        let mut file = fs::File::create(self.dir.join("filler")).unwrap();
        let chunk = vec![0u8; 4096];
        let mut written = 0u64;
        while file.write_all(&chunk).is_ok() {
            written += chunk.len() as u64;
        }
        file.set_len(written.saturating_sub(free)).unwrap();
    }

    pub fn empty(&self) {
        fs::remove_file(self.dir.join("filler")).unwrap();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
            // zdauth checks its dirs' modes: the copy keeps them as they were.
            fs::set_permissions(&target, entry.metadata().unwrap().permissions()).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}
