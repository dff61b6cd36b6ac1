//! Output as a stream, counted at the fake while the binary runs: `--sort` prints its first
//! line before the last page is fetched, and a reader that goes away stops every walk that
//! has not started.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::Duration;

use super::three;
use crate::common::world::World;

fn spawn(w: &World, args: &[&str]) -> std::process::Child {
    let mut all = vec!["api"];
    all.extend_from_slice(args);
    let mut command = w.sb.zdauth(&all);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command.spawn().unwrap()
}

#[test]
fn sort_prints_the_first_line_before_the_last_page_is_fetched() {
    let w = three();
    w.fake.set_rate_limit(None);
    // 40 pages of 100 users a connection: acme's alone are far more than a pipe, the
    // printer's channel and the page in hand hold, so its walk must wait for the reader.
    w.fake.set_api_records(4000);
    let mut child = spawn(
        &w,
        &["--all", "--sort", "--paginate", "users.json?page[size]=100"],
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["connection"], "acme");
    let fetched = w.fake.counters().api_calls_to("GET", "/api/v2/users.json");
    assert!(
        fetched < 120,
        "all {fetched} pages were fetched before the first line"
    );
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let names: Vec<String> = rest
        .lines()
        .map(|line| {
            let line: serde_json::Value = serde_json::from_str(line).unwrap();
            line["connection"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(names.len(), 119);
    // In name order, each connection's pages together.
    let mut want = vec!["acme"; 39];
    want.extend(["beta"; 40]);
    want.extend(["gamma"; 40]);
    assert_eq!(names, want);
}

#[test]
fn a_reader_that_goes_away_stops_the_walks_that_have_not_started() {
    let w = World::new(|_| {});
    w.seed();
    for i in 1..50 {
        let name = format!("c{i:02}");
        w.add_seeded(&name, &name);
    }
    w.fake.set_rate_limit(None);
    // Slow answers and few at once: the walks still waiting are many when the reader goes.
    w.fake.set_latency(Duration::from_millis(100));
    // `| head -c1`
    let mut child = spawn(&w, &["--all", "--jobs", "2", "users/me.json"]);
    let mut stdout = child.stdout.take().unwrap();
    stdout.read_exact(&mut [0; 1]).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(141),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let asked = w.fake.counters().api_requests;
    assert!(asked < 50, "{asked} of 50 connections asked for nobody");
}
