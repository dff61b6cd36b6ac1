//! The bad-input catalog: config, CLI arguments, subdomains and URLs, vault and identity files,
//! login callbacks and the environment, each through the real binary in a fresh sandbox. Every
//! case must give its exit code and a clear message naming what is wrong, print nothing on
//! stdout, never echo a planted secret, and leave config.toml, vault.age and identity.age byte
//! for byte as they were.

mod catalog;

use crate::common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::Sandbox;
use common::world::free_port;

use Setup::{Append, Base, Config, Sealed, Then};
use Shape::{Last, Line, Usage};
use catalog::catalog;

/// Planted in inputs that carry a secret: no output may ever contain it.
const MARK: &str = "SECRETMARK";

#[derive(Clone, Copy)]
enum Shape {
    /// `zdauth: …` alone on stderr.
    Line,
    /// clap's usage error: `error: …` first, then a usage hint.
    Usage,
    /// Progress first (login); the words anywhere, the last line `zdauth: …`.
    Last,
}

#[derive(Clone, Copy)]
enum Setup {
    /// Identity file, config and vault, one connection `acme`.
    Base,
    /// Base, then `from` replaced by `to` in config.toml.
    Config(&'static str, &'static str),
    /// Base, then this text appended to config.toml.
    Append(&'static str),
    /// Base, then a step of its own.
    Then(fn(&Sandbox)),
    /// A passphrase-sealed identity.age instead of a plain identity file, then a step.
    Sealed(fn(&Sandbox)),
}

struct Case {
    setup: Setup,
    /// `{tmp}` is the sandbox's temp dir, `{port}` acme's redirect port.
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    stdin: Option<&'static str>,
    code: i32,
    shape: Shape,
    words: &'static str,
}

fn prepare(sb: &Sandbox, setup: Setup, port: u16) {
    let port = port.to_string();
    let add_acme = |sb: &Sandbox, env: &[(&str, &str)]| {
        sb.run_with(
            &[
                "add",
                "acme",
                "--subdomain",
                "acme",
                "--client-id",
                "c",
                "--redirect-port",
                &port,
            ],
            env,
            None,
        )
        .success();
    };
    if let Sealed(then) = setup {
        std::fs::create_dir_all(sb.dir()).unwrap();
        std::fs::write(sb.paths().config(), "[settings]\nkdf_work_factor = 10\n").unwrap();
        let env = [("ZDAUTH_PASSPHRASE", common::PASSPHRASE)];
        sb.run_with(&["init"], &env, None).success();
        add_acme(sb, &env);
        then(sb);
        return;
    }
    sb.init_with_identity_file();
    add_acme(sb, &[]);
    let config = sb.paths().config();
    match setup {
        Config(from, to) => {
            let text = sb.config_text();
            assert!(text.contains(from), "{from:?} not in config.toml");
            std::fs::write(&config, text.replacen(from, to, 1)).unwrap();
        }
        Append(extra) => std::fs::write(&config, sb.config_text() + extra).unwrap(),
        Then(step) => step(sb),
        Base | Sealed(_) => {}
    }
}

/// What must not change: config.toml, vault.age, identity.age (absent stays absent).
fn snapshot(sb: &Sandbox) -> Vec<Option<Vec<u8>>> {
    let paths = sb.paths();
    [paths.config(), paths.vault(), paths.identity()]
        .iter()
        .map(|p| std::fs::read(p).ok())
        .collect()
}

fn check(index: usize, case: &Case) -> Result<(), String> {
    let sb = Sandbox::new();
    let port = free_port();
    prepare(&sb, case.setup, port);
    let fill = |text: &str| {
        text.replace("{tmp}", &sb.temp.path().display().to_string())
            .replace("{port}", &port.to_string())
    };
    let args: Vec<String> = case.args.iter().map(|a| fill(a)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let env: Vec<(String, String)> = case
        .env
        .iter()
        .map(|(k, v)| (k.to_string(), fill(v)))
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let stdin = case.stdin.map(fill);
    let before = snapshot(&sb);
    let run = sb.run_with(&args, &env, stdin.as_deref());
    let name = format!("case {index} `zdauth {}`", args.join(" "));
    let fail = |why: &str| {
        Err(format!(
            "{name}: {why}\n  exit {}\n  stdout: {}\n  stderr: {}",
            run.code, run.stdout, run.stderr
        ))
    };
    if run.code != case.code {
        return fail(&format!("want exit {}", case.code));
    }
    let lines: Vec<&str> = run.stderr.trim_end().lines().collect();
    let shape_ok = match case.shape {
        Line => lines.len() == 1 && lines[0].starts_with("zdauth: "),
        Usage => lines
            .first()
            .is_some_and(|l| l.starts_with("error: ") && l.contains(case.words)),
        Last => lines.last().is_some_and(|l| l.starts_with("zdauth: ")),
    };
    if !shape_ok {
        return fail("the error is not in the expected form");
    }
    if !run.stderr.contains(case.words) {
        return fail(&format!("want {:?} in the error", case.words));
    }
    if run.stderr.contains("panicked") || !run.stdout.is_empty() {
        return fail("a panic, or output on stdout");
    }
    if run.stderr.contains(MARK) {
        return fail("a planted secret was echoed");
    }
    if snapshot(&sb) != before {
        return fail("config.toml, vault.age or identity.age changed");
    }
    if !sb.dir().exists() || !sb.temp_files().is_empty() {
        return fail("temp files were left behind");
    }
    Ok(())
}

#[test]
fn every_bad_input_is_refused_clearly_and_changes_nothing() {
    let cases = catalog();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    // Four at a time: the callback cases each wait out a 1 s login timeout.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(index) else { break };
                    if let Err(why) = check(index, case) {
                        failures.lock().unwrap().push(why);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A pasted base URL whose host or scheme runs to 100 KB is quoted by its start (issue 11
/// part 8), like every other field: the message stays one short line.
#[test]
fn a_huge_base_url_host_or_scheme_is_quoted_by_a_short_prefix() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let long = "a".repeat(100_000);
    for url in [format!("http://{long}"), format!("{long}://host")] {
        let run = sb.run(&[
            "add",
            "beta",
            "--subdomain",
            "beta",
            "--client-id",
            "zdauth_beta",
            "--base-url",
            &url,
        ]);
        let run = run.fails(2, "--base-url");
        assert!(
            run.stderr.len() < 300,
            "{} bytes: {}",
            run.stderr.len(),
            &run.stderr[..300]
        );
    }
}
