//! Keep-alive against the fake Zendesk on loopback: the engine's loop and passes in this
//! process (as the agent runs them), the real binary beside them, real files and real age.
//! Grants that lapse within seconds come from the fake's server-policy knobs; every wait is
//! bounded and nothing asserts on how long anything took.

use crate::common;

mod stop;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::ci::ci_world;
use common::notifier::{self, notified};
use common::world::World;
use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use zdauth_core::agent::keepalive::{ConnectionReport, KeepAlive};
use zdauth_core::agent::notify::Notifier;
use zdauth_core::config::Config;
use zdauth_core::refresh::Refresher;
use zdauth_core::session;
use zdauth_core::throttle::{DEFAULT_JOBS, Throttle};

/// A guard against a hang, not a timing: far beyond what any of these waits needs.
const DEADLINE: Duration = Duration::from_secs(120);
const DAY: i64 = 86_400;

/// Keep-alive over `w`'s config dir, notifying through a stand-in `notify-send` on its PATH
/// that records each call's argv (one argument a line, then `@@end`) in [`notified`].
fn keepalive(w: &World) -> Arc<KeepAlive> {
    keepalive_with(w, Throttle::new(DEFAULT_JOBS))
}

/// [`keepalive`] under `throttle`.
fn keepalive_with(w: &World, throttle: Throttle) -> Arc<KeepAlive> {
    // Only the stand-in's dir on PATH: the test process's own PATH is not the agent's.
    let env = notifier::desktop_env(&notifier::install(w), "")
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()));
    KeepAlive::with(w.sb.paths(), throttle, Notifier::with_env(env))
}

/// The refresh transaction over the sandbox's vault, as the agent builds it.
fn refresher(w: &World) -> Arc<Refresher> {
    let config = Config::load(&w.sb.paths().config()).unwrap();
    Arc::new(session::refresher(w.sb.vault(), &config.settings))
}

fn line(ka: &KeepAlive, name: &str) -> Option<ConnectionReport> {
    ka.report().connections.into_iter().find(|c| c.name == name)
}

/// Waits (bounded) until `done` holds.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < DEADLINE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Moves `name`'s stored pair `secs` into the past, refresh expiry included, as if it had
/// been obtained that long ago.
fn age(w: &World, name: &str, secs: i64) {
    let lock = w.sb.vault().lock_connection(name).unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    let tokens = entry.tokens.as_mut().unwrap();
    let back = SignedDuration::from_secs(secs);
    tokens.obtained_at -= back;
    tokens.expires_at = tokens.expires_at.map(|at| at - back);
    tokens.refresh_expires_at = tokens.refresh_expires_at.map(|at| at - back);
    lock.persist(entry).unwrap();
}

/// The loop running on `w`'s runtime until the returned token is cancelled.
fn start(
    w: &World,
    ka: &Arc<KeepAlive>,
) -> (CancellationToken, watch::Sender<Option<Arc<Refresher>>>) {
    let (tx, rx) = watch::channel(Some(refresher(w)));
    let stop = CancellationToken::new();
    w.runtime.spawn(ka.clone().run(rx, stop.clone()));
    (stop, tx)
}

struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

