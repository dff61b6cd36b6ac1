//! Request bodies: `-f key=value`, `-f key:=json`, `--input FILE`, `--input -` (stdin).

use super::{api, code, json};
use crate::common::world::World;

fn world() -> World {
    let w = World::new(|_| {});
    w.seed();
    w
}

const TICKET: &str = r#"{"ticket": {"subject": "Printer on fire", "comment": {"body": "Help"}, "priority": "urgent"}}"#;

fn posts(w: &World) -> u32 {
    w.fake
        .counters()
        .api_calls_to("POST", "/api/v2/tickets.json")
}

#[test]
fn fields_make_a_json_body_and_a_body_makes_a_post() {
    let w = world();
    let ticket = r#"ticket:={"subject": "Printer on fire", "comment": {"body": "Help"}}"#;
    let run = api(&w, &["acme", "tickets.json", "-f", ticket]);
    code(&run, 0);
    let answer = json(&run);
    assert_eq!(answer["ticket"]["subject"], "Printer on fire");
    assert!(answer["ticket"]["id"].is_u64(), "{answer}");
    assert_eq!(posts(&w), 1);
    // key=value is a string, which Zendesk does not take for a ticket.
    let run = api(
        &w,
        &["acme", "tickets.json", "-f", "ticket=Printer on fire"],
    );
    code(&run, 8);
    assert_eq!(json(&run)["error"], "RecordInvalid");
    assert_eq!(posts(&w), 2);
}

#[test]
fn input_takes_a_file_or_stdin() {
    let w = world();
    let file = w.sb.temp.path().join("ticket.json");
    std::fs::write(&file, TICKET).unwrap();
    let run = api(
        &w,
        &["acme", "tickets.json", "--input", file.to_str().unwrap()],
    );
    code(&run, 0);
    assert_eq!(json(&run)["ticket"]["priority"], "urgent");
    let run = w.sb.run_with(
        &["api", "acme", "tickets.json", "--input", "-"],
        &[],
        Some(TICKET),
    );
    code(&run, 0);
    let id = json(&run)["ticket"]["id"].as_u64().unwrap();
    assert_eq!(posts(&w), 2);
    // -X picks the method; a body goes with it.
    let run = w.sb.run_with(
        &[
            "api",
            "acme",
            &format!("tickets/{id}.json"),
            "-X",
            "put",
            "--input",
            "-",
        ],
        &[],
        Some(r#"{"ticket": {"status": "solved"}}"#),
    );
    code(&run, 0);
    assert_eq!(json(&run)["ticket"]["status"], "solved");
}

#[test]
fn a_bad_body_is_a_usage_error_before_any_request() {
    let w = world();
    api(&w, &["acme", "tickets.json", "-f", "ticket:={oops"])
        .fails(2, "-f \"ticket\": the value after := is not JSON");
    api(&w, &["acme", "tickets.json", "-f", "a=1", "-f", "a=2"]).fails(2, "given twice");
    let run = w.sb.run_with(
        &["api", "acme", "tickets.json", "--input", "-"],
        &[],
        Some("{nope"),
    );
    run.fails(2, "--input stdin is not JSON");
    api(
        &w,
        &["acme", "tickets.json", "--input", "/nonexistent.json"],
    )
    .fails(2, "cannot read --input");
    let run = api(&w, &["acme", "tickets.json", "--input", "-", "-f", "a=1"]);
    code(&run, 2);
    assert_eq!(w.fake.counters().api_requests, 0);
}
