//! Leases and the late writer, step by step through the connection locks of two machines:
//! a lease another holds is Held, a lease lost to a race is Moved, and a holder whose lease
//! expired and was taken over writes its pair back only over the pair it spent.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::{CLIENT, Team};
use crate::vault::Leasing;

fn soon(secs: i64) -> Timestamp {
    Timestamp::now() + SignedDuration::from_secs(secs)
}

#[test]
fn a_lease_is_held_for_its_holder_and_lost_races_are_moved() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    team.seed(&a, true);
    let lock_a = a.vault.lock_connection("acme").unwrap();
    let lock_b = b.vault.lock_connection("acme").unwrap();
    lock_a.reload_writable().unwrap();
    lock_b.reload_writable().unwrap();
    assert_eq!(lock_a.lease(soon(60)).unwrap(), Leasing::Won);
    // b read before a's lease: its check-and-set loses.
    assert_eq!(lock_b.lease(soon(60)).unwrap(), Leasing::Moved);
    lock_b.reload_writable().unwrap();
    let Leasing::Held(held) = lock_b.lease(soon(60)).unwrap() else {
        panic!("a's lease is live");
    };
    assert!(held.holder.contains(&std::process::id().to_string()));
    assert_eq!(held.holder.split('/').count(), 3, "host/pid/random");
}

/// a spent the token, its lease ran out and b took it over (b is now spending the same
/// token: a replay the server will refuse). a's pair is the one the server issued last for
/// the chain: it goes on top, and b's own write about the old pair is refused.
#[test]
fn the_late_writer_writes_back_when_the_store_still_holds_the_spent_token() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    let spent = team.seed(&a, true);
    let lock_a = a.vault.lock_connection("acme").unwrap();
    lock_a.reload_writable().unwrap();
    assert_eq!(lock_a.lease(soon(1)).unwrap(), Leasing::Won);
    std::thread::sleep(Duration::from_millis(1300));
    let lock_b = b.vault.lock_connection("acme").unwrap();
    let read_by_b = lock_b.reload_writable().unwrap().unwrap();
    assert_eq!(lock_b.lease(soon(60)).unwrap(), Leasing::Won, "taken over");
    // b's refresh got invalid_grant and marks the entry; it lands (same pair).
    let mut marked = read_by_b.clone();
    marked.login_required = true;
    lock_b.persist(marked).unwrap();

    let ours = team.fake.issue_grant(CLIENT, &["read"]);
    lock_a.persist(team.entry(&ours)).unwrap();
    let stored = b.stored().unwrap();
    assert_eq!(
        stored.tokens.unwrap().refresh_token.unwrap().expose(),
        ours.refresh_token
    );
    assert!(!stored.login_required, "the mark was about the spent pair");
    assert_eq!(team.record("acme").unwrap().data.lease, None);
    assert_ne!(ours.refresh_token, spent.refresh_token);
}

#[test]
fn the_late_writer_never_overwrites_another_newer_pair() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    team.seed(&a, true);
    let lock_a = a.vault.lock_connection("acme").unwrap();
    lock_a.reload_writable().unwrap();
    assert_eq!(lock_a.lease(soon(1)).unwrap(), Leasing::Won);
    std::thread::sleep(Duration::from_millis(1300));
    let lock_b = b.vault.lock_connection("acme").unwrap();
    lock_b.reload_writable().unwrap();
    assert_eq!(lock_b.lease(soon(60)).unwrap(), Leasing::Won);
    let theirs = team.fake.issue_grant(CLIENT, &["read"]);
    lock_b.persist(team.entry(&theirs)).unwrap();

    // a's pair is handed to a's caller (Ok), but the store keeps b's.
    let ours = team.fake.issue_grant(CLIENT, &["read"]);
    lock_a.persist(team.entry(&ours)).unwrap();
    assert_eq!(a.stored_refresh(), theirs.refresh_token);
    assert_eq!(team.record("acme").unwrap().data.lease, None);
}
