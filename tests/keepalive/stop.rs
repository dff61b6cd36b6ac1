//! Keep-alive told to stop (the agent's SIGTERM, `zdauth agent stop`) in the middle of a
//! pass, and keep-alive in an agent that was never unlocked.

use super::{DAY, DEADLINE, age, keepalive, keepalive_with, line, notified, refresher};
use crate::common::world::World;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use zdauth_core::throttle::Throttle;
use zdauth_fake::{Fault, FaultTarget};

/// Due connections, all on one Zendesk account: more than the throttle lets run at once.
const CONNECTIONS: usize = 12;
/// Refreshes the pass runs at once (the throttle's jobs, below its per-account share).
const SLOTS: u16 = 3;

#[test]
fn a_stop_mid_pass_starts_no_refresh_and_stores_every_pair_zendesk_answered() {
    let w = World::with_settings("keepalive = \"12d\"", |_| {});
    w.seed();
    let names: Vec<String> = std::iter::once("acme".to_owned())
        .chain((1..CONNECTIONS).map(|i| format!("acme{i}")))
        .collect();
    for name in &names[1..] {
        w.add_seeded(name, "acme");
    }
    for name in &names {
        age(&w, name, 20 * DAY);
    }
    // Every token POST waits on the wire until released: the pass fills its slots with
    // refreshes Zendesk has not answered yet, and its other flights queue for a slot.
    w.fake
        .push_fault(FaultTarget::Token, Fault::Hold, CONNECTIONS);
    let ka = keepalive_with(&w, Throttle::new(SLOTS));
    let (agent, rx) = watch::channel(Some(refresher(&w)));
    let stop = CancellationToken::new();
    let running = w.runtime.spawn(ka.clone().run(rx, stop.clone()));
    super::wait_for("the throttle's slots on the wire", || {
        w.fake.counters().token_posts_in_flight == u32::from(SLOTS)
    });
    stop.cancel();
    // Answers for all, so that a refresh wrongly started after the stop is answered (and
    // counted) rather than held until the deadline.
    for _ in 0..CONNECTIONS {
        w.fake.release_held();
    }
    let ended = w
        .runtime
        .block_on(async { tokio::time::timeout(DEADLINE, running).await });
    assert!(matches!(ended, Ok(Ok(()))), "run did not return: {ended:?}");
    drop(agent);

    let counters = w.fake.counters();
    assert_eq!(
        (counters.token_posts, counters.refreshes),
        (u32::from(SLOTS), u32::from(SLOTS)),
        "a refresh started after the stop: {counters:?}"
    );
    assert_eq!(
        (counters.reuse_detections, counters.revoked_grants),
        (0, 0),
        "{counters:?}"
    );
    // The vault holds every grant's current pair: each answered refresh was stored, and the
    // others still hold the pair Zendesk has.
    let vault = w.sb.vault().load().unwrap();
    let mut kept: u16 = 0;
    for name in &names {
        let tokens = vault.connections[name].tokens.clone().unwrap();
        assert!(
            w.fake.access_token_works(tokens.access_token.expose()),
            "{name}'s stored pair is not its grant's current one"
        );
        let report = line(&ka, name).unwrap();
        if tokens.refresh_expires_at.unwrap()
            > Timestamp::now() + SignedDuration::from_hours(29 * 24)
        {
            kept += 1;
            assert_eq!(report.result, "ok", "{report:?}");
        } else {
            assert!(report.result.starts_with("stopped"), "{report:?}");
            assert!(report.last_keepalive.is_none(), "{report:?}");
        }
    }
    assert_eq!(kept, SLOTS);
}

#[test]
fn an_agent_never_unlocked_says_keepalive_waits_for_the_unlock_not_that_none_is_due() {
    let w = World::with_settings("keepalive = \"12d\"", |_| {});
    w.seed();
    let ka = keepalive(&w);
    let pass = w.runtime.block_on(ka.pass(None));
    assert_eq!((pass.refreshed, pass.next), (0, None));
    let report = ka.report();
    assert_eq!(report.next_keepalive, None, "{report:?}");
    assert!(report.waiting_for_unlock, "{report:?}");
    let problem = report.problem.unwrap();
    assert!(problem.contains("zdauth unlock"), "{problem}");
    assert!(notified(&w).is_empty(), "nothing is known to lapse yet");
    // Once unlocked it knows the deadlines, and keeps them when locked again.
    let pass = w.runtime.block_on(ka.pass(Some(&refresher(&w))));
    let next = pass.next.unwrap();
    assert!(
        next > Timestamp::now() + SignedDuration::from_hours(17 * 24),
        "{next}"
    );
    for locked in [false, true] {
        if locked {
            w.runtime.block_on(ka.pass(None));
        }
        let report = ka.report();
        assert_eq!(report.next_keepalive, Some(next), "{report:?}");
        assert!(
            !report.waiting_for_unlock && report.problem.is_none(),
            "{report:?}"
        );
    }
}
