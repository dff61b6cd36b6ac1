//! A store that answers what zdauth never wrote (an operator's mistake, or an attacker with
//! the store's write access but not the members' keys): refused with one clear line, bounded,
//! nothing spent, nothing overwritten.

use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::common::store::{Team, bao_request};

/// `token acme` on machine two with `data` as acme's secret: refused with exit 7 or 1 and one
/// line that has `words`; no POST, and the secret is still what was planted.
#[track_caller]
fn refused(t: &Team, data: &Value, words: &str) {
    t.overwrite(data);
    let version = t.secret().unwrap()["data"]["metadata"]["version"].clone();
    for args in [
        &["token", "acme"][..],
        &["token", "acme", "--min-valid", "24h"],
    ] {
        let run = t.two().run(args);
        assert!(
            [1, 7].contains(&run.code),
            "{args:?}: exit {}: {}",
            run.code,
            run.stderr
        );
        let code = run.code;
        let run = run.fails(code, words);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    assert_eq!(
        t.w.fake.counters().token_posts,
        0,
        "a refresh token was spent"
    );
    let now = t.secret().unwrap()["data"]["metadata"]["version"].clone();
    assert_eq!(now, version, "the planted secret was overwritten");
}

#[test]
fn a_payload_that_is_not_age_is_refused() {
    let Some(t) = Team::start("") else { return };
    t.seed(SignedDuration::from_mins(-1));
    refused(
        &t,
        &json!({"zdauth": 1, "payload": "not age at all"}),
        "acme",
    );
}

#[test]
fn a_payload_of_another_connection_is_refused_as_swapped() {
    let Some(t) = Team::start("") else { return };
    t.seed(SignedDuration::from_mins(-1));
    // globex's payload, encrypted to the members by zdauth itself, put in acme's place.
    t.w.add_seeded("globex", "globex");
    t.seed_named("globex", SignedDuration::from_mins(29));
    let theirs = bao_request(&t.bao, "GET", "/v1/secret/data/zdauth/globex", None).unwrap();
    refused(&t, &theirs["data"]["data"], "acme");
}

#[test]
fn an_oversized_or_unknown_secret_is_refused_bounded() {
    let Some(t) = Team::start("") else { return };
    t.seed(SignedDuration::from_mins(-1));
    let huge = "A".repeat(200 * 1024);
    refused(
        &t,
        &json!({"zdauth": 1, "payload": huge}),
        "more than 64 KiB",
    );
    refused(&t, &json!({"zdauth": 99, "payload": "x"}), "acme");
    refused(&t, &json!({"something": "else"}), "acme");
    refused(
        &t,
        &json!({"zdauth": 1, "payload": "x", "lease": {"holder": 7, "until": "never"}}),
        "acme",
    );
}
