//! Many connections at once: globs, `--all`, `--tag`, NDJSON lines, `--sort`, and a mixed
//! fleet's exit code and stderr summary.

use std::collections::BTreeSet;

use zdauth::seed::{self, Pair};
use zdauth_fake::{FakeOptions, FakeZendesk, Fault, FaultTarget};

use super::{api, code, lines, three};
use crate::common::world::{CLIENT, World, free_port};

fn names(run: &crate::common::Run) -> Vec<String> {
    lines(run)
        .iter()
        .map(|line| line["connection"].as_str().unwrap().to_owned())
        .collect()
}

/// `tags = [...]` on a connection, written into config.toml as a user would.
fn tag(w: &World, name: &str, tags: &str) {
    let text = w.sb.config_text();
    let at = format!("name = \"{name}\"\n");
    assert!(text.contains(&at), "{text}");
    let text = text.replace(&at, &format!("{at}tags = [{tags}]\n"));
    std::fs::write(w.sb.paths().config(), text).unwrap();
}

#[test]
fn all_asks_every_connection_one_ndjson_line_each() {
    let w = three();
    let run = api(&w, &["--all", "users/me.json"]);
    code(&run, 0);
    let got = lines(&run);
    assert_eq!(got.len(), 3, "{}", run.stdout);
    for line in &got {
        let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{line}");
        assert_eq!(line["status"], 200);
        assert_eq!(line["body"]["user"]["email"], "ada@acme.test");
        assert_eq!(line["connection"], line["subdomain"]);
    }
    // Each field in the documented order.
    assert!(run.stdout.starts_with("{\"connection\":"), "{}", run.stdout);
    let seen: BTreeSet<String> = names(&run).into_iter().collect();
    assert_eq!(
        seen,
        BTreeSet::from(["acme".into(), "beta".into(), "gamma".into()])
    );
    assert_eq!(run.stderr, "zdauth: 3 ok\n");
}

#[test]
fn a_glob_or_tags_pick_and_sort_orders_by_name() {
    let w = three();
    w.add_seeded("alpha", "alpha");
    tag(&w, "gamma", "\"prod\", \"eu\"");
    tag(&w, "alpha", "\"prod\", \"eu\"");
    tag(&w, "beta", "\"prod\"");
    let run = api(
        &w,
        &["--tag", "prod", "--tag", "eu", "--sort", "users/me.json"],
    );
    code(&run, 0);
    assert_eq!(names(&run), ["alpha", "gamma"]);
    let run = api(&w, &["a*", "--sort", "users/me.json"]);
    code(&run, 0);
    assert_eq!(names(&run), ["acme", "alpha"]);
    // A glob that matches one still answers in the many form.
    let run = api(&w, &["b?ta", "users/me.json"]);
    code(&run, 0);
    assert_eq!(names(&run), ["beta"]);
    assert_eq!(run.stderr, "zdauth: 1 ok\n");
    api(&w, &["--tag", "nosuch", "users/me.json"]).fails(2, "nosuch");
    let run = api(&w, &["--all", "--sort", "users/me.json"]);
    assert_eq!(names(&run), ["acme", "alpha", "beta", "gamma"]);
}

/// A second fake, whose every API GET answers 503.
fn broken_fake(w: &World) -> FakeZendesk {
    let mut options = FakeOptions::default();
    options.clients[0].identifier = CLIENT.into();
    let fake = w.runtime.block_on(FakeZendesk::start(options)).unwrap();
    fake.push_fault(FaultTarget::ApiGet, Fault::Status(503), 1000);
    fake
}

