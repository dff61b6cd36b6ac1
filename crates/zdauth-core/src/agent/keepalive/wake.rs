//! Waking keep-alive when vault.age or config.toml changes, so a connection logged in (or a
//! keepalive setting changed) meanwhile is scheduled at once, not at the old deadline.
//!
//! inotify through rustix (already a dependency, with `fs`) and tokio's `AsyncFd` rather than
//! the `notify` crate: one directory and two names need a dozen lines, where `notify` brings
//! its own thread, channel and dependency tree for backends we would not use. Off Linux (and
//! if inotify cannot be set up) nothing wakes it early, and the loop's long timer is the
//! fallback.

use std::time::Duration;

use crate::paths::Paths;

/// Writes come in bursts (a group commit, a `refresh --all`): one pass after the burst.
pub(crate) const SETTLE: Duration = Duration::from_millis(200);

pub(crate) struct Waker {
    #[cfg(target_os = "linux")]
    watch: Option<linux::Watch>,
}

impl Waker {
    /// Watches `paths`'s config dir; a waker that never fires if that cannot be done.
    pub(crate) fn watch(paths: &Paths) -> Self {
        #[cfg(target_os = "linux")]
        {
            let watch = linux::Watch::new(paths)
                .map_err(|e| tracing::debug!(error = %e, "keep-alive: no inotify watch; a timer stands in"))
                .ok();
            Self { watch }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = paths;
            Self {}
        }
    }

    /// Whether a change will wake it; if not, the caller sleeps in shorter steps.
    pub(crate) fn watching(&self) -> bool {
        #[cfg(target_os = "linux")]
        return self.watch.is_some();
        #[cfg(not(target_os = "linux"))]
        false
    }

    /// Resolves once vault.age or config.toml may have changed, after the burst settles.
    pub(crate) async fn changed(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(watch) = &mut self.watch {
            match watch.changed().await {
                Ok(()) => {
                    tokio::time::sleep(SETTLE).await;
                    if watch.drain().is_ok() {
                        return;
                    }
                }
                Err(e) => tracing::debug!(error = %e, "keep-alive: the inotify watch ended"),
            }
            // Gone (the dir was removed, or the queue broke): the timer stands in.
            self.watch = None;
        }
        std::future::pending::<()>().await;
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::OsString;
    use std::io;
    use std::mem::MaybeUninit;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;

    use rustix::fs::inotify::{self, CreateFlags, ReadFlags, WatchFlags};
    use tokio::io::unix::AsyncFd;

    use crate::paths::Paths;

    pub(super) struct Watch {
        fd: AsyncFd<OwnedFd>,
        names: [OsString; 2],
    }

    /// Whether events were read, and whether one was about a file of ours.
    enum Drained {
        Relevant,
        Irrelevant,
    }

    impl Watch {
        pub(super) fn new(paths: &Paths) -> io::Result<Self> {
            let fd = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK)?;
            // Atomic saves arrive as a rename (MOVED_TO), editors' in-place saves as
            // CLOSE_WRITE; the dir itself going away ends the watch.
            inotify::add_watch(
                &fd,
                paths.dir(),
                WatchFlags::CLOSE_WRITE
                    | WatchFlags::MOVED_TO
                    | WatchFlags::DELETE
                    | WatchFlags::DELETE_SELF
                    | WatchFlags::MOVE_SELF
                    | WatchFlags::ONLYDIR,
            )?;
            let name = |path: std::path::PathBuf| {
                path.file_name().map(ToOwned::to_owned).unwrap_or_default()
            };
            // tokio deprecates `new` because a type's fd could change under the reactor
            // (its replacement, `register`, is `unsafe`, which only sys.rs may use); an
            // OwnedFd's cannot: it owns one descriptor, open until dropped with the AsyncFd.
            #[allow(deprecated)]
            let fd = AsyncFd::new(fd)?;
            Ok(Self {
                fd,
                names: [name(paths.vault()), name(paths.config())],
            })
        }

        /// Waits for an event about vault.age or config.toml.
        pub(super) async fn changed(&mut self) -> io::Result<()> {
            loop {
                let mut ready = self.fd.readable().await?;
                let drained = read_all(ready.get_inner(), &self.names);
                ready.clear_ready();
                if let Drained::Relevant = drained? {
                    return Ok(());
                }
            }
        }

        /// Reads what is queued without waiting, so the burst just settled wakes no pass.
        pub(super) fn drain(&mut self) -> io::Result<()> {
            read_all(self.fd.get_ref(), &self.names).map(|_| ())
        }
    }

    fn read_all(fd: &OwnedFd, names: &[OsString; 2]) -> io::Result<Drained> {
        let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
        let mut events = inotify::Reader::new(fd, &mut buf);
        let mut drained = Drained::Irrelevant;
        loop {
            match events.next() {
                Ok(event) => {
                    let gone = ReadFlags::IGNORED | ReadFlags::DELETE_SELF | ReadFlags::MOVE_SELF;
                    if event.events().intersects(gone) {
                        return Err(io::Error::other("the config dir went away"));
                    }
                    let ours = event
                        .file_name()
                        .is_some_and(|name| names.iter().any(|n| n.as_bytes() == name.to_bytes()));
                    if ours {
                        drained = Drained::Relevant;
                    }
                }
                Err(rustix::io::Errno::AGAIN) => return Ok(drained),
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}
