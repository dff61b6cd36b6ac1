//! One connection picked by its plain name: the answer's JSON, compact when piped.

use super::{api, code, json, three};
use crate::common::world::World;

#[test]
fn one_connection_prints_its_answer_as_compact_json() {
    let w = World::new(|_| {});
    w.seed();
    for target in ["/api/v2/users/me.json", "users/me.json"] {
        let run = api(&w, &["acme", target]);
        code(&run, 0);
        assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
        assert_eq!(json(&run)["user"]["email"], "ada@acme.test");
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    }
    let full = format!("{}/api/v2/users/me.json", w.fake.base_url());
    let run = api(&w, &["acme", &full]);
    code(&run, 0);
    assert_eq!(json(&run)["user"]["id"], 1001);
    assert_eq!(
        w.fake
            .counters()
            .api_calls_to("GET", "/api/v2/users/me.json"),
        3
    );
}

#[test]
fn a_path_alone_needs_a_name_all_or_tag_and_an_unknown_name_is_refused() {
    let w = three();
    let run = api(&w, &["users/me.json"]);
    run.fails(2, "use --all or --tag");
    api(&w, &["nosuch", "users/me.json"]).fails(1, "no connection named \"nosuch\"");
    let run = api(&w, &["zz-*", "users/me.json"]);
    run.fails(2, "no connection matches");
    api(&w, &["acme", "--all", "users/me.json"]).fails(2, "cannot go together");
    assert_eq!(w.fake.counters().api_requests, 0);
}

#[test]
fn an_api_error_status_prints_the_body_and_exits_8() {
    let w = World::new(|_| {});
    w.seed();
    let run = api(
        &w,
        &[
            "acme",
            "tickets/999.json",
            "-X",
            "PUT",
            "-f",
            "ticket:={\"subject\":\"x\"}",
        ],
    );
    code(&run, 8);
    assert_eq!(json(&run)["error"], "RecordNotFound");
    assert_eq!(
        run.stderr,
        "zdauth: acme: the API answered 404: RecordNotFound: Not found\n"
    );
    // A filter is for the success shape: an error answer is printed as Zendesk sent it.
    let run = api(
        &w,
        &[
            "acme",
            "tickets/999.json",
            "-X",
            "PUT",
            "-f",
            "ticket:={}",
            "--jq",
            ".ticket.id",
        ],
    );
    code(&run, 8);
    assert_eq!(json(&run)["description"], "Not found");
}

#[test]
fn help_lists_the_exit_codes() {
    let w = World::new(|_| {});
    let run = api(&w, &["--help"]);
    code(&run, 0);
    for line in [
        "0  every answer was 2xx",
        "8  the API answered an error status",
        "5  login required",
        "7  network error",
        "38 ok, 1 error, 1 needs login",
    ] {
        assert!(
            run.stdout.contains(line),
            "{line:?} not in:\n{}",
            run.stdout
        );
    }
}
