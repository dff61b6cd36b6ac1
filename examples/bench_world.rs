//! Seeds a config dir with N realistic connections (plain identity file, fresh tokens) for
//! the benchmark scripts: `zdauth::seed::fleet`, as the benches seed theirs.
//!
//! `cargo run --release --example bench_world -- DIR COUNT`

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, count] = args.as_slice() else {
        eprintln!("usage: bench_world DIR COUNT");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse() else {
        eprintln!("bench_world: COUNT must be a number, not {count:?}");
        return ExitCode::from(2);
    };
    if let Err(e) = zdauth::seed::fleet(Path::new(dir), count, None) {
        eprintln!("bench_world: {e}");
        return ExitCode::FAILURE;
    }
    println!("seeded {count} connections in {dir}");
    ExitCode::SUCCESS
}
