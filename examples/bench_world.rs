//! Seeds a config dir with N realistic connections (plain identity file, fresh tokens) for
//! the benchmark scripts.
//!
//! `cargo run --release --example bench_world -- DIR COUNT`

#[path = "../benches/support/world.rs"]
#[allow(dead_code)]
mod world;

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, count] = args.as_slice() else {
        eprintln!("usage: bench_world DIR COUNT");
        std::process::exit(2);
    };
    let Ok(count) = count.parse() else {
        eprintln!("bench_world: COUNT must be a number, not {count:?}");
        std::process::exit(2);
    };
    world::seed(Path::new(dir), count, None);
    println!("seeded {count} connections in {dir}");
}
