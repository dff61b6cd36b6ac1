//! `zdauth refresh --all` of 200 connections against the fake Zendesk answering every request
//! after 100 ms, with the default concurrency beside `--jobs 1`. The fake runs in this process
//! on 127.0.0.1; zdauth is the release binary, as a user runs it.
//!
//! `cargo bench --bench refresh_all`

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::{median, row, time};
use zdauth::seed;
use zdauth_fake::FakeZendesk;

const CONNECTIONS: usize = 200;
const LATENCY: Duration = Duration::from_millis(100);
const RUNS: usize = 5;

fn refresh_all(dir: &Path, jobs: Option<&str>) -> Duration {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zdauth"));
    command
        .env("ZDAUTH_CONFIG_DIR", dir)
        .args(["refresh", "--all"]);
    if let Some(jobs) = jobs {
        command.args(["--jobs", jobs]);
    }
    let mut output = None;
    let took = time(|| output = Some(command.output().unwrap()));
    let output = output.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let refreshed = stdout.lines().filter(|l| l.contains(": refreshed")).count();
    assert!(
        output.status.success() && refreshed == CONNECTIONS,
        "refresh --all failed ({refreshed} refreshed): {}{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    took
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut options = seed::fleet_fake_options();
    options.latency = LATENCY;
    let fake = runtime.block_on(FakeZendesk::start(options)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    seed::fleet(dir.path(), CONNECTIONS, Some(&fake)).unwrap();

    let parallel = median((0..RUNS).map(|_| refresh_all(dir.path(), None)));
    let serial = refresh_all(dir.path(), Some("1"));
    let floor = LATENCY * u32::try_from(CONNECTIONS).unwrap();

    support::header();
    row(
        "refresh --all, 200 conns, 100 ms latency",
        parallel,
        serial,
        "< 2 s (reference: --jobs 1)",
    );
    row(
        "refresh --all --jobs 1 (one run)",
        serial,
        floor,
        "(reference: 200 x 100 ms)",
    );
    drop(fake);
}
