//! Eight processes on each of two machines want a new token at once, round after round:
//! the store's lease makes each round cost one refresh POST, never a replay.

use std::process::{Child, Stdio};
use std::time::Duration;

use jiff::SignedDuration;
use zdauth_fake::{Fault, FaultTarget};

use crate::common::store::{Machine, Team, wait_for_post};

const ROUNDS: usize = 20;
const EACH: usize = 8;
/// How long the round's one POST is held once it arrived, so that every process of the
/// round has asked (and waits on the lease) before the new pair exists. A margin for a
/// loaded machine, not a timing anything is measured against.
const HOLD: Duration = Duration::from_millis(1500);

fn spawn(machine: Machine<'_>) -> Child {
    machine
        .zdauth(&["token", "acme", "--min-valid", "24h"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Each wants more than a token's 30 minutes, so each alone would refresh; a pair rotated
/// after it asked is the answer, so one POST serves the whole round on both machines.
#[test]
fn sixteen_processes_on_two_machines_cost_one_refresh_per_round() {
    let Some(t) = Team::start("") else { return };
    t.seed(SignedDuration::from_mins(29));
    let mut tokens = Vec::new();
    for round in 0..ROUNDS {
        let before = t.w.fake.counters();
        t.w.fake.push_fault(FaultTarget::Token, Fault::Hold, 1);
        let mut children: Vec<Child> = (0..EACH)
            .flat_map(|_| [spawn(t.one()), spawn(t.two())])
            .collect();
        wait_for_post(&t, &mut children);
        std::thread::sleep(HOLD);
        t.w.fake.release_held();
        let printed: Vec<String> = children
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(out.status.success(), "round {round}: {stderr}");
                String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
            })
            .collect();
        let after = t.w.fake.counters();
        assert_eq!(
            (
                after.token_posts - before.token_posts,
                after.refreshes - before.refreshes
            ),
            (1, 1),
            "round {round}: one POST for {} processes",
            2 * EACH
        );
        assert_eq!(after.reuse_detections, 0, "round {round}: a replay");
        assert_eq!(after.revoked_grants, 0, "round {round}");
        assert!(
            printed.iter().all(|p| *p == printed[0]),
            "round {round}: all got one token"
        );
        assert!(t.works(&printed[0]), "round {round}: the token works");
        assert_eq!(printed[0], t.two().stored_access(), "round {round}");
        tokens.push(printed[0].clone());
    }
    tokens.dedup();
    assert_eq!(tokens.len(), ROUNDS, "every round rotated once");
}
