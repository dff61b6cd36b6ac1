//! The store stopped mid-run (its data kept): clear errors and nothing spent while it is
//! down, and a pair spent just before it died rescued locally and pushed when it is back.

use std::process::Stdio;

use jiff::SignedDuration;
use zdauth_fake::{Fault, FaultTarget};

use crate::common::store::{Team, wait_for_post};

/// Every command that needs an entry fails with exit 7 and one line naming the store; no
/// refresh token is spent; once the store is back the same commands work.
#[test]
fn a_stopped_store_fails_clearly_spends_nothing_and_works_again_when_back() {
    let Some(mut t) = Team::start("") else { return };
    let seeded = t.seed(SignedDuration::from_mins(-1));
    let store = format!("openbao at {}", t.bao.addr());
    t.bao.stop();
    for machine in [t.two(), t.one()] {
        for args in [
            &["token", "acme"][..],
            &["token", "acme", "--min-valid", "24h"],
        ] {
            machine.run(args).fails(7, &store);
        }
        // refresh reports each connection on its own stdout line, as without a store.
        let run = machine.run(&["refresh", "acme"]);
        assert_eq!(run.code, 7, "{} {}", run.stdout, run.stderr);
        assert!(
            run.stdout.starts_with(&format!("acme: {store}: ")),
            "{}",
            run.stdout
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let counters = t.w.fake.counters();
    assert_eq!(counters.token_posts, 0, "a refresh token was spent");

    t.bao.start_again();
    let token = t.two().token(&[]);
    assert_ne!(token, seeded.access_token);
    assert!(t.works(&token));
    assert_eq!(t.one().token(&[]), token);
    let counters = t.w.fake.counters();
    assert_eq!((counters.refreshes, counters.reuse_detections), (1, 0));
}

/// The store dies while machine one's refresh POST is on the wire: the new pair cannot go
/// into the store, so it goes into a local rescue file (one line says so); the next command
/// on machine one after the store is back pushes it into the store, and machine two then
/// hands out that pair, the spent one never replayed.
#[test]
fn a_pair_spent_as_the_store_dies_is_rescued_and_pushed_when_it_is_back() {
    let Some(mut t) = Team::start("") else { return };
    let seeded = t.seed(SignedDuration::from_mins(-1));
    t.w.fake.push_fault(FaultTarget::Token, Fault::Hold, 1);
    let mut holder = t
        .one()
        .zdauth(&["token", "acme"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_post(&t, std::slice::from_mut(&mut holder));
    t.bao.stop();
    t.w.fake.release_held();
    let out = holder.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.trim_end().lines().last().unwrap_or_default();
    assert!(!out.status.success(), "{stderr}");
    assert!(
        last.starts_with("zdauth: the refresh token of acme was spent")
            && last.ends_with("the next zdauth command takes it back"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(t.w.fake.counters().refreshes, 1);
    let rescues = t.w.sb.temp.path().join("xdg-state").join("zdauth");
    assert_eq!(
        std::fs::read_dir(&rescues).map_or(0, Iterator::count),
        1,
        "one rescue file in {}",
        rescues.display()
    );

    t.bao.start_again();
    let run = t.one().run(&["status", "acme"]);
    assert!(run.stderr.contains("took back"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&rescues).map_or(0, Iterator::count), 0);
    let token = t.two().token(&[]);
    assert_ne!(token, seeded.access_token);
    assert!(t.works(&token), "machine two has the rescued pair");
    let counters = t.w.fake.counters();
    assert_eq!(counters.refreshes, 1, "no second refresh was needed");
    assert_eq!(counters.reuse_detections, 0);
    assert!(t.w.fake.grant_alive(&seeded.grant_id));
}
