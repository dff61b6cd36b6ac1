//! Medians and the side-by-side lines every bench prints.

use std::time::{Duration, Instant};

/// The median wall time of `runs` calls of `work`, after one warm-up call.
pub fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    work();
    middle(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                work();
                start.elapsed()
            })
            .collect(),
    )
}

pub fn middle(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub fn header() {
    println!(
        "{:<44} {:>12} {:>12} {:>7}  target",
        "figure", "measured", "reference", "ratio"
    );
}

/// One line: the figure, its reference, their ratio, and the target it is held to.
pub fn row(label: &str, figure: Duration, reference: Duration, target: &str) {
    println!(
        "{label:<44} {:>12} {:>12} {:>6.2}x  {target}",
        show(figure),
        show(reference),
        figure.as_secs_f64() / reference.as_secs_f64()
    );
}

pub fn show(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.3} s")
    } else if secs >= 1e-3 {
        format!("{:.3} ms", secs * 1e3)
    } else {
        format!("{:.1} µs", secs * 1e6)
    }
}
