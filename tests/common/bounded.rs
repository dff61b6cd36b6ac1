//! The binary run so that a regression fails instead of hanging CI or filling the machine's
//! memory: killed if it has not ended by a generous deadline (a guard, not a timing), with its
//! address space capped, and optionally with a cap on the size of any file it writes. The
//! limits are set in the child, by the programs that exec it, never in the test process.

use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use super::{Run, Sandbox};

/// Far beyond what any of these commands takes, even on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(60);
/// zdauth needs a few hundred MiB of address space at most; `/dev/zero` read whole needs all.
const ADDRESS_SPACE: u64 = 1 << 30;

#[derive(Default, Clone, Copy)]
pub struct Limits {
    /// `RLIMIT_FSIZE`: a write past it fails with `EFBIG`, as on a full disk (`SIGXFSZ` ignored).
    pub file_size: Option<u64>,
}

impl Sandbox {
    pub fn run_bounded(&self, args: &[&str], env: &[(&str, &str)], limits: Limits) -> Run {
        let address_space = format!("--as={ADDRESS_SPACE}");
        let file_size = limits.file_size.map(|size| format!("--fsize={size}"));
        // util-linux's prlimit sets the limits on itself and execs the rest; the shell
        // ignores SIGXFSZ (an ignored signal stays ignored across exec).
        let mut launcher = vec!["prlimit", &address_space];
        if let Some(file_size) = &file_size {
            launcher.extend([
                file_size.as_str(),
                "sh",
                "-c",
                "trap '' XFSZ; exec \"$@\"",
                "sh",
            ]);
        }
        let mut command = self.zdauth_through(&launcher, args);
        command
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > DEADLINE {
                let _ = child.kill();
                let output = child.wait_with_output().unwrap();
                panic!(
                    "zdauth {args:?} hung and was killed; stderr: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
        Run::of(child.wait_with_output().unwrap())
    }
}
