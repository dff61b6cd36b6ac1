//! Shell completion that knows the connections: `clap_complete`'s dynamic completion
//! (`COMPLETE=bash zdauth -- zdauth status <TAB>`). The shell calls the binary on every Tab,
//! so the candidates come from config.toml as it is now, and from nothing else: no
//! passphrase, no identity, no vault, no agent, no log file. A missing or broken config
//! completes no names, quietly: a Tab must never print an error into the user's line.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::{CommandFactory, Parser};
use clap_complete::engine::{CompletionCandidate, ValueCompleter};
use clap_complete::env::{CompleteEnv, Shells};

use super::args::Cli;
use zdauth_core::config::Config;
use zdauth_core::paths::Paths;

/// The variable the registration scripts set when they call the binary back.
const VAR: &str = "COMPLETE";

/// Answers a completion request and exits, when the shell made one; returns otherwise.
/// First thing in `main`: nothing may reach stdout before it.
pub fn answer_if_asked() {
    CompleteEnv::with_factory(visible_command)
        .var(VAR)
        .complete();
}

/// `zdauth completions SHELL`: the same registration script `COMPLETE=SHELL zdauth` prints.
pub fn registration(shell: clap_complete::Shell) -> anyhow::Result<Vec<u8>> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let completer = shells.completer(&name).ok_or_else(|| {
        anyhow::anyhow!(
            "no dynamic completion for {name}: use bash, zsh, fish, elvish or powershell"
        )
    })?;
    let command = Cli::command();
    let mut script = Vec::new();
    completer.write_registration(
        VAR,
        command.get_name(),
        command.get_name(),
        &callee(),
        &mut script,
    )?;
    Ok(script)
}

/// The binary the script calls back, as `CompleteEnv` names it: as invoked, made absolute when
/// it was a relative path (a bare name is looked up in PATH at each Tab, surviving upgrades).
fn callee() -> String {
    let invoked = PathBuf::from(
        std::env::args_os()
            .next()
            .unwrap_or_else(|| "zdauth".into()),
    );
    let invoked = match std::env::current_dir() {
        Ok(dir) if invoked.components().count() > 1 => dir.join(invoked),
        _ => invoked,
    };
    invoked.to_string_lossy().into_owned()
}

/// The command line as completion sees it: hidden commands (helpers other programs start)
/// are left out altogether. clap's engine offers a hidden command when a typed prefix matches
/// only it (`zdauth clip<TAB>`); a command that is not there cannot be offered.
fn visible_command() -> clap::Command {
    without_hidden(&Cli::command())
}

fn without_hidden(command: &clap::Command) -> clap::Command {
    let visible: Vec<clap::Command> = command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(without_hidden)
        .collect();
    let mut kept = clap::Command::new(command.get_name().to_owned())
        .args(command.get_arguments().cloned())
        .subcommands(visible);
    if let Some(about) = command.get_about() {
        kept = kept.about(about.clone());
    }
    if let Some(version) = command.get_version() {
        kept = kept.version(version.to_owned());
    }
    kept
}

/// `add = ArgValueCandidates::new(complete::names)`: every connection's name, with its subdomain
/// as the description zsh and fish show.
pub fn names() -> Vec<CompletionCandidate> {
    config().map_or_else(Vec::new, |config| {
        config
            .connections
            .iter()
            .map(|c| CompletionCandidate::new(&c.name).help(Some(c.subdomain.clone().into())))
            .collect()
    })
}

/// `add = ArgValueCandidates::new(complete::tags)`: every tag in use, once, in config order.
pub fn tags() -> Vec<CompletionCandidate> {
    let Some(config) = config() else {
        return Vec::new();
    };
    let mut seen: Vec<&str> = Vec::new();
    for tag in config.connections.iter().flat_map(|c| &c.tags) {
        if !seen.contains(&tag.as_str()) {
            seen.push(tag);
        }
    }
    seen.into_iter().map(CompletionCandidate::new).collect()
}

/// `api`'s words are `[NAME] PATH`: a name is offered for the first only (a path is the
/// user's to type).
#[derive(Debug, Clone, Copy)]
pub struct FirstWordIsAName;

impl ValueCompleter for FirstWordIsAName {
    fn complete(&self, current: &OsStr) -> Vec<CompletionCandidate> {
        self.complete_at(0, current)
    }

    fn complete_at(&self, arg_index: usize, current: &OsStr) -> Vec<CompletionCandidate> {
        // clap_complete 4.6.11 says index 0 for the second value of a positional too, so the
        // words before the cursor are parsed (by clap) to tell.
        if arg_index != 0 || path_comes_next(&words_before_cursor(std::env::args_os())) {
            return Vec::new();
        }
        let current = current.to_string_lossy();
        names()
            .into_iter()
            .filter(|c| c.get_value().to_string_lossy().starts_with(&*current))
            .collect()
    }
}

