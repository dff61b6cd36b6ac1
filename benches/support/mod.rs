//! What every bench shares: wall times, their median, and the side-by-side lines each bench
//! prints (its figure beside its reference). The worlds they measure come from `zdauth::seed`.

use std::time::{Duration, Instant};

/// The wall time of one call of `work`.
pub fn time(work: impl FnOnce()) -> Duration {
    let start = Instant::now();
    work();
    start.elapsed()
}

/// The middle of `times`.
pub fn median(times: impl IntoIterator<Item = Duration>) -> Duration {
    let mut times: Vec<Duration> = times.into_iter().collect();
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

fn show(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.3} s")
    } else if secs >= 1e-3 {
        format!("{:.3} ms", secs * 1e3)
    } else {
        format!("{:.1} µs", secs * 1e6)
    }
}
