//! Shell completion through the real binary, called the way bash's registration script calls
//! it on a Tab: `COMPLETE=bash _CLAP_COMPLETE_INDEX=N zdauth -- zdauth WORDS…`. It knows the
//! connections and their tags from config.toml, and reads nothing else.

use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use rustix::fs::{CWD, Mode, mkfifoat};

use crate::common::Sandbox;
use crate::common::bounded::Limits;

const CONFIG: &str = r#"
[[connection]]
name = "eu-prod"
subdomain = "acme-eu"
client_id = "zdauth_x"
tags = ["prod", "eu"]

[[connection]]
name = "eu-test"
subdomain = "acme-eu-test"
client_id = "zdauth_x"
tags = ["eu"]

[[connection]]
name = "us-dev"
subdomain = "acme-us"
client_id = "zdauth_x"
tags = ["dev"]
"#;

/// A config dir holding `config` as config.toml; vault.age and identity.age are FIFOs, which
/// block whoever opens them: a completion that touched either would hang (and be killed by the
/// bounded run) instead of answering.
fn sandbox(config: &str) -> Sandbox {
    let sb = Sandbox::new();
    write_config(&sb.dir(), config);
    for file in ["vault.age", "identity.age"] {
        mkfifoat(CWD, sb.dir().join(file), Mode::from_raw_mode(0o600)).unwrap();
    }
    sb
}

fn write_config(dir: &Path, config: &str) {
    std::fs::DirBuilder::new().mode(0o700).create(dir).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
}

/// What a Tab at the end of `words` offers (the last word is the one being completed); the
/// run must end 0 and say nothing on stderr, whatever the config holds.
fn tab(sb: &Sandbox, words: &[&str]) -> Vec<String> {
    tab_with(sb, words, &[])
}

fn tab_with(sb: &Sandbox, words: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let mut args = vec!["--", "zdauth"];
    args.extend(words);
    let index = words.len().to_string();
    let mut env = env.to_vec();
    env.extend([
        ("COMPLETE", "bash"),
        ("_CLAP_COMPLETE_INDEX", index.as_str()),
        ("_CLAP_IFS", "\n"),
    ]);
    let run = sb.run_bounded(&args, &env, Limits::default());
    assert_eq!(run.code, 0, "{words:?}: {}", run.stderr);
    assert!(run.stderr.is_empty(), "{words:?} said: {}", run.stderr);
    run.stdout
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn without_options(candidates: Vec<String>) -> Vec<String> {
    candidates
        .into_iter()
        .filter(|c| !c.starts_with('-'))
        .collect()
}

#[test]
fn every_command_that_takes_a_name_is_offered_the_connections() {
    let sb = sandbox(CONFIG);
    for command in [
        "status", "login", "token", "copy", "export", "exec", "refresh", "logout", "whoami",
        "remove", "api",
    ] {
        assert_eq!(
            without_options(tab(&sb, &[command, ""])),
            ["eu-prod", "eu-test", "us-dev"],
            "{command}"
        );
        assert_eq!(
            tab(&sb, &[command, "eu-"]),
            ["eu-prod", "eu-test"],
            "{command}"
        );
    }
    // A name after the name: the commands that take many.
    assert_eq!(
        without_options(tab(&sb, &["refresh", "eu-prod", ""])),
        ["eu-prod", "eu-test", "us-dev"]
    );
    // api's second word is its PATH, and so is the first one after --all or --tag.
    assert_eq!(
        without_options(tab(&sb, &["api", "eu-prod", ""])),
        [] as [&str; 0]
    );
    assert_eq!(
        without_options(tab(&sb, &["api", "--all", ""])),
        [] as [&str; 0]
    );
    assert_eq!(
        without_options(tab(&sb, &["api", "--tag", "eu", ""])),
        [] as [&str; 0]
    );
}

#[test]
fn every_tag_option_is_offered_the_tags_in_use_once_each() {
    let sb = sandbox(CONFIG);
    for command in ["list", "status", "refresh", "export", "api"] {
        assert_eq!(
            tab(&sb, &[command, "--tag", ""]),
            ["prod", "eu", "dev"],
            "{command}"
        );
        assert_eq!(tab(&sb, &[command, "--tag", "d"]), ["dev"], "{command}");
    }
    assert_eq!(tab(&sb, &["add", "x", "--tag", "p"]), ["prod"]);
}

#[test]
fn a_glob_being_typed_is_left_alone() {
    let sb = sandbox(CONFIG);
    // The user is writing a pattern for zdauth to match: no name replaces it.
    for glob in ["eu-*", "eu-?", "[eu]*"] {
        assert_eq!(tab(&sb, &["status", glob]), [] as [&str; 0], "{glob}");
    }
}

#[test]
fn hidden_commands_are_never_offered() {
    let sb = sandbox(CONFIG);
    let top = tab(&sb, &[""]);
    assert!(
        top.iter().any(|c| c == "status") && top.iter().any(|c| c == "agent"),
        "{top:?}"
    );
    assert!(!top.iter().any(|c| c == "clipboard-serve"), "{top:?}");
    // Even a prefix that only a hidden command has.
    assert_eq!(tab(&sb, &["clip"]), [] as [&str; 0]);
    let agent = tab(&sb, &["agent", ""]);
    assert!(agent.iter().any(|c| c == "status"), "{agent:?}");
    assert!(!agent.iter().any(|c| c == "run"), "{agent:?}");
    assert_eq!(tab(&sb, &["agent", "r"]), [] as [&str; 0]);
}

#[test]
fn a_missing_or_broken_config_completes_no_name_and_says_nothing() {
    let sb = Sandbox::new();
    assert_eq!(without_options(tab(&sb, &["status", ""])), [] as [&str; 0]);
    assert!(tab(&sb, &["st"]).contains(&"status".to_owned()));
    let broken = sandbox("[[connection]]\nname = \"Not A Name\"\n\u{1b}[31m");
    assert_eq!(
        without_options(tab(&broken, &["status", ""])),
        [] as [&str; 0]
    );
    assert_eq!(tab(&broken, &["status", "--tag", ""]), [] as [&str; 0]);
}

#[test]
fn the_config_dir_on_the_line_wins_over_the_environment() {
    let sb = sandbox(CONFIG);
    let other = sb.temp.path().join("other");
    write_config(
        &other,
        "[[connection]]\nname = \"elsewhere\"\nsubdomain = \"x\"\nclient_id = \"y\"\n",
    );
    let other = other.to_str().unwrap();
    // The sandbox sets ZDAUTH_CONFIG_DIR to its own dir.
    assert_eq!(
        without_options(tab(&sb, &["--config-dir", other, "token", ""])),
        ["elsewhere"]
    );
    assert_eq!(
        without_options(tab(&sb, &["token", &format!("--config-dir={other}"), ""])),
        ["elsewhere"]
    );
    // ZDAUTH_CONFIG_DIR, as the sandbox sets it, when the line names none.
    assert_eq!(
        without_options(tab_with(
            &sb,
            &["token", ""],
            &[("ZDAUTH_CONFIG_DIR", other)]
        )),
        ["elsewhere"]
    );
}

#[test]
fn completions_prints_the_script_that_calls_the_binary_back() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = sb.run(&["completions", shell]).success().stdout;
        let registered = sb
            .run_with(&[], &[("COMPLETE", shell)], None)
            .success()
            .stdout;
        assert_eq!(script, registered, "{shell}");
        assert!(script.contains("COMPLETE"), "{shell}: {script}");
        assert!(script.contains(crate::common::BINARY), "{shell}: {script}");
    }
}
