//! The agent with a store: it answers from the store on every call, so a refresh on another
//! machine (which kills the old access token) never leaves it handing out a dead token.

use std::process::{Child, Stdio};
use std::time::Duration;

use jiff::SignedDuration;

use crate::common::store::{Machine, Team, wait_until};

/// `zdauth agent run` on `machine`, killed and reaped when dropped.
struct Agent(Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent(machine: Machine<'_>) -> Agent {
    let child = machine
        .zdauth(&["agent", "run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let agent = Agent(child);
    wait_until("the agent unlocked", Duration::from_secs(60), || {
        let run = machine.run(&["agent", "status", "--json"]);
        run.code == 0
            && serde_json::from_str::<serde_json::Value>(&run.stdout)
                .is_ok_and(|s| s["unlocked"] == true)
    });
    agent
}

#[test]
fn the_agents_tokens_stay_valid_across_a_refresh_on_the_other_machine() {
    let Some(t) = Team::start("") else { return };
    let seeded = t.seed(SignedDuration::from_mins(29));
    let _agent = agent(t.one());
    assert_eq!(t.one().token(&[]), seeded.access_token);
    for round in 0..3 {
        t.two().run(&["refresh", "acme"]).success();
        let new = t.two().stored_access();
        let answered = t.one().token(&[]);
        assert_eq!(
            answered, new,
            "round {round}: the agent hands out the new token"
        );
        assert!(t.works(&answered), "round {round}");
    }
    let counters = t.w.fake.counters();
    assert_eq!((counters.refreshes, counters.reuse_detections), (3, 0));
    // The agent refreshes through the store too: one more rotation, seen by machine two.
    let rotated = t.one().token(&["--min-valid", "24h"]);
    assert_eq!(t.two().token(&[]), rotated);
    assert!(t.works(&rotated));
    assert_eq!(t.w.fake.counters().reuse_detections, 0);
}
