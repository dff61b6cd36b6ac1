//! What is refused before anything is sent or unlocked: a full URL that some picked
//! connection may not be asked, a tag or glob that matches nothing.

use zdauth::seed::{self, Pair};

use super::{api, code, three};
use crate::common::world::{CLIENT, World, free_port};

/// `elsewhere`: a connection whose `base_url` is another host than the fake's.
fn with_elsewhere() -> World {
    let w = three();
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let elsewhere = seed::connection("elsewhere", "elsewhere", CLIENT, w.port, Some(&nowhere));
    let elsewhere = elsewhere.unwrap();
    let paths = w.sb.paths();
    let lock = zdauth_core::vault::DirLock::acquire(&paths).unwrap();
    let mut edit = zdauth_core::config::ConfigEdit::open(&paths.config()).unwrap();
    edit.add_connection(&elsewhere);
    edit.save().unwrap();
    drop(lock);
    let entry = seed::entry(
        &elsewhere,
        Pair::random().obtained_at(jiff::Timestamp::now()),
        None,
    );
    w.sb.vault()
        .update(|data| data.connections.insert("elsewhere".into(), entry))
        .unwrap();
    w
}

#[test]
fn a_full_url_one_connection_may_not_be_asked_sends_to_none() {
    let w = with_elsewhere();
    // On the fake's host: acme, beta and gamma may be asked it, elsewhere may not.
    let target = format!("{}/api/v2/tickets.json", w.fake.base_url());
    let ticket = r#"ticket:={"subject": "s", "comment": {"body": "b"}}"#;
    let run = api(&w, &["--all", "-X", "POST", &target, "-f", ticket]);
    let run = run.fails(2, "elsewhere: zdauth api will not send to");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let counters = w.fake.counters();
    assert_eq!((counters.api_requests, counters.token_posts), (0, 0));
    // Without elsewhere, the same URL goes to each of the others.
    let run = api(&w, &["[abg]*", "-X", "POST", &target, "-f", ticket]);
    code(&run, 0);
    assert_eq!(
        w.fake
            .counters()
            .api_calls_to("POST", "/api/v2/tickets.json"),
        3
    );
}

#[test]
fn a_selection_typo_never_asks_for_the_passphrase() {
    let w = three();
    w.sb.seal_identity();
    // No ZDAUTH_PASSPHRASE and no terminal: opening the vault would fail with 6.
    code(&api(&w, &["--all", "users/me.json"]), 6);
    api(&w, &["--tag", "prdo", "users/me.json"]).fails(2, "prdo");
    api(&w, &["acmee*", "users/me.json"]).fails(2, "acmee*");
    api(&w, &["--all", "https://evil.example/api/v2/users/me.json"]).fails(2, "will not send to");
    api(&w, &["acmee", "users/me.json"]).fails(1, "no connection named \"acmee\"");
    let export = |args: &[&str]| {
        w.sb.run(&[&["export", "--format", "json"][..], args].concat())
    };
    export(&["--tag", "prdo"]).fails(2, "prdo");
    export(&["acmee"]).fails(1, "no connection named \"acmee\"");
    assert_eq!(w.fake.counters().api_requests, 0);
}
