//! `zdauth api` through the real binary against the fake Zendesk over loopback: one
//! connection and many, pagination, `--jq`, bodies, the transport rules as a user meets
//! them, exit codes and stderr, and what reaches a terminal.

use serde_json::Value;

use crate::common::Run;
use crate::common::world::World;

mod bodies;
mod fleet;
mod jq;
mod paging;
mod selection;
mod single;
mod streaming;
mod terminal;
mod transport;

/// A world whose `acme` has tokens, and `beta` and `gamma` too (all on the one fake, each
/// its own subdomain).
fn three() -> World {
    let w = World::new(|_| {});
    w.seed();
    w.add_seeded("beta", "beta");
    w.add_seeded("gamma", "gamma");
    w
}

fn api(w: &World, args: &[&str]) -> Run {
    let mut all = vec!["api"];
    all.extend_from_slice(args);
    w.sb.run(&all)
}

/// Each stdout line as JSON.
fn lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}\n{}", run.stderr))
        })
        .collect()
}

/// The one JSON document on stdout.
fn json(run: &Run) -> Value {
    let all = lines(run);
    assert_eq!(
        all.len(),
        1,
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    all.into_iter().next().unwrap()
}

#[track_caller]
fn code(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
