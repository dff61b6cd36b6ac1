//! A store token that may read but not write: tokens still come out while they are fresh,
//! and a refresh is refused before anything is spent, naming the policy that is missing.

use std::time::Duration;

use jiff::SignedDuration;

use crate::common::store::{Machine, Team};

const READ_ONLY: &str = r#"path "secret/data/zdauth/*" { capabilities = ["read"] }"#;

#[test]
fn a_token_without_write_permission_is_told_the_policy_and_spends_nothing() {
    let Some(t) = Team::start("") else { return };
    t.bao.write_policy("zdauth-read", READ_ONLY);
    let read_only = t
        .bao
        .token_with_policies(&["zdauth-read"], Duration::from_secs(3600));
    let reader = Machine {
        sb: &t.two,
        token: &read_only,
    };
    let fresh = t.seed(SignedDuration::from_mins(29));
    assert_eq!(
        reader.token(&[]),
        fresh.access_token,
        "reading needs no write"
    );

    let run = reader.run(&["token", "acme", "--min-valid", "24h"]);
    let run = run.fails(7, "secret/data/zdauth/*");
    for words in ["openbao at", "policy", "\"create\"", "\"update\""] {
        assert!(
            run.stderr.contains(words),
            "want {words:?} in {}",
            run.stderr
        );
    }
    assert!(
        !run.stderr.contains(&read_only),
        "the store token is never shown"
    );
    assert_eq!(t.w.fake.counters().token_posts, 0, "nothing was spent");
    assert!(t.lease().is_none(), "no lease was written");
    assert_eq!(t.one().stored_access(), fresh.access_token);
}
