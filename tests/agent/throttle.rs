//! The agent's refreshes share one throttle: `token` answers and keep-alive together never
//! send one Zendesk account more than 4 token requests at once (`zdauth_core::throttle`), as
//! `refresh --all` and the TUI do within their own process.

use std::time::Duration;

use super::agent_run;
use crate::common::world::World;

/// Per account, at once (`throttle::PER_ACCOUNT`).
const PER_ACCOUNT: u32 = 4;

/// Eight connections on one account, each asked for at once with `--min-valid` beyond what
/// its token has, so that the agent must refresh all eight; the fake answers slowly, so that
/// unthrottled requests would overlap.
#[test]
fn token_answers_at_once_for_one_account_are_throttled() {
    let w = World::new(|o| o.latency = Duration::from_millis(1500));
    w.seed();
    let names: Vec<String> = (1..8).map(|n| format!("acme{n}")).collect();
    for name in &names {
        w.add_seeded(name, "acme");
    }
    let _agent = agent_run(&w, &[]);
    let all: Vec<&str> = std::iter::once("acme")
        .chain(names.iter().map(String::as_str))
        .collect();
    let runs: Vec<_> = std::thread::scope(|scope| {
        let calls: Vec<_> = all
            .iter()
            .map(|name| scope.spawn(|| w.sb.run(&["token", name, "--min-valid", "1h"])))
            .collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for run in runs {
        run.success();
    }
    let counters = w.fake.counters();
    assert_eq!(counters.refreshes, 8, "{counters:?}");
    assert!(
        counters.max_token_posts_in_flight <= PER_ACCOUNT,
        "{} token requests at once to one account: {counters:?}",
        counters.max_token_posts_in_flight
    );
}
