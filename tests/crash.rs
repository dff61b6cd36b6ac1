//! Crash safety (checklist item 9): a real writer process is `SIGKILL`ed at random points
//! of a save loop, hundreds of times; the vault must always open, to the old or new content.
//! `ZDAUTH_CRASH_ROUNDS` sets the number of kills: CI runs the default, `scripts/soak.sh` 1,000.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use common::Sandbox;
use zdauth_core::paths::Paths;
use zdauth_core::secret::Secret;
use zdauth_core::vault::{Entry, Keys, Vault, VaultData};

const CHILD_VAR: &str = "ZDAUTH_TEST_SAVE_LOOP";
const ROUNDS_VAR: &str = "ZDAUTH_CRASH_ROUNDS";
const DEFAULT_ROUNDS: usize = 250;
const ENTRIES: usize = 20;

fn generation(data: &VaultData) -> u64 {
    data.connections
        .get("gen")
        .and_then(|e| e.client_secret.as_ref())
        .map_or(0, |s| s.expose().parse().unwrap())
}

#[test]
#[ignore = "not a test on its own: the save loop that the crash test runs in a child process and kills"]
fn save_loop_child() {
    let Some(root) = std::env::var_os(CHILD_VAR) else {
        return;
    };
    let root = Path::new(&root);
    let keys = Keys::from_identity_file(&root.join("key.txt")).unwrap();
    let vault = Vault::new(Paths::at(root.join("cfg")), keys);
    loop {
        vault
            .update(|data| {
                let next = generation(data) + 1;
                let stamp = || Entry {
                    client_secret: Some(Secret::new(next.to_string())),
                    ..Entry::default()
                };
                for i in 0..ENTRIES {
                    data.connections.insert(format!("c{i}"), stamp());
                }
                data.connections.insert("gen".into(), stamp());
            })
            .unwrap();
        // libtest prints "test crash::save_loop_child ... " before this, on the same line.
        println!("saved");
        std::io::stdout().flush().unwrap();
    }
}

/// xorshift: enough randomness for kill delays without a dependency.
struct Jitter(u64);

impl Jitter {
    fn next_micros(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

#[test]
fn a_writer_killed_at_random_points_leaves_the_old_or_the_new_vault() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    // The low 64 bits of the clock: odd, as xorshift needs a non-zero state.
    let seed = u64::try_from(nanos & u128::from(u64::MAX)).unwrap() | 1;
    let rounds = std::env::var(ROUNDS_VAR).map_or(DEFAULT_ROUNDS, |text| {
        text.parse()
            .unwrap_or_else(|_| panic!("{ROUNDS_VAR}={text:?} is not a number of rounds"))
    });
    let mut jitter = Jitter(seed);
    let mut last = 0;
    let mut killed_mid_write = 0;
    for round in 0..rounds {
        let mut child = common::rerun_helper(module_path!(), "save_loop_child")
            .arg("--nocapture")
            .env(CHILD_VAR, sb.temp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a random point after the child's first save, so that every round can
        // land anywhere in a save, not only in process start-up.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert!(
            lines.any(|l| l.unwrap().ends_with("saved")),
            "the child never saved (seed {seed})"
        );
        std::thread::sleep(Duration::from_micros(jitter.next_micros(6_000)));
        child.kill().unwrap();
        child.wait().unwrap();

        if !sb.temp_files().is_empty() {
            killed_mid_write += 1;
        }
        let data = sb.vault().load().unwrap_or_else(|e| {
            panic!("round {round} (seed {seed}): the vault does not open: {e}")
        });
        let now = generation(&data);
        for i in 0..ENTRIES {
            let entry = &data.connections[&format!("c{i}")];
            assert_eq!(
                entry.client_secret.as_ref().unwrap().expose(),
                now.to_string(),
                "round {round}: a mix of generations"
            );
        }
        // Each child saved at least once before it was killed.
        assert!(now > last, "round {round}: {now} is not past {last}");
        last = now;
    }
    eprintln!("{rounds} kills, {killed_mid_write} left a temp file behind, {last} saves survived");
    assert!(
        killed_mid_write > 0,
        "no kill landed inside a write (seed {seed})"
    );

    // The next writer sweeps what the killed ones left.
    sb.vault().update(|_| ()).unwrap();
    let leftovers = sb.temp_files();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
