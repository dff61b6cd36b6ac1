//! The entry operations on the store: what one machine writes the other reads, what a
//! machine cannot open is skipped or refused, and update writes only what it changed.

use super::Team;
use crate::error::Error;
use crate::secret::Secret;
use crate::store::{RecordData, Written};
use crate::vault::{Entry, Keys};

#[test]
fn a_pair_written_by_one_machine_is_read_by_the_other() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    let issued = team.seed(&a, false);
    assert_eq!(b.stored_refresh(), issued.refresh_token);
    let loaded = b.vault.load().unwrap();
    assert_eq!(loaded.connections.len(), 1);
    assert_eq!(loaded.connections["acme"], a.stored().unwrap());
    // In the store: age armor, no lease, nothing in the clear.
    let record = team.record("acme").unwrap();
    assert!(
        record
            .data
            .payload
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
        "{}",
        record.data.payload
    );
    assert_eq!(record.data.lease, None);
    let json = serde_json::to_string(&record.data).unwrap();
    assert!(!json.contains(&issued.refresh_token));
    assert!(!json.contains(&issued.access_token));
    // vault.age is not where the entries go.
    assert!(!a.vault.paths().vault().exists());
}

#[test]
fn a_payload_not_for_this_identity_is_skipped_by_load_and_refused_by_name() {
    let Some(team) = Team::start() else { return };
    let (a, _b) = team.pair_of_machines();
    team.seed(&a, false);
    let stranger = team.machine(Keys::generate(), &[]);
    assert!(stranger.vault.load().unwrap().connections.is_empty());
    let error = stranger.vault.load_entry("acme").unwrap_err();
    assert!(matches!(error, Error::Locked(_)), "{error}");
    let text = error.to_string();
    assert!(text.contains("not encrypted to this identity"), "{text}");
    assert!(text.contains("zdauth store rekey"), "{text}");
}

#[test]
fn a_swapped_payload_is_refused_as_tampered() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    let issued = team.seed(&a, false);
    // Someone with write access copies acme's secret over another name.
    let record = team.record("acme").unwrap();
    let written = team.store(&[]).write("beta", &record.data, 0).unwrap();
    assert!(matches!(written, Written::Version(1)));
    let error = b.vault.load_entry("beta").unwrap_err().to_string();
    assert!(error.contains("tampered"), "{error}");
    assert!(!error.contains(&issued.refresh_token), "{error}");
    // load() still shows the good one.
    let loaded = b.vault.load().unwrap();
    assert_eq!(loaded.connections.keys().collect::<Vec<_>>(), ["acme"]);
    // A payload that is not age at all is damaged, not a panic.
    let junk = RecordData {
        payload: "not age".into(),
        ..record.data
    };
    team.store(&[]).write("gamma", &junk, 0).unwrap();
    let error = b.vault.load_entry("gamma").unwrap_err().to_string();
    assert!(error.contains("cannot be read"), "{error}");
}

#[test]
fn update_writes_only_what_changed_and_deletes_what_was_removed() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    team.seed(&a, false);
    a.vault
        .update(|data| {
            data.connections.insert(
                "beta".into(),
                Entry {
                    client_secret: Some(Secret::new("beta-secret")),
                    ..Entry::default()
                },
            );
        })
        .unwrap();
    let acme_version = team.record("acme").unwrap().version;
    assert_eq!(team.record("beta").unwrap().version, 1);
    b.vault
        .update(|data| {
            data.connections.get_mut("beta").unwrap().last_error = Some("note".into());
        })
        .unwrap();
    assert_eq!(team.record("acme").unwrap().version, acme_version);
    assert_eq!(team.record("beta").unwrap().version, 2);
    let beta = a.vault.load_entry("beta").unwrap().unwrap();
    assert_eq!(beta.last_error.as_deref(), Some("note"));
    assert_eq!(beta.client_secret, Some(Secret::new("beta-secret")));
    a.vault
        .update(|data| {
            data.connections.remove("beta");
        })
        .unwrap();
    assert!(team.record("beta").is_none());
    assert_eq!(b.vault.load().unwrap().connections.len(), 1);
}

#[test]
fn a_change_about_a_pair_that_is_gone_is_refused_in_one_line() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    team.seed(&a, false);
    // a reads, then b stores another pair, then a tries to forget the one it read.
    let lock = a.vault.lock_connection("acme").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    team.seed(&b, false);
    entry.tokens = None;
    let error = lock.persist(entry).unwrap_err().to_string();
    assert!(
        error.contains("changed on another machine meanwhile"),
        "{error}"
    );
    assert!(error.ends_with("run the command again"), "{error}");
    assert!(!error.contains('\n'));
    assert!(b.stored().unwrap().tokens.is_some(), "b's pair stays");
}

#[test]
fn a_note_on_the_same_pair_keeps_another_holders_live_lease() {
    let Some(team) = Team::start() else { return };
    let (a, _b) = team.pair_of_machines();
    team.seed(&a, false);
    let lease = Team::foreign_lease(30);
    team.put_lease("acme", Some(lease.clone()));
    let lock = a.vault.lock_connection("acme").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    entry.last_error = Some("a note".into());
    lock.persist(entry).unwrap();
    assert_eq!(team.record("acme").unwrap().data.lease, Some(lease));
}
