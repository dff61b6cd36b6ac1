//! `--jq`: the jaq crates on each answer; a compile error costs no request.

use super::{api, code, lines, three};
use crate::common::world::World;

#[test]
fn a_filter_prints_each_value_on_its_line_strings_raw() {
    let w = World::new(|_| {});
    w.seed();
    w.fake.set_api_records(5);
    let run = api(&w, &["acme", "users.json", "--jq", ".users[].email"]);
    code(&run, 0);
    assert_eq!(run.stdout.lines().count(), 5, "{}", run.stdout);
    assert!(
        run.stdout
            .lines()
            .all(|l| !l.starts_with('"') && l.contains('@')),
        "{}",
        run.stdout
    );
    let run = api(
        &w,
        &["acme", "users.json", "--jq", "{n: (.users | length)}"],
    );
    code(&run, 0);
    assert_eq!(run.stdout, "{\"n\":5}\n");
    let run = api(
        &w,
        &["acme", "users.json", "--jq", ".users[] | select(.id < 0)"],
    );
    code(&run, 0);
    assert_eq!(run.stdout, "");
}

#[test]
fn with_many_connections_the_body_is_the_filtered_value() {
    let w = three();
    w.fake.set_api_records(2);
    let run = api(
        &w,
        &["--all", "--sort", "users.json", "--jq", ".users[].id"],
    );
    code(&run, 0);
    let got = lines(&run);
    assert_eq!(got.len(), 6);
    assert!(
        got.iter().all(|l| l["body"].is_u64() && l["status"] == 200),
        "{got:?}"
    );
    assert_eq!(got[0]["connection"], "acme");
    assert_eq!(got[5]["connection"], "gamma");
}

#[test]
fn a_compile_error_is_a_usage_error_before_any_request() {
    let w = World::new(|_| {});
    w.seed();
    w.age_pair(3600);
    for filter in [".users[", "nosuch(1)", "if . then 1"] {
        let run = api(&w, &["acme", "users.json", "--jq", filter]);
        run.fails(2, "--jq is not a jq filter");
    }
    let counters = w.fake.counters();
    assert_eq!(counters.api_requests, 0);
    assert_eq!(
        counters.token_posts, 0,
        "an expired token was not even refreshed"
    );
}

#[test]
fn a_runtime_error_is_that_answers_error() {
    let w = three();
    let run = api(
        &w,
        &["acme", "users/me.json", "--jq", ".user.email | tonumber"],
    );
    code(&run, 1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("zdauth: acme: jq: "),
        "{}",
        run.stderr
    );
    let run = api(
        &w,
        &["--all", "users/me.json", "--jq", ".user.email | tonumber"],
    );
    code(&run, 1);
    assert_eq!(run.stderr.lines().count(), 4, "{}", run.stderr);
    assert_eq!(run.stderr.lines().last().unwrap(), "zdauth: 0 ok, 3 errors");
}
