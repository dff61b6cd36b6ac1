//! Running `exec`'s command in zdauth's place.
//!
//! zdauth becomes the command (execve) rather than waiting on a child: its exit code and the
//! signal that ends it reach the caller untouched, a terminal's Ctrl-C reaches it once, not
//! also through a forwarding parent, and the decrypted vault goes with zdauth's memory.

use std::io::ErrorKind;
use std::os::unix::process::CommandExt;

/// Shells' codes for a command that cannot be run.
const CANNOT_RUN: u8 = 126;
const NOT_FOUND: u8 = 127;

/// Returns only when the command could not be started, with the shell's code for that.
pub fn replace_process(mut cmd: std::process::Command, shown: &str) -> u8 {
    let error = cmd.exec();
    if error.kind() == ErrorKind::NotFound {
        errln!("zdauth: {shown}: command not found; check its name and $PATH");
        NOT_FOUND
    } else {
        errln!("zdauth: {shown}: cannot run it ({error}); check that it is an executable");
        CANNOT_RUN
    }
}