#[test]
fn three_rounds_keep_a_short_lived_grant_alive_beside_token_loops() {
    // Pairs live 16 s (access 14 s); keep-alive refreshes at half of that, 8 s in, and the
    // token loops would refresh only 12 s in (2 s margin): they mostly read, and race it
    // whenever keep-alive runs late.
    let w = World::with_settings("keepalive = \"12s\"\nrefresh_margin = \"2s\"", |o| {
        o.max_refresh_lifetime = Some(Duration::from_secs(16));
        o.max_access_lifetime = Some(Duration::from_secs(14));
    });
    let issued = w.seed();
    let ka = keepalive(&w);
    let (stop, _agent) = start(&w, &ka);
    let looping = AtomicBool::new(true);
    let mut rounds: Vec<(Timestamp, Timestamp)> = Vec::new();
    let handed_out = std::thread::scope(|scope| {
        let loops: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let mut runs = 0;
                    while looping.load(Ordering::Relaxed) {
                        let run = w.sb.run(&["token", "acme"]).success();
                        assert!(!run.stdout.trim().is_empty());
                        runs += 1;
                    }
                    runs
                })
            })
            .collect();
        // Ends the loops however this closure ends: the scope waits for them to stop.
        let loops_end = StopOnDrop(&looping);
        wait_for("three keep-alive rounds", || {
            if let Some(report) = line(&ka, "acme")
                && let (Some(at), Some(expiry)) = (report.last_keepalive, report.refresh_expires_at)
                && rounds.last().is_none_or(|(last, _)| *last != at)
            {
                assert!(report.warning.is_none(), "{report:?}");
                rounds.push((at, expiry));
            }
            rounds.len() >= 3 || loops.iter().any(std::thread::ScopedJoinHandle::is_finished)
        });
        drop(loops_end);
        loops.into_iter().map(|l| l.join().unwrap()).sum::<u32>()
    });
    stop.cancel();
    assert!(rounds.len() >= 3, "a token loop failed: {rounds:?}");
    assert!(handed_out > 0);
    // Each round moved the refresh expiry forward; the grant lives on, never replayed.
    for pair in rounds.windows(2) {
        assert!(
            pair[1].1 > pair[0].1,
            "the refresh expiry did not move: {rounds:?}"
        );
    }
    let counters = w.fake.counters();
    assert_eq!(counters.reuse_detections, 0, "{counters:?}");
    assert_eq!(counters.revoked_grants, 0, "{counters:?}");
    assert!(w.fake.grant_alive(&issued.grant_id));
    let stored = w.stored().tokens.unwrap();
    assert!(stored.refresh_expires_at.unwrap() >= rounds[rounds.len() - 1].1);
}

#[test]
fn a_refused_refresh_warns_and_notifies_once_with_no_token_in_it() {
    let w = World::with_settings("keepalive = \"12d\"", |_| {});
    let issued = w.seed();
    age(&w, "acme", 20 * DAY);
    w.fake.revoke_grant(&issued.grant_id);
    let (access, refresh) = (w.stored_access(), w.stored_refresh());
    let ka = keepalive(&w);
    let refresher = refresher(&w);
    let pass = w.runtime.block_on(ka.pass(Some(&refresher)));
    assert_eq!(pass.refreshed, 1);
    let report = line(&ka, "acme").unwrap();
    assert_eq!(report.result, "login required");
    let warning = report.warning.unwrap();
    assert!(warning.contains("zdauth login acme"), "{warning}");
    let calls = notified(&w);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(
        calls[0].contains("acme") && calls[0].contains("zdauth login acme"),
        "{calls:?}"
    );
    for secret in [&access, &refresh] {
        assert!(!calls[0].contains(secret.as_str()), "a token in {calls:?}");
        assert!(!warning.contains(secret.as_str()));
    }
    // The next pass tells nothing new, and spends nothing: only a login can help.
    let posts = w.fake.counters().token_posts;
    let pass = w.runtime.block_on(ka.pass(Some(&refresher)));
    assert_eq!(pass.refreshed, 0);
    assert_eq!(w.fake.counters().token_posts, posts);
    assert_eq!(notified(&w).len(), 1);
    assert!(line(&ka, "acme").unwrap().warning.is_some());
}

#[test]
fn nothing_due_means_no_refresh_and_client_credentials_are_skipped() {
    let w = ci_world(&[]);
    w.seed();
    // A minted token: no refresh token, and 30 minutes left, which is no lapsing grant.
    w.sb.run(&["token", "ci"]).success();
    let posts = w.fake.counters().token_posts;
    let ka = keepalive(&w);
    let pass = w.runtime.block_on(ka.pass(Some(&refresher(&w))));
    assert_eq!(pass.refreshed, 0);
    let counters = w.fake.counters();
    assert_eq!(
        (counters.token_posts, counters.refreshes),
        (posts, 0),
        "{counters:?}"
    );
    let report = ka.report();
    let names: Vec<&str> = report.connections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["acme"],
        "client credentials have nothing to keep alive"
    );
    assert_eq!(report.connections[0].result, "not due yet");
    assert!(report.connections[0].warning.is_none());
    // 30 days of life and keepalive 7 days: next due in 23 days.
    let next = report.next_keepalive.unwrap();
    assert!(
        next > Timestamp::now() + SignedDuration::from_hours(22 * 24),
        "{next}"
    );
    assert_eq!(pass.next, Some(next));
    assert!(notified(&w).is_empty());
}