/// The shell calls `zdauth -- zdauth WORDS…` and says (in `_CLAP_COMPLETE_INDEX`, bash, zsh
/// and elvish) which word the cursor is in; fish and powershell pass the words up to it.
fn words_before_cursor(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut words: Vec<OsString> = args.into_iter().skip_while(|a| a != "--").skip(1).collect();
    let cursor = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse().ok())
        .unwrap_or(words.len().saturating_sub(1));
    words.truncate(cursor);
    words
}

/// Whether `api`'s next word is its PATH: a NAME is already typed, or --all or --tag pick.
/// clap parses the words with a stand-in for the one at the cursor, and says where it went.
fn path_comes_next(before: &[OsString]) -> bool {
    let line = before.iter().cloned().chain(["stand-in".into()]);
    match Cli::try_parse_from(line) {
        Ok(Cli {
            command: Some(super::Command::Api(api)),
            ..
        }) => api.words.len() > 1 || api.pick.all || !api.pick.tags.is_empty(),
        _ => false,
    }
}

/// config.toml of the config dir the line being completed names (`--config-dir`), else of
/// `ZDAUTH_CONFIG_DIR`, else the platform's; `None` on any trouble.
fn config() -> Option<Config> {
    let dir = config_dir_on_line(std::env::args_os()).or_else(|| {
        std::env::var_os("ZDAUTH_CONFIG_DIR")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
    });
    let paths = Paths::resolve(dir).ok()?;
    Config::load(&paths.config()).ok()
}

/// The shell calls `zdauth -- zdauth WORDS…`: the last `--config-dir DIR` (or
/// `--config-dir=DIR`) among the words before a `--` of the user's own.
fn config_dir_on_line(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut words = args.into_iter().skip_while(|a| a != "--").skip(1).skip(1);
    let mut found = None;
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if word == "--config-dir" {
            found = words.next().filter(|dir| !dir.is_empty()).or(found);
        } else if let Some(dir) = word.to_str().and_then(|w| w.strip_prefix("--config-dir=")) {
            found = Some(OsString::from(dir))
                .filter(|dir| !dir.is_empty())
                .or(found);
        }
    }
    found.map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &[&str]) -> Option<PathBuf> {
        config_dir_on_line(words.iter().map(OsString::from))
    }

    #[test]
    fn the_config_dir_is_read_off_the_line_being_completed() {
        let shell = ["/bin/zdauth", "--", "zdauth"];
        let with = |rest: &[&str]| line(&[&shell[..], rest].concat());
        assert_eq!(
            with(&["--config-dir", "/a", "status", ""]),
            Some("/a".into())
        );
        assert_eq!(with(&["status", "--config-dir=/b", ""]), Some("/b".into()));
        assert_eq!(
            with(&["--config-dir", "/a", "--config-dir", "/c", ""]),
            Some("/c".into())
        );
        assert_eq!(with(&["status", ""]), None);
        // Being typed: no value yet.
        assert_eq!(with(&["status", "--config-dir"]), None);
        // The user's own `--`: what follows is a command's, not zdauth's.
        assert_eq!(
            with(&["exec", "acme", "--", "x", "--config-dir", "/d"]),
            None
        );
        // Not a completion request at all.
        assert_eq!(line(&["zdauth", "--config-dir", "/e"]), None);
    }

    #[test]
    fn api_is_offered_a_name_only_where_a_name_can_go() {
        let before = |words: &str| {
            path_comes_next(&words.split(' ').map(OsString::from).collect::<Vec<_>>())
        };
        assert!(!before("zdauth api"));
        assert!(!before("zdauth api -X POST"));
        assert!(before("zdauth api acme"));
        assert!(before("zdauth api --all"));
        assert!(before("zdauth api --tag prod"));
        assert!(!before("zdauth status"));
    }

    #[test]
    fn completion_sees_no_hidden_command() {
        let command = visible_command();
        let names: Vec<&str> = command
            .get_subcommands()
            .map(clap::Command::get_name)
            .collect();
        assert!(
            names.contains(&"status") && names.contains(&"agent"),
            "{names:?}"
        );
        assert!(!names.contains(&"clipboard-serve"), "{names:?}");
        let agent = command.find_subcommand("agent").unwrap();
        let agent: Vec<&str> = agent
            .get_subcommands()
            .map(clap::Command::get_name)
            .collect();
        assert!(
            agent.contains(&"status") && !agent.contains(&"run"),
            "{agent:?}"
        );
    }
}
