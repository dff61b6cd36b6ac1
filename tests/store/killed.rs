//! The lease holder killed mid-refresh: its lease runs out and the other machine goes on.

use std::process::Stdio;

use jiff::{SignedDuration, Timestamp};
use zdauth_fake::{Fault, FaultTarget};

use crate::common::store::{Team, wait_for_post};

/// The shortest refresh the settings allow, so that the lease (the refresh's longest time
/// plus a margin) is as short as it can be.
const SHORT: &str = "http_timeout = \"1s\"";

/// Machine one's `token` takes the lease and sends the POST, which the fake holds and never
/// answers (so its refresh token is not spent: were it answered, that pair would be lost by
/// definition); it is killed by `SIGKILL` there. Machine two waits out the lease, takes it over and
/// refreshes with the same refresh token: one rotation, no replay, a working token.
#[test]
fn the_lease_of_a_holder_killed_mid_refresh_expires_and_the_other_machine_goes_on() {
    let Some(t) = Team::start(SHORT) else { return };
    let seeded = t.seed(SignedDuration::from_mins(-1));
    t.w.fake.push_fault(FaultTarget::Token, Fault::Hold, 1);
    let mut holder = t
        .one()
        .zdauth(&["token", "acme"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_post(&t, std::slice::from_mut(&mut holder));
    assert!(
        holder.try_wait().unwrap().is_none(),
        "the holder ended before its POST"
    );
    let lease = t
        .lease()
        .expect("the holder wrote its lease before the POST");
    holder.kill().unwrap();
    holder.wait().unwrap();

    let until: Timestamp = lease["until"].as_str().unwrap().parse().unwrap();
    let left = until.duration_since(Timestamp::now());
    eprintln!("lease held by {} for {left:#} more", lease["holder"]);
    assert!(
        left < SignedDuration::from_mins(5),
        "a lease of {left:#} outlives any refresh"
    );
    let run = t.two().run(&["token", "acme"]).success();
    let token = run.stdout.trim_end();
    assert!(
        Timestamp::now() >= until,
        "taken over before the lease ran out"
    );
    assert_ne!(token, seeded.access_token);
    assert!(t.works(token), "machine two's token works");
    let counters = t.w.fake.counters();
    assert_eq!(counters.refreshes, 1, "the killed POST was never answered");
    assert_eq!(counters.reuse_detections, 0);
    assert!(t.w.fake.grant_alive(&seeded.grant_id));
    assert!(
        t.lease().is_none(),
        "the lease is cleared with the new pair"
    );
    assert_eq!(t.one().token(&[]), token, "machine one goes on with it too");
}
