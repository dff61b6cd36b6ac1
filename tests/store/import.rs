//! `zdauth store list --format toml` on one machine is what `zdauth import` takes on a new
//! one: that machine, once a member, gets tokens without a login.

use jiff::SignedDuration;

use crate::common::store::{Machine, Team, bare_machine, join_store, recipient};

#[test]
fn store_list_as_toml_imports_on_a_fresh_machine_that_then_gets_tokens() {
    let Some(t) = Team::start("") else { return };
    let seeded = t.seed(SignedDuration::from_mins(29));
    let three = bare_machine();
    let members = [recipient(&t.w.sb), recipient(&t.two)];
    join_store(&three, &t.bao, &[members[0].as_str(), members[1].as_str()]);
    let new_member = recipient(&three);
    join_store(&t.w.sb, &t.bao, &[members[1].as_str(), new_member.as_str()]);
    t.one().run(&["store", "rekey"]).success();

    let listed = t
        .one()
        .run(&["store", "list", "--format", "toml"])
        .success();
    assert!(listed.stdout.contains("acme"), "{}", listed.stdout);
    assert!(
        !listed.stdout.contains(&seeded.access_token),
        "no token listed"
    );
    let file = three.temp.path().join("team.toml");
    std::fs::write(&file, &listed.stdout).unwrap();
    let three = Machine {
        sb: &three,
        token: t.bao.root_token(),
    };
    three.run(&["import", file.to_str().unwrap()]).success();

    assert_eq!(three.token(&[]), seeded.access_token);
    assert!(t.works(&seeded.access_token));
    let counters = t.w.fake.counters();
    assert_eq!((counters.authorize_requests, counters.token_posts), (0, 0));
}
