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

/// A store payload opens for every member it was encrypted to, and for no one else.
#[test]
fn armored_payloads_open_for_each_member() {
    let (ours, member, stranger) = (Keys::generate(), Keys::generate(), Keys::generate());
    let extra: age::x25519::Recipient = member.recipient().parse().unwrap();
    // Listing ourselves again changes nothing.
    let again: age::x25519::Recipient = ours.recipient().parse().unwrap();
    let armor = ours.encrypt_armored(b"{}", &[extra, again]).unwrap();
    assert!(
        armor.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"),
        "{armor}"
    );
    assert!(
        armor
            .trim_end()
            .ends_with("-----END AGE ENCRYPTED FILE-----")
    );
    assert_eq!(&*ours.decrypt_armored(&armor).unwrap(), b"{}");
    assert_eq!(&*member.decrypt_armored(&armor).unwrap(), b"{}");
    assert!(matches!(
        stranger.decrypt_armored(&armor),
        Err(age::DecryptError::NoMatchingKeys)
    ));
    assert!(ours.decrypt_armored("not age").is_err());
}
