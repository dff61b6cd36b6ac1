//! The local vault's own tests (the store's are in `shared_tests`).

use super::{ConnectionLock, Entry, Keys, Vault};
use crate::paths::Paths;

/// Threads saving different connections at once share saves, and none is lost.
#[test]
fn concurrent_persists_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(Paths::at(dir.path()), Keys::generate());
    std::thread::scope(|scope| {
        for n in 0..24 {
            let vault = &vault;
            scope.spawn(move || {
                let entry = Entry {
                    last_error: Some(format!("note {n}")),
                    ..Entry::default()
                };
                vault
                    .lock_connection(&format!("c{n}"))
                    .unwrap()
                    .persist(entry)
                    .unwrap();
            });
        }
    });
    let data = vault.load().unwrap();
    assert_eq!(data.connections.len(), 24);
    for n in 0..24 {
        let note = data.connections[&format!("c{n}")].last_error.as_deref();
        assert_eq!(note, Some(format!("note {n}").as_str()));
    }
}

/// The TUI shares one unlocked vault between tokio tasks.
#[test]
fn vault_and_connection_lock_cross_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Vault>();
    shareable::<ConnectionLock>();
}
