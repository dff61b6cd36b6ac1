//! `zdauth store migrate` and `--to-local`: each entry moved under CAS, the source's pair
//! cleared, and never a newer entry overwritten in either direction.

use jiff::SignedDuration;

use crate::common::store::Team;

/// Local → store → local: the other machine uses the migrated pair; back in vault.age it
/// works without a store.
#[test]
fn migrate_to_the_store_and_back_keeps_one_working_pair() {
    let Some(t) = Team::start("") else { return };
    let local = t.w.seed();
    t.one().run(&["store", "migrate"]).success();
    assert_eq!(
        t.two().token(&[]),
        local.access_token,
        "machine two reads it"
    );
    assert!(
        t.w.stored().tokens.is_none(),
        "vault.age no longer holds a pair the store holds"
    );

    t.one()
        .run(&["store", "migrate", "--to-local", "acme"])
        .success();
    assert_eq!(t.w.stored_access(), local.access_token);
    assert!(
        t.one().stored().tokens.is_none(),
        "the store no longer holds a pair vault.age holds"
    );
    // Without [store] the local vault is the home again.
    let text = t.w.sb.config_text();
    let without: String = text
        .split_inclusive('\n')
        .scan(false, |in_store, line| {
            if line.starts_with('[') {
                *in_store = line.trim() == "[store]";
            }
            Some(if *in_store { "" } else { line })
        })
        .collect();
    std::fs::write(t.w.sb.paths().config(), without).unwrap();
    assert_eq!(
        t.w.sb.run(&["token", "acme"]).success().stdout.trim(),
        local.access_token
    );
    assert_eq!(t.w.fake.counters().token_posts, 0);
}

/// A newer pair in the store is never replaced by an older local one, nor a newer local one
/// by an older pair from the store.
#[test]
fn migrate_never_overwrites_a_newer_entry_either_way() {
    let Some(t) = Team::start("") else { return };
    t.w.seed();
    t.w.age_pair(3600);
    let older_local = t.w.stored_access();
    let newer_shared = t.seed(SignedDuration::from_mins(29));
    let run = t.one().run(&["store", "migrate", "acme"]);
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("newer"),
        "{} / {}",
        run.stdout,
        run.stderr
    );
    assert_eq!(t.two().stored_access(), newer_shared.access_token);
    assert_eq!(
        t.w.stored_access(),
        older_local,
        "the source is kept as it is"
    );

    // Now the other way: a local pair newer than the store's.
    let newer_local = t.w.seed();
    let run = t.one().run(&["store", "migrate", "--to-local", "acme"]);
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("newer"),
        "{} / {}",
        run.stdout,
        run.stderr
    );
    assert_eq!(t.w.stored_access(), newer_local.access_token);
    assert_eq!(t.two().stored_access(), newer_shared.access_token);
    assert_eq!(t.w.fake.counters().token_posts, 0);
}
