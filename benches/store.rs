//! The team store's figures (issue 16 §4), against a real OpenBao dev server this bench
//! starts (`zdauth_fake::openbao`):
//! - `zdauth token NAME` with a fresh token in the store (10 connections, plain identity
//!   file) beside the store's own CLI, `bao kv get -field=payload secret/zdauth/NAME`, which
//!   fetches the same secret and decrypts nothing; run in turns, median of 31 each;
//! - `zdauth refresh --all` over 200 connections in the store, the fake Zendesk answering
//!   every request after 100 ms (median of 3), beside the same with the local vault.
//!
//! `cargo bench --bench store` (bao from `ZDAUTH_TEST_BAO`, `target/openbao-venv/bin/bao` as
//! `.ci/run` installs it, or PATH; `scripts/bench-store.sh` is the `token` comparison by
//! hyperfine)

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{median, row, time};
use zdauth::seed;
use zdauth_core::config::Config;
use zdauth_core::store::StoreEnv;
use zdauth_core::vault::{self, Keys, Vault};
use zdauth_fake::FakeZendesk;
use zdauth_fake::openbao::OpenBao;

const RUNS: usize = 31;
const CONNECTIONS: usize = 200;
const LATENCY: Duration = Duration::from_millis(100);
const REFRESH_RUNS: usize = 3;

fn wall(command: &mut Command) -> Duration {
    let mut status = None;
    let took = time(|| status = Some(command.stdout(Stdio::null()).status().unwrap()));
    let status = status.unwrap();
    assert!(status.success(), "{command:?} failed: {status}");
    took
}

/// The release zdauth on `dir`, the store token in its environment only.
fn zdauth(dir: &Path, bao: &OpenBao, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zdauth"));
    command
        .env_remove("BAO_ADDR")
        .env_remove("VAULT_ADDR")
        .env_remove("VAULT_TOKEN")
        .env("BAO_TOKEN", bao.root_token())
        .arg("--config-dir")
        .arg(dir)
        .args(args);
    command
}

fn bao_kv_get(bao: &OpenBao, name: &str) -> Command {
    let mut command = bao.bao_command();
    command.args([
        "kv",
        "get",
        "-field=payload",
        &format!("secret/zdauth/{name}"),
    ]);
    command
}

/// Gives the fleet in `dir` a `[store]` on `bao` and moves every entry there, as `zdauth
/// store migrate` leaves them.
fn into_store(dir: &Path, bao: &OpenBao) {
    let config = dir.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let table = format!(
        "[store]\nkind = \"openbao\"\naddress = \"{}\"\n\n",
        bao.addr()
    );
    let at = text
        .find("\n[[connection]]")
        .map_or(text.len(), |at| at + 1);
    let text = format!("{}{table}{}", &text[..at], &text[at..]);
    std::fs::write(&config, text).unwrap();

    let paths = zdauth_core::paths::Paths::at(dir);
    let keys = || Keys::from_identity_file(&dir.join("identity.txt")).unwrap();
    let local = Vault::new(paths.clone(), keys()).load().unwrap();
    let config = Config::load(&paths.config()).unwrap();
    let env = StoreEnv {
        token: Some(bao.root_token().to_owned()),
        ..StoreEnv::default()
    };
    let shared = vault::open(&paths, keys(), &config, &env).unwrap();
    for (name, entry) in local.connections {
        let lock = shared.lock_connection(&name).unwrap();
        lock.reload().unwrap();
        lock.persist(entry).unwrap();
    }
}

fn token_beside_kv_get(bao: &OpenBao) {
    let dir = tempfile::tempdir().unwrap();
    seed::fleet(dir.path(), 10, None).unwrap();
    into_store(dir.path(), bao);
    let name = seed::fleet_name(0);
    let ours = || zdauth(dir.path(), bao, &["token", &name]);
    let theirs = || bao_kv_get(bao, &name);
    // Warm the page cache, both binaries and the store.
    wall(&mut ours());
    wall(&mut theirs());
    let (mut zd, mut kv) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        if run % 2 == 0 {
            zd.push(wall(&mut ours()));
            kv.push(wall(&mut theirs()));
        } else {
            kv.push(wall(&mut theirs()));
            zd.push(wall(&mut ours()));
        }
    }
    row(
        "token, fresh in the store",
        median(zd),
        median(kv),
        "<= 1.0x (reference: bao kv get)",
    );
}

fn refresh_all(dir: &Path, bao: &OpenBao) -> Duration {
    let mut command = zdauth(dir, bao, &["refresh", "--all"]);
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

fn refresh_all_in_store(bao: &OpenBao) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut options = seed::fleet_fake_options();
    options.latency = LATENCY;
    let fake = runtime.block_on(FakeZendesk::start(options)).unwrap();
    let shared = tempfile::tempdir().unwrap();
    seed::fleet(shared.path(), CONNECTIONS, Some(&fake)).unwrap();
    into_store(shared.path(), bao);
    let local = tempfile::tempdir().unwrap();
    seed::fleet(local.path(), CONNECTIONS, Some(&fake)).unwrap();

    let (mut ours, mut reference) = (Vec::new(), Vec::new());
    for _ in 0..REFRESH_RUNS {
        ours.push(refresh_all(shared.path(), bao));
        reference.push(refresh_all(local.path(), bao));
    }
    let counters = fake.counters();
    assert_eq!(counters.reuse_detections, 0, "a refresh token was replayed");
    row(
        "refresh --all, 200 in the store, 100 ms",
        median(ours),
        median(reference),
        "< 3 s (reference: the local vault)",
    );
    drop(fake);
}

fn main() {
    let Some(bao) = OpenBao::start() else {
        eprintln!("bao is missing: run .ci/run, or set ZDAUTH_TEST_BAO");
        std::process::exit(1);
    };
    support::header();
    token_beside_kv_get(&bao);
    drop(bao);
    // A store of its own: the fleet's names would meet the first fleet's, under another key.
    let Some(bao) = OpenBao::start() else {
        std::process::exit(1);
    };
    refresh_all_in_store(&bao);
}
