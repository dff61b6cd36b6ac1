//! Vault open (read, decrypt, parse) and save (lock, reload, encrypt, crash-safe replace)
//! at 10 / 100 / 1,000 connections, each beside the bare age work on the same bytes.
//!
//! `cargo bench --bench vault`

#[path = "support/timing.rs"]
mod timing;
#[path = "support/world.rs"]
#[allow(dead_code)]
mod world;

use std::io::Write;

use timing::{median, row};

const RUNS: usize = 30;

fn main() {
    timing::header();
    for count in [10, 100, 1000] {
        let dir = tempfile::tempdir().unwrap();
        let vault = world::seed(dir.path(), count, None);
        let ciphertext = std::fs::read(vault.paths().vault()).unwrap();
        let keys = vault.keys();

        let open = median(RUNS, || {
            vault.load().unwrap();
        });
        // Reference: age decryption of the same file, nothing else.
        let decrypt = median(RUNS, || {
            keys.decrypt(&ciphertext).unwrap();
        });
        row(
            &format!("vault open, {count} connections"),
            open,
            decrypt,
            "(reference: age decrypt only)",
        );

        let lock = vault.lock_connection(&world::name(0)).unwrap();
        let entry = lock.reload().unwrap().unwrap();
        let save = median(RUNS, || lock.persist(entry.clone()).unwrap());
        // Reference: age encryption of the same plaintext and one synced write.
        let plaintext = vault.load().unwrap().to_plaintext();
        let plain_path = dir.path().join("plain-write.age");
        let write = median(RUNS, || {
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
