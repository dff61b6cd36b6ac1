//! `zdauth agent status` as a user reads it: one line per connection, the fields `--json`
//! promises (issue 13 §1), and keep-alive being off said rather than hidden.

use super::{agent_run, line};
use crate::common::world::World;

/// Three connections, each kept alive by the agent's first pass or waiting for it: one
/// readable line each, and every promised field in `--json`.
#[test]
fn status_has_one_line_per_connection_and_every_promised_field() {
    let w = World::new(|_| {});
    w.seed();
    w.add_seeded("globex", "globex");
    w.add_seeded("initech", "initech");
    let _agent = agent_run(&w, &[]);
    let status = w.sb.wait_status("the first keep-alive pass", |s| {
        s["connections"].as_array().is_some_and(|c| c.len() == 3)
    });
    for key in [
        "running",
        "unlocked",
        "socket",
        "unlocked_until",
        "next_keepalive",
        "connections",
        "pid",
    ] {
        assert!(status.get(key).is_some(), "no {key}: {status:#}");
    }
    assert_eq!(status["running"], true);
    assert!(status["next_keepalive"].is_string(), "{status:#}");
    assert!(status["keepalive_problem"].is_null(), "{status:#}");
    for name in ["acme", "globex", "initech"] {
        let c = line(&status, name).unwrap_or_else(|| panic!("no {name}: {status:#}"));
        for key in ["name", "last_keepalive", "result"] {
            assert!(c.get(key).is_some(), "{name} has no {key}: {status:#}");
        }
        assert_eq!(c["result"], "not due yet", "{status:#}");
    }
    let text = w.sb.run(&["agent", "status"]).success().stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert!(lines[0].starts_with("agent: running, pid "), "{text}");
    assert!(lines[3].starts_with("next keep-alive: 20"), "{text}");
    for (line, name) in lines[4..].iter().zip(["acme", "globex", "initech"]) {
        assert_eq!(
            *line,
            format!("  {name}: last keep-alive never: not due yet"),
            "{text}"
        );
    }
}

/// `keepalive = "0s"`: the agent keeps nothing alive, and its status says so instead of
/// "none due", which would read as every grant being fine.
#[test]
fn keepalive_off_is_said_in_agent_status() {
    let w = World::with_settings("keepalive = \"0s\"", |_| {});
    w.seed();
    let _agent = agent_run(&w, &[]);
    let status = w.sb.wait_status("keep-alive's first pass", |s| {
        !s["keepalive_problem"].is_null()
    });
    let problem = status["keepalive_problem"].as_str().unwrap();
    assert!(problem.contains("keep-alive is off"), "{status:#}");
    assert!(status["next_keepalive"].is_null(), "{status:#}");
    let text = w.sb.run(&["agent", "status"]).success().stdout;
    assert!(
        text.lines()
            .any(|l| l == "next keep-alive: none: keep-alive is off (settings.keepalive = \"0s\")"),
        "{text}"
    );
    assert!(!text.contains("none due"), "{text}");
}
