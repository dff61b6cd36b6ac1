//! `zdauth api` against the fake Zendesk in this process on 127.0.0.1, the release binary run
//! as a user runs it, figures side by side from one run (issue 14 §5):
//!
//! (a) `zdauth api --all /api/v2/users/me.json` over 200 connections at 100 ms server
//!     latency, `--jobs 32` beside `--jobs 1` (the sequential reference), and the most
//!     requests the fake saw at once for one account. The 200 connections are 20 accounts of
//!     10 connections each, every account with its own OAuth client (one client per account,
//!     as the facts file says), so the per-account cap of 4 has something to hold back.
//! (b) `--paginate` over 100 pages of 100 records: the time to the first line beside the
//!     time to the last, and the child's peak RSS (`VmHWM` from /proc, read at every line while
//!     it runs) at 10 pages beside 100.
//!
//! The fake's account rate limit (200 a minute by default, Zendesk's lowest common plan) is
//! off here: the bench measures zdauth, and the runs together send well over 200 requests.
//!
//! `cargo bench --bench api`

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use support::{median, row, time};
use zdauth::seed::{self, Pair, Seeder};
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk};

const ACCOUNTS: usize = 20;
const PER_ACCOUNT: usize = 10;
const LATENCY: Duration = Duration::from_millis(100);
const RUNS: usize = 3;
const REDIRECT: &str = "http://127.0.0.1:8765/callback";

fn client(account: usize) -> String {
    format!("bench_account_{account:02}")
}

/// 20 accounts × 10 connections, each with a pair its account's client was issued.
fn fleet(dir: &Path, fake: &FakeZendesk) {
    let seeder = Seeder::create(dir, &dir.join("identity.txt")).unwrap();
    let base_url = fake.base_url();
    let mut connections = Vec::new();
    for account in 0..ACCOUNTS {
        for i in 0..PER_ACCOUNT {
            let name = format!("acct{account:02}-{i:02}");
            let subdomain = format!("acct{account:02}");
            connections.push(
                seed::connection(&name, &subdomain, &client(account), 8765, Some(&base_url))
                    .unwrap(),
            );
        }
    }
    let config = seeder.add(&connections).unwrap();
    let now = Timestamp::now();
    let entries = config.connections.iter().map(|connection| {
        let issued = fake.issue_grant(&connection.client_id, &seed::SCOPES);
        let tokens = Pair::issued(&issued).obtained_at(now);
        (
            connection.name.clone(),
            seed::entry(connection, tokens, None),
        )
    });
    seeder.store(entries).unwrap();
}

fn zdauth(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zdauth"));
    command
        .env("ZDAUTH_CONFIG_DIR", dir)
        .arg("api")
        .args(args)
        .stdin(Stdio::null());
    command
}

fn api_all(dir: &Path, jobs: &str) -> Duration {
    let mut command = zdauth(dir, &["--all", "/api/v2/users/me.json", "--jobs", jobs]);
    let mut output = None;
    let took = time(|| output = Some(command.output().unwrap()));
    let output = output.unwrap();
    let lines = String::from_utf8_lossy(&output.stdout).lines().count();
    assert!(
        output.status.success() && lines == ACCOUNTS * PER_ACCOUNT,
        "api --all failed ({lines} lines): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    took
}

/// Time to the first line, to the last, and the peak RSS in KiB, of one `--paginate` walk.
fn walk(dir: &Path, max_pages: &str) -> (Duration, Duration, u64, usize) {
    let start = Instant::now();
    let mut child = zdauth(
        dir,
        &[
            "acct00-00",
            "users.json?page[size]=100",
            "--paginate",
            "--max-pages",
            max_pages,
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let mut first = None;
    let mut pages = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        first.get_or_insert_with(|| start.elapsed());
        pages += usize::from(line.contains("\"users\""));
        peak = peak.max(vm_hwm(&status));
    }
    let last = start.elapsed();
    child.wait().unwrap();
    (first.unwrap(), last, peak, pages)
}

/// The process's peak resident set so far, in KiB (0 once it is gone).
fn vm_hwm(status: &str) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let options = FakeOptions {
        clients: (0..ACCOUNTS)
            .map(|a| FakeClient::public(&client(a), REDIRECT))
            .collect(),
        latency: LATENCY,
        rate_limit_per_minute: None,
        ..FakeOptions::default()
    };
    let fake = runtime.block_on(FakeZendesk::start(options)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    fleet(dir.path(), &fake);

    let parallel = median((0..RUNS).map(|_| api_all(dir.path(), "32")));
    let serial = api_all(dir.path(), "1");
    let most = fake.counters().max_api_in_flight_per_client;
    let most_one_account = most.values().copied().max().unwrap_or(0);
    let most_overall = fake.counters().max_api_in_flight;

    fake.set_latency(Duration::from_millis(20));
    fake.set_api_records(10_000);
    let (first, last, rss_100, pages_100) = walk(dir.path(), "1000");
    let (_, _, rss_10, pages_10) = walk(dir.path(), "10");
    assert_eq!((pages_100, pages_10), (100, 10));

    support::header();
    row(
        "api --all users/me, 200 conns, --jobs 32",
        parallel,
        serial,
        "< 2 s (reference: --jobs 1)",
    );
    row(
        "api --all --jobs 1 (one run)",
        serial,
        LATENCY * u32::try_from(ACCOUNTS * PER_ACCOUNT).unwrap(),
        "(reference: 200 x 100 ms)",
    );
    println!(
        "most in flight for one account at the fake: {most_one_account} (cap 4); overall: {most_overall} (--jobs 32)"
    );
    row(
        "--paginate 100 pages: first line",
        first,
        last,
        "first line long before the last (reference: last line)",
    );
    println!(
        "--paginate peak RSS: {:.1} MB at 100 pages, {:.1} MB at 10 pages (flat: independent of the page count)",
        kib_to_mb(rss_100),
        kib_to_mb(rss_10)
    );
    drop(fake);
}

#[allow(clippy::cast_precision_loss)]
fn kib_to_mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}
