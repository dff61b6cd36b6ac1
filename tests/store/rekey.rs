//! A new member: a third identity added to `[store].recipients`, `zdauth store rekey`, and
//! that identity can read the store's payloads with the stock `age` tool.

use std::process::Command;

use jiff::SignedDuration;
use serde_json::Value;

use crate::common::store::{Team, bare_machine, join_store, recipient};

/// `age -d -i IDENTITY` of `armor`: the plaintext, or `None` when age refuses.
fn age_decrypt(identity: &std::path::Path, armor: &str) -> Option<String> {
    use std::io::Write;
    let mut child = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the stock age tool (apt-get install age)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(armor.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap())
}

#[test]
fn a_member_added_and_rekeyed_can_read_the_store_with_age() {
    let Some(t) = Team::start("") else { return };
    let seeded = t.seed(SignedDuration::from_mins(29));
    let third = bare_machine();
    let payload = || {
        t.secret().unwrap()["data"]["data"]["payload"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let before = t.secret().unwrap()["data"]["metadata"]["version"].clone();
    assert_eq!(
        age_decrypt(&third.identity_file(), &payload()),
        None,
        "not a member yet"
    );

    let members = [recipient(&t.two), recipient(&third)];
    join_store(&t.w.sb, &t.bao, &[members[0].as_str(), members[1].as_str()]);
    let run = t.one().run(&["store", "rekey"]).success();
    assert!(run.stdout.contains("acme"), "{}", run.stdout);
    let after = t.secret().unwrap()["data"]["metadata"]["version"].clone();
    assert_ne!(before, after, "rekey wrote a new version");

    let plain = age_decrypt(&third.identity_file(), &payload()).expect("a member now");
    let plain: Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(plain["name"], "acme");
    let text = plain.to_string();
    assert!(
        text.contains(&seeded.refresh_token),
        "the pair is in the payload"
    );
    // The old members still read it, and nothing was spent.
    assert_eq!(t.two().token(&[]), seeded.access_token);
    assert_eq!(t.one().token(&[]), seeded.access_token);
    assert_eq!(t.w.fake.counters().token_posts, 0);
}