#[test]
fn a_refresh_that_does_not_move_the_expiry_warns_and_is_not_repeated() {
    // The fake caps the chain: each new refresh token expires when the first one did.
    let w = World::with_settings("keepalive = \"12s\"", |o| {
        o.max_refresh_lifetime = Some(Duration::from_secs(16));
        o.max_access_lifetime = Some(Duration::from_secs(14));
        o.capped_refresh_chain = true;
    });
    w.seed();
    let ka = keepalive(&w);
    let (stop, _agent) = start(&w, &ka);
    wait_for("the warning", || {
        line(&ka, "acme").is_some_and(|l| l.warning.is_some())
    });
    let report = line(&ka, "acme").unwrap();
    let warning = report.warning.unwrap();
    assert!(
        warning.contains("did not move the refresh expiry forward"),
        "{warning}"
    );
    assert!(report.last_keepalive.is_some());
    // Under load the loop may already have reached the grant's end (told below): the first
    // notification is the one about the chain, whatever came after it.
    let calls = notified(&w);
    assert!(!calls.is_empty() && calls.len() <= 2, "{calls:?}");
    assert!(calls[0].contains("did not extend acme"), "{calls:?}");
    // No more tokens are spent on a chain that does not move, up to its end and after.
    let lapse = report.refresh_expires_at.unwrap();
    wait_for("the capped grant's end", || Timestamp::now() > lapse);
    let pass = w.runtime.block_on(ka.pass(Some(&refresher(&w))));
    stop.cancel();
    assert_eq!(pass.refreshed, 0);
    assert_eq!(w.fake.counters().refreshes, 1);
    // Its end is a new problem, told once more.
    assert_eq!(line(&ka, "acme").unwrap().result, "login required");
    let calls = notified(&w);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[1].contains("zdauth login acme"), "{calls:?}");
}

#[test]
fn a_connection_logged_in_later_is_kept_without_waiting_for_the_old_deadline() {
    let w = World::with_settings("keepalive = \"12d\"", |_| {});
    w.seed();
    let ka = keepalive(&w);
    let (stop, _agent) = start(&w, &ka);
    // acme is due in 18 days: the loop sleeps on its longest timer.
    wait_for("the first pass", || ka.report().next_keepalive.is_some());
    w.add_seeded("globex", "globex");
    age(&w, "globex", 20 * DAY);
    wait_for("globex's keep-alive", || {
        line(&ka, "globex").is_some_and(|l| l.last_keepalive.is_some())
    });
    stop.cancel();
    let globex = line(&ka, "globex").unwrap();
    assert_eq!(globex.result, "ok", "{globex:?}");
    assert!(
        globex.refresh_expires_at.unwrap() > Timestamp::now() + SignedDuration::from_hours(29 * 24)
    );
    assert!(line(&ka, "acme").unwrap().last_keepalive.is_none());
    assert_eq!(w.fake.counters().refreshes, 1);
}

#[test]
fn a_deadline_that_comes_while_locked_is_told_and_kept_after_the_unlock() {
    let w = World::with_settings("keepalive = \"12s\"", |o| {
        o.max_refresh_lifetime = Some(Duration::from_secs(16));
        o.max_access_lifetime = Some(Duration::from_secs(14));
    });
    w.seed();
    let ka = keepalive(&w);
    let refresher = refresher(&w);
    let pass = w.runtime.block_on(ka.pass(Some(&refresher)));
    assert_eq!(pass.refreshed, 0);
    let due = pass.next.unwrap();
    wait_for("the deadline", || Timestamp::now() > due);
    // Locked: nothing can be refreshed, and the user is told.
    let pass = w.runtime.block_on(ka.pass(None));
    assert_eq!(pass.refreshed, 0);
    let report = line(&ka, "acme").unwrap();
    assert_eq!(report.result, "locked");
    assert!(report.warning.unwrap().contains("zdauth unlock"));
    assert_eq!(notified(&w).len(), 1);
    assert_eq!(w.runtime.block_on(ka.pass(None)).refreshed, 0);
    assert_eq!(notified(&w).len(), 1, "told once");
    // Unlocked again in time: kept, and the warning is gone.
    let pass = w.runtime.block_on(ka.pass(Some(&refresher)));
    assert_eq!(pass.refreshed, 1);
    let report = line(&ka, "acme").unwrap();
    assert_eq!(report.result, "ok", "{report:?}");
    assert!(report.warning.is_none() && report.last_keepalive.is_some());
    assert_eq!(w.fake.counters().refreshes, 1);
}
