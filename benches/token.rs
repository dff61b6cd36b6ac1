//! `zdauth token NAME` (valid stored token, plain identity file) beside the stock
//! `age -d -i key vault.age` on the same vault, at 10 / 100 / 1,000 connections: whole-process
//! wall time, median of 31 runs each. The two are run in turns, so that load from other work
//! on a shared machine falls on both alike.
//!
//! `cargo bench --bench token` (needs Debian's `age`; `scripts/bench-token.sh` is the same
//! comparison by hyperfine)

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{median, row, time};
use zdauth::seed;

const RUNS: usize = 31;

fn wall(command: &mut Command) -> Duration {
    let mut status = None;
    let took = time(|| status = Some(command.stdout(Stdio::null()).status().unwrap()));
    let status = status.unwrap();
    assert!(status.success(), "{command:?} failed: {status}");
    took
}

fn zdauth(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zdauth"));
    command
        .arg("--config-dir")
        .arg(dir)
        .args(["token", &seed::fleet_name(0)]);
    command
}

fn age(dir: &Path) -> Command {
    let mut command = Command::new("age");
    command
        .args(["-d", "-o", "/dev/null", "-i"])
        .arg(dir.join("identity.txt"))
        .arg(dir.join("vault.age"));
    command
}

fn main() {
    if Command::new("age").arg("--version").output().is_err() {
        eprintln!("the stock age tool is missing: apt-get install age");
        std::process::exit(1);
    }
    support::header();
    for count in [10, 100, 1000] {
        let dir = tempfile::tempdir().unwrap();
        seed::fleet(dir.path(), count, None).unwrap();
        // Warm the page cache and the binaries.
        wall(&mut zdauth(dir.path()));
        wall(&mut age(dir.path()));
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for run in 0..RUNS {
            if run % 2 == 0 {
                ours.push(wall(&mut zdauth(dir.path())));
                theirs.push(wall(&mut age(dir.path())));
            } else {
                theirs.push(wall(&mut age(dir.path())));
                ours.push(wall(&mut zdauth(dir.path())));
            }
        }
        row(
            &format!("token, {count} connections"),
            median(ours),
            median(theirs),
            "<= 1.3x (reference: age -d)",
        );
    }
}
