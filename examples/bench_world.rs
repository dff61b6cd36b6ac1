//! Seeds a config dir with N realistic connections (plain identity file, fresh tokens) for
//! the benchmark scripts: `zdauth::seed::fleet`, as the benches seed theirs. With `--sealed`,
//! the identity is then sealed into identity.age under `ZDAUTH_PASSPHRASE` at the default work
//! factor, as `zdauth init` makes it, and config.toml no longer names the plain file (which
//! stays beside it for `age -d`, the benchmarks' reference).
//!
//! `cargo run --release --example bench_world -- DIR COUNT [--sealed]`

use std::path::Path;
use std::process::ExitCode;

use zdauth_core::config::Settings;
use zdauth_core::secret::Secret;
use zdauth_core::vault::Keys;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let sealed = args.iter().any(|a| a == "--sealed");
    args.retain(|a| a != "--sealed");
    let [dir, count] = args.as_slice() else {
        eprintln!("usage: bench_world DIR COUNT [--sealed]");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse() else {
        eprintln!("bench_world: COUNT must be a number, not {count:?}");
        return ExitCode::from(2);
    };
    let dir = Path::new(dir);
    let seeded = zdauth::seed::fleet(dir, count, None).map(drop);
    if let Err(e) = seeded.and_then(|()| if sealed { seal(dir) } else { Ok(()) }) {
        eprintln!("bench_world: {e}");
        return ExitCode::FAILURE;
    }
    let how = if sealed {
        "sealed identity.age"
    } else {
        "plain identity.txt"
    };
    println!("seeded {count} connections in {} ({how})", dir.display());
    ExitCode::SUCCESS
}

fn seal(dir: &Path) -> Result<(), zdauth_core::Error> {
    let Ok(passphrase) = std::env::var("ZDAUTH_PASSPHRASE") else {
        return Err(zdauth_core::Error::Usage(
            "--sealed needs the passphrase in ZDAUTH_PASSPHRASE".into(),
        ));
    };
    let plain = std::fs::read_to_string(dir.join("identity.txt")).map_err(|e| {
        zdauth_core::Error::Usage(format!("cannot read the seeded identity.txt: {e}"))
    })?;
    let keys = Keys::from_identity_text(Secret::new(plain), "identity.txt")?;
    let sealed = keys.seal(
        &Secret::new(passphrase),
        Settings::default().kdf_work_factor,
    )?;
    zdauth_core::atomic_file::replace(&dir.join("identity.age"), &sealed, None)?;
    let config = dir.join("config.toml");
    let text = std::fs::read_to_string(&config)
        .map_err(|e| zdauth_core::Error::Usage(format!("cannot read config.toml: {e}")))?;
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with("identity_file = "))
        .collect();
    zdauth_core::atomic_file::replace(&config, (kept.join("\n") + "\n").as_bytes(), None)
}
