//! One login, two machines: the store is the only home of the pair.

use jiff::SignedDuration;

use crate::common::store::Team;

/// A login on machine one gives machine two a working token with no login and no refresh,
/// and neither vault.age holds the pair; nothing in the store is a token in the clear.
#[test]
fn a_login_on_one_machine_gives_the_other_a_working_token() {
    let Some(t) = Team::start("") else { return };
    let browser = t.w.browser();
    t.one()
        .run_with(
            &["login", "acme", "--timeout", "30s"],
            &[("BROWSER", &browser)],
            None,
        )
        .success();
    let before = t.w.fake.counters();
    assert_eq!(before.code_exchanges, 1);

    let token = t.two().token(&[]);
    assert!(t.works(&token), "machine two's token works at Zendesk");
    assert_eq!(token, t.one().token(&[]), "both hand out the same token");
    let after = t.w.fake.counters();
    assert_eq!(
        after.authorize_requests, before.authorize_requests,
        "no login"
    );
    assert_eq!(after.token_posts, before.token_posts, "nothing spent");

    assert!(t.w.stored().tokens.is_none(), "vault.age holds no pair");
    let secret = t.secret().expect("the store holds acme").to_string();
    assert!(
        !secret.contains(&token),
        "the token is encrypted in the store"
    );
    assert!(secret.contains("BEGIN AGE ENCRYPTED FILE"), "{secret}");
}

/// A refresh on machine two is what machine one hands out next; the old token is dead.
#[test]
fn a_refresh_on_one_machine_is_what_the_other_hands_out() {
    let Some(t) = Team::start("") else { return };
    t.seed(SignedDuration::from_mins(29));
    let old = t.one().token(&[]);
    t.two().run(&["refresh", "acme"]).success();
    let new = t.one().token(&[]);
    assert_ne!(new, old);
    assert!(t.works(&new) && !t.works(&old));
    let counters = t.w.fake.counters();
    assert_eq!((counters.refreshes, counters.reuse_detections), (1, 0));
}
