//! One keep-alive pass over 200 due connections against the fake Zendesk answering every
//! request after 100 ms: the pass as the agent runs it (default throttle), beside the same
//! pass one refresh at a time, in one run. The fake runs in this process on 127.0.0.1.
//!
//! `cargo bench --bench keepalive`

mod support;

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;
use support::{median, row, time};
use zdauth::seed;
use zdauth_core::agent::keepalive::KeepAlive;
use zdauth_core::agent::notify::Notifier;
use zdauth_core::config::Config;
use zdauth_core::paths::Paths;
use zdauth_core::session;
use zdauth_core::throttle::{DEFAULT_JOBS, Throttle};
use zdauth_core::vault::Vault;
use zdauth_fake::FakeZendesk;

const CONNECTIONS: usize = 200;
const LATENCY: Duration = Duration::from_millis(100);
const RUNS: usize = 3;

/// Makes every stored pair 25 days older: with 30-day refresh tokens and the default
/// keepalive of 7 days, every one is due.
fn age_all(vault: &Vault) {
    let back = SignedDuration::from_hours(25 * 24);
    vault
        .update(|data| {
            for entry in data.connections.values_mut() {
                let tokens = entry.tokens.as_mut().unwrap();
                tokens.obtained_at -= back;
                tokens.expires_at = tokens.expires_at.map(|at| at - back);
                tokens.refresh_expires_at = tokens.refresh_expires_at.map(|at| at - back);
                entry.last_refresh = Some(tokens.obtained_at);
            }
        })
        .unwrap();
}

/// One pass over the aged fleet with `jobs` refreshes at once; its wall time.
fn pass(runtime: &tokio::runtime::Runtime, dir: &Path, vault: &Vault, jobs: u16) -> Duration {
    age_all(vault);
    let settings = Config::load(&Paths::at(dir).config()).unwrap().settings;
    let refresher = Arc::new(session::refresher(vault.clone(), &settings));
    let no_desktop = Notifier::with_env(std::iter::empty::<(OsString, OsString)>());
    let keepalive = KeepAlive::with(Paths::at(dir), Throttle::new(jobs), no_desktop);
    let mut summary = None;
    let took = time(|| summary = Some(runtime.block_on(keepalive.pass(Some(&refresher)))));
    let summary = summary.unwrap();
    let report = keepalive.report();
    let kept = report
        .connections
        .iter()
        .filter(|c| c.result == "ok" && c.warning.is_none())
        .count();
    assert!(
        summary.refreshed == CONNECTIONS && kept == CONNECTIONS,
        "the pass kept {kept} of {CONNECTIONS}: {report:?}"
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
    let vault = seed::fleet(dir.path(), CONNECTIONS, Some(&fake)).unwrap();

    let parallel = median((0..RUNS).map(|_| pass(&runtime, dir.path(), &vault, DEFAULT_JOBS)));
    let serial = pass(&runtime, dir.path(), &vault, 1);
    let floor = LATENCY * u32::try_from(CONNECTIONS).unwrap();

    support::header();
    row(
        "keep-alive pass, 200 due, 100 ms latency",
        parallel,
        serial,
        "< 2 s (reference: one at a time)",
    );
    row(
        "keep-alive pass, one at a time (one run)",
        serial,
        floor,
        "(reference: 200 x 100 ms)",
    );
    drop(fake);
}
