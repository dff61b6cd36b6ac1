//! The calls into the C library that no safe crate wraps the way zdauth needs, in one place.
//!
//! The workspace denies `unsafe_code`; this module alone allows it, because signal handlers,
//! `prctl` and `posix_fallocate` have no safe form that keeps their semantics (rustix's
//! `fallocate` is the raw syscall, which fails on filesystems where `posix_fallocate` writes
//! the blocks itself). Each call states why it is sound.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

pub use libc::c_int as Signal;
pub use libc::{SIGHUP, SIGTTOU};
pub(crate) use libc::{SIGINT, SIGTERM};

/// Leaves no core dump, and a process of the same user can neither ptrace this one nor read
/// its /proc/PID/mem. Returns whether the kernel agreed.
pub(crate) fn set_non_dumpable() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes an integer and touches no memory of ours.
        unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Ignores `signal` from now on (and in children, which inherit `SIG_IGN` through `execve`).
pub fn ignore_signal(signal: Signal) {
    // SAFETY: setting a disposition to SIG_IGN touches no memory.
    unsafe {
        libc::signal(signal, libc::SIG_IGN);
    }
}

/// Runs `handler` on `signal`. The handler must be async-signal-safe.
pub(crate) fn catch_signal(signal: Signal, handler: extern "C" fn(Signal)) {
    // SAFETY: the caller's handler is async-signal-safe (shield's touches atomics, signal(2)
    // and raise(3) only), and a function pointer is what signal(2) takes.
    unsafe {
        libc::signal(signal, handler as *const () as libc::sighandler_t);
    }
}

/// Ends the process by `signal` with its default action, as if it had not been caught.
/// Async-signal-safe, so a handler may call it.
pub(crate) fn end_by(signal: Signal) {
    // SAFETY: both are async-signal-safe and take plain integers.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// This machine's name as gethostname(2) has it (a store lease names its holder by it);
/// None when the call fails.
pub(crate) fn hostname() -> Option<String> {
    let mut name = [0u8; 256];
    // SAFETY: the buffer is writable for the length passed; what is read back stops at the
    // first NUL, or at the buffer's end when the name was cut.
    let code = unsafe { libc::gethostname(name.as_mut_ptr().cast(), name.len()) };
    if code != 0 {
        return None;
    }
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    Some(String::from_utf8_lossy(&name[..end]).into_owned())
}

/// Real blocks for `len` bytes of `file`, not a sparse length. `Unsupported` where the
/// filesystem has no fallocate and the C library passes that through (musl).
pub(crate) fn allocate(file: &File, len: u64) -> io::Result<()> {
    let len = libc::off_t::try_from(len).map_err(|_| io::Error::other("file too large"))?;
    // SAFETY: the descriptor is open for writing and stays open for the call.
    let code = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len) };
    match code {
        0 => Ok(()),
        libc::EOPNOTSUPP => Err(io::ErrorKind::Unsupported.into()),
        code => Err(io::Error::from_raw_os_error(code)),
    }
}

/// Starts the program `command` spawns in a session of its own: no controlling terminal, so
/// a closed terminal's SIGHUP and the shell's job control never reach it (the agent).
pub fn new_session_on_spawn(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the hook runs in the child between fork and exec, where only async-signal-safe
    // calls are allowed; setsid(2) is one, and the closure touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Takes `var` out of this process's environment (and so out of /proc/PID/environ's view
/// for what the process reads later, and out of every child's).
///
/// Call it only before the process starts threads: setenv and getenv are not thread-safe.
pub(crate) fn remove_env_before_threads(var: &str) {
    // SAFETY: the caller (the agent's start) runs before any thread of this process exists,
    // so nothing reads the environment concurrently.
    unsafe { std::env::remove_var(var) }
}

/// This process's effective user id: whom the agent answers.
pub(crate) fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Keeps every page of this process, present and future, out of swap once touched
/// (`MCL_ONFAULT`: nothing is faulted in early). Only where `RLIMIT_MEMLOCK` is unlimited or
/// the process may exceed it (root): with a finite limit, `MCL_FUTURE` would turn the
/// scrypt buffer's allocation into a failure. Returns whether it was done, and why not.
pub(crate) fn lock_memory() -> Result<(), String> {
    use rustix::mm::{MlockAllFlags, mlockall};
    use rustix::process::{Resource, getrlimit};
    let limit = getrlimit(Resource::Memlock);
    if limit.current.is_some() && euid() != 0 {
        return Err(format!(
            "RLIMIT_MEMLOCK is {} bytes, too small for scrypt's buffer",
            limit.current.unwrap_or_default()
        ));
    }
    mlockall(MlockAllFlags::CURRENT | MlockAllFlags::FUTURE | MlockAllFlags::ONFAULT)
        .map_err(|e| e.to_string())
}

/// glibc: every thread allocates from the one main arena (`M_ARENA_MAX` = 1). Elsewhere there
/// is no such knob and nothing is done.
pub(crate) fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt takes two integers and changes only the allocator's own tuning; it
        // is called before the agent starts any thread.
        let done = unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
        if done != 1 {
            tracing::debug!("mallopt(M_ARENA_MAX, 1) was refused");
        }
    }
}