#[test]
fn a_mixed_fleet_exits_with_the_highest_code_and_says_a_summary() {
    let w = World::new(|_| {});
    w.seed();
    // No tokens: a login is needed.
    w.sb.run(&[
        "add",
        "nologin",
        "--subdomain",
        "nologin",
        "--client-id",
        CLIENT,
        "--base-url",
        &w.fake.base_url(),
    ])
    .success();
    // Tokens the broken fake issued; it answers every GET with 503.
    let broken = broken_fake(&w);
    let down = seed::connection("down", "down", CLIENT, w.port, Some(&broken.base_url())).unwrap();
    // Tokens for a server that is not there.
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let gone = seed::connection("gone", "gone", CLIENT, w.port, Some(&nowhere)).unwrap();
    store(
        &w,
        &down,
        Pair::issued(&broken.issue_grant(CLIENT, &seed::SCOPES)),
    );
    store(&w, &gone, Pair::random());

    for (name, want) in [("acme", 0), ("nologin", 5), ("gone", 7), ("down", 8)] {
        let run = api(&w, &[name, "users/me.json"]);
        code(&run, want);
        if want != 0 {
            assert_eq!(run.stderr.lines().count(), 1, "{name}: {}", run.stderr);
            assert!(
                run.stderr.starts_with(&format!("zdauth: {name}: ")),
                "{}",
                run.stderr
            );
        }
    }
    // GETs are retried twice on a 5xx, then the answer is printed.
    assert_eq!(broken.counters().api_requests, 3);

    let run = api(&w, &["--all", "--sort", "users/me.json"]);
    code(&run, 8);
    // Answers are printed for the connections that got one, whatever their status.
    assert_eq!(names(&run), ["acme", "down"]);
    let stderr: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(stderr.len(), 4, "{}", run.stderr);
    // With --sort, the failures too come in name order.
    assert_eq!(
        stderr[0],
        "zdauth: down: the API answered 503: server_error: injected fault"
    );
    assert!(
        stderr[1].starts_with("zdauth: gone: cannot reach Zendesk"),
        "{}",
        run.stderr
    );
    assert!(
        stderr[2].starts_with("zdauth: nologin: nologin needs a login"),
        "{}",
        run.stderr
    );
    assert_eq!(
        stderr[3],
        "zdauth: 1 ok, 1 error, 1 needs login, 1 network error"
    );

    let run = api(&w, &["acme", "--tag", "nosuchtag", "users/me.json"]);
    code(&run, 2);
}

fn store(w: &World, connection: &zdauth_core::config::Connection, pair: Pair) {
    let paths = w.sb.paths();
    let lock = zdauth_core::vault::DirLock::acquire(&paths).unwrap();
    let mut edit = zdauth_core::config::ConfigEdit::open(&paths.config()).unwrap();
    edit.add_connection(connection);
    edit.save().unwrap();
    drop(lock);
    let entry = seed::entry(connection, pair.obtained_at(jiff::Timestamp::now()), None);
    w.sb.vault()
        .update(|data| data.connections.insert(connection.name.clone(), entry))
        .unwrap();
}

/// The README's examples, as written there (the trigger's title is one the fake has).
#[test]
fn the_readme_examples_run() {
    let w = three();
    w.fake.set_api_records(150);
    tag(&w, "beta", "\"prod\"");
    let run = api(
        &w,
        &[
            "--all",
            "triggers.json?page[size]=100",
            "--paginate",
            "--jq",
            ".triggers[] | select(.title == \"Notify requester 120\") | .id",
        ],
    );
    code(&run, 0);
    assert_eq!(lines(&run).len(), 3);
    let run = api(
        &w,
        &[
            "--tag",
            "prod",
            "users.json?role=admin&page[size]=100",
            "--paginate",
            "--sort",
            "--jq",
            ".users[] | {email, name}",
        ],
    );
    code(&run, 0);
    let got = lines(&run);
    assert!(
        !got.is_empty() && got.iter().all(|l| l["connection"] == "beta"),
        "{got:?}"
    );
    assert!(got[0]["body"]["email"].is_string() && got[0]["body"]["name"].is_string());
    let ticket =
        r#"ticket:={"subject": "Printer on fire", "comment": {"body": "Smoke seen at 9:02"}}"#;
    let run = api(&w, &["acme", "tickets.json", "-f", ticket]);
    code(&run, 0);
    let id = super::json(&run)["ticket"]["id"].as_u64().unwrap();
    let target = format!("tickets/{id}.json");
    let run = api(
        &w,
        &[
            "acme",
            &target,
            "-X",
            "PUT",
            "-f",
            r#"ticket:={"status": "solved"}"#,
        ],
    );
    code(&run, 0);
}
