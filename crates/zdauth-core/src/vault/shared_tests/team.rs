//! `store list`, `store rekey` and `store migrate` on a real store.

use jiff::{SignedDuration, Timestamp};

use super::{CLIENT, Team, identity_text, keys_of};
use crate::paths::Paths;
use crate::store::team::{self, Direction, Migrated, Rekeyed};
use crate::vault::{Entry, Keys, Vault};

#[test]
fn rekey_lets_a_newly_listed_identity_read() {
    let Some(team) = Team::start() else { return };
    let text = identity_text();
    let a = team.machine(keys_of(&text), &[]);
    team.seed(&a, false);
    let newcomer = Keys::generate();
    let newcomer_recipient = newcomer.recipient().to_owned();
    let c = team.machine(newcomer, &[]);
    assert!(c.vault.load_entry("acme").is_err());
    let listed = team::list(&c.vault).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].readable && listed[0].descriptor.is_none());
    // The newcomer cannot rekey what it cannot read.
    let rekeyed = team::rekey(&c.vault).unwrap();
    assert!(matches!(rekeyed[..], [(_, Rekeyed::Unreadable)]));

    // a lists the newcomer in [store].recipients, then rekeys.
    let a = team.machine(keys_of(&text), &[&newcomer_recipient]);
    let rekeyed = team::rekey(&a.vault).unwrap();
    assert!(matches!(rekeyed[..], [(ref name, Rekeyed::Done)] if name == "acme"));
    assert_eq!(c.stored().unwrap(), a.stored().unwrap());
    let listed = team::list(&c.vault).unwrap();
    let acme = &listed[0];
    assert!(acme.readable && acme.has_tokens && !acme.login_required);
    let descriptor = acme.descriptor.as_ref().unwrap();
    assert_eq!(
        (descriptor.name.as_str(), descriptor.client_id.as_str()),
        ("acme", CLIENT)
    );
}

fn entry_obtained(team: &Team, ago: i64) -> Entry {
    let issued = team.fake.issue_grant(CLIENT, &["read"]);
    let mut entry = team.entry(&issued);
    entry.tokens.as_mut().unwrap().obtained_at = Timestamp::now() - SignedDuration::from_secs(ago);
    entry
}

#[test]
fn migrate_moves_both_ways_and_never_overwrites_a_newer_pair() {
    let Some(team) = Team::start() else { return };
    let text = identity_text();
    let dir = team.new_dir();
    let local = Vault::new(Paths::at(&dir), keys_of(&text));
    let (theirs, ours) = (Keys::generate(), keys_of(&text));
    let their_recipient = theirs.recipient().to_owned();
    let other = team.machine(theirs, &[ours.recipient()]);
    let shared = team.machine_in(&dir, ours, &[&their_recipient]).vault;
    let older = entry_obtained(&team, 3600);
    let beta = entry_obtained(&team, 60);
    local
        .update(|data| {
            data.connections.insert("acme".into(), older.clone());
            data.connections.insert("beta".into(), beta.clone());
        })
        .unwrap();
    // The store holds a newer acme pair, written by another machine.
    let newer = entry_obtained(&team, 10);
    let lock = other.vault.lock_connection("acme").unwrap();
    lock.reload().unwrap();
    lock.persist(newer.clone()).unwrap();
    drop(lock);

    let moved = team::migrate(&local, &shared, Direction::ToStore, &[]).unwrap();
    assert_eq!(
        moved,
        [
            ("acme".to_owned(), Migrated::RefusedNewer),
            ("beta".to_owned(), Migrated::Copied)
        ]
    );
    let here = local.load().unwrap().connections;
    assert_eq!(
        here.keys().collect::<Vec<_>>(),
        ["acme"],
        "beta left vault.age"
    );
    assert_eq!(here["acme"], older, "the refused one stays");
    assert_eq!(shared.load_entry("beta").unwrap().unwrap(), beta);
    assert_eq!(shared.load_entry("acme").unwrap().unwrap(), newer);
    let again = team::migrate(&local, &shared, Direction::ToStore, &["beta".into()]).unwrap();
    assert_eq!(again, [("beta".to_owned(), Migrated::Missing)]);

    // Onto an older store entry it goes.
    let newest = entry_obtained(&team, 0);
    local
        .update(|data| {
            data.connections.insert("acme".into(), newest.clone());
        })
        .unwrap();
    let moved = team::migrate(&local, &shared, Direction::ToStore, &["acme".into()]).unwrap();
    assert_eq!(moved, [("acme".to_owned(), Migrated::Copied)]);
    assert_eq!(other.vault.load_entry("acme").unwrap().unwrap(), newest);
    assert!(local.load().unwrap().connections.is_empty());

    // And back: the store's secret goes only once vault.age has it.
    let moved = team::migrate(&local, &shared, Direction::ToLocal, &["beta".into()]).unwrap();
    assert_eq!(moved, [("beta".to_owned(), Migrated::Copied)]);
    assert_eq!(local.load().unwrap().connections["beta"], beta);
    assert!(team.record("beta").is_none());
    // A newer local pair is not overwritten by the store's older one.
    let local_newer = entry_obtained(&team, -60);
    local
        .update(|data| {
            data.connections.insert("acme".into(), local_newer.clone());
        })
        .unwrap();
    let moved = team::migrate(&local, &shared, Direction::ToLocal, &[]).unwrap();
    assert_eq!(moved, [("acme".to_owned(), Migrated::RefusedNewer)]);
    assert_eq!(local.load().unwrap().connections["acme"], local_newer);
    assert_eq!(shared.load_entry("acme").unwrap().unwrap(), newest);
    assert_eq!(team.record("acme").unwrap().data.lease, None, "untouched");
}

#[test]
fn migrate_waits_for_no_one_and_moves_nothing_under_a_live_lease() {
    let Some(team) = Team::start() else { return };
    let text = identity_text();
    let dir = team.new_dir();
    let local = Vault::new(Paths::at(&dir), keys_of(&text));
    let machine = team.machine_in(&dir, keys_of(&text), &[]);
    team.seed(&machine, false);
    team.put_lease("acme", Some(Team::foreign_lease(30)));
    let moved = team::migrate(&local, &machine.vault, Direction::ToLocal, &[]).unwrap();
    assert_eq!(moved, [("acme".to_owned(), Migrated::Leased)]);
    assert!(local.load().unwrap().connections.is_empty());
    assert!(team.record("acme").is_some());
}
