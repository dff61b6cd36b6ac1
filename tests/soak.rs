//! The TUI (real binary, real tmux) with auto-refresh on, and 16 `zdauth token` processes in a
//! loop, against the fake's strict rotation (a replayed refresh token revokes the grant) with
//! 60 s access tokens: no reuse may ever be detected and no call may fail (checklist items
//! 15–18). CI runs it for `ZDAUTH_SOAK_SECS` (default 10); `scripts/soak.sh` for 60.

use crate::common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::tmux::tmux;
use common::world::World;

const PROCESSES: usize = 16;
const SECS_VAR: &str = "ZDAUTH_SOAK_SECS";

#[test]
fn item_16_the_tui_and_sixteen_token_loops_never_replay_a_rotated_refresh_token() {
    let Some(tmux) = tmux("soak") else { return };
    let secs: u64 = std::env::var(SECS_VAR).map_or(10, |text| {
        text.parse()
            .unwrap_or_else(|_| panic!("{SECS_VAR}={text:?} is not a number of seconds"))
    });
    // 6 s tokens (the fake grants no more, whatever zdauth asks): every pair is due at half
    // its life, 3 s after it was issued, so the TUI's auto-refresh and the token loops race
    // for a rotation several times a run, and a token handed out past its life is caught.
    let w = World::with_settings("auto_refresh = true\nrefresh_margin = \"55s\"", |options| {
        options.max_access_lifetime = Some(Duration::from_secs(6));
        options.strict_rotation = true;
    });
    w.seed();
    tmux.start(&w.sb, "", "");
    tmux.wait_for("acme");

    let runs = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let deadline = Instant::now() + Duration::from_secs(secs);
    std::thread::scope(|scope| {
        for _ in 0..PROCESSES {
            scope.spawn(|| {
                while Instant::now() < deadline {
                    let run = w.sb.run(&["token", "acme"]);
                    runs.fetch_add(1, Ordering::Relaxed);
                    // Handed out with half its life left at least, it cannot have expired
                    // by now (another process may have rotated it away, which is no fault).
                    let expired = w.fake.access_token_expired(run.stdout.trim());
                    if run.code != 0 || run.stdout.trim().is_empty() || expired {
                        failures.lock().unwrap().push(format!(
                            "exit {}, expired token handed out: {expired}: {}",
                            run.code,
                            run.stderr.trim()
                        ));
                    }
                }
            });
        }
    });

    let screen = tmux.screen();
    let counters = w.fake.counters();
    let runs = runs.into_inner();
    let failures = failures.into_inner().unwrap();
    eprintln!(
        "{secs} s: {runs} token calls, {} failed, {} refreshes, {} reuse detections",
        failures.len(),
        counters.refreshes,
        counters.reuse_detections
    );
    assert_eq!(
        counters.reuse_detections, 0,
        "a rotated refresh token was replayed"
    );
    assert!(
        failures.is_empty(),
        "{} of {runs} calls failed, first: {}",
        failures.len(),
        failures[0]
    );
    assert!(
        counters.refreshes >= 1,
        "nothing rotated: the run proved nothing"
    );
    assert_eq!(counters.revoked_grants, 0);
    assert!(w.fake.access_token_works(&w.stored_access()));
    for words in ["login required", "failed", "error"] {
        assert!(
            !screen.contains(words),
            "the TUI shows {words:?}:\n{screen}"
        );
    }
    tmux.run(&["send-keys", "-t", "t", "q"]);
    tmux.wait_for("EXIT=0");
}
