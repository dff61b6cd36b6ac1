//! Vault open (read, decrypt, parse) and save (lock, reload, encrypt, crash-safe replace)
//! at 10 / 100 / 1,000 connections, each beside the bare age work on the same bytes.
//!
//! `cargo bench --bench vault`

mod support;

use std::io::Write;

use support::{median, row, time};
use zdauth::seed;

const RUNS: usize = 30;

/// The median wall time of `RUNS` calls of `work`, after one call to warm up.
fn sample(mut work: impl FnMut()) -> std::time::Duration {
    work();
    median((0..RUNS).map(|_| time(&mut work)))
}

fn main() {
    support::header();
    for count in [10, 100, 1000] {
        let dir = tempfile::tempdir().unwrap();
        let vault = seed::fleet(dir.path(), count, None).unwrap();
        let ciphertext = std::fs::read(vault.paths().vault()).unwrap();
        let keys = vault.keys();

        let open = sample(|| {
            vault.load().unwrap();
        });
        // Reference: age decryption of the same file, nothing else.
        let decrypt = sample(|| {
            keys.decrypt(&ciphertext).unwrap();
        });
        row(
            &format!("vault open, {count} connections"),
            open,
            decrypt,
            "(reference: age decrypt only)",
        );

        let lock = vault.lock_connection(&seed::fleet_name(0)).unwrap();
        let entry = lock.reload().unwrap().unwrap();
        let save = sample(|| lock.persist(entry.clone()).unwrap());
        // Reference: age encryption of the same plaintext and one synced write.
        let plaintext = vault.load().unwrap().to_plaintext();
        let plain_path = dir.path().join("plain-write.age");
        let write = sample(|| {
            let bytes = keys.encrypt(&plaintext).unwrap();
            let mut file = std::fs::File::create(&plain_path).unwrap();
            file.write_all(&bytes).unwrap();
            file.sync_all().unwrap();
        });
        row(
            &format!("vault save, {count} connections"),
            save,
            write,
            "(reference: age encrypt + one fsync'd write)",
        );
    }
}
