//! Opening the user's browser at the authorization URL without waiting for it.

use std::process::{Command, Stdio};

use crate::secret::without_passphrases;

use super::error::LoginError;

/// Tries `$BROWSER` (colon-separated commands), then the platform's opener. The caller prints
/// the URL as well, so a failure here is never the end of a login.
pub fn open_browser(url: &str) -> Result<(), LoginError> {
    let browser_env = std::env::var("BROWSER").ok();
    open_browser_with(url, browser_env.as_deref())
}

/// [`open_browser`] with `$BROWSER` passed in, so tests need not touch the process environment.
pub(crate) fn open_browser_with(url: &str, browser_env: Option<&str>) -> Result<(), LoginError> {
    spawn_first(&candidates(browser_env), url)
}

/// The commands to try, in order, each split into words.
pub(crate) fn candidates(browser_env: Option<&str>) -> Vec<Vec<String>> {
    let from_env = browser_env.into_iter().flat_map(|list| list.split(':'));
    from_env
        .chain([platform_opener()])
        .map(|command| {
            command
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

/// Starts the first command that can be started. Success means it started, not that a
/// browser window appeared: waiting for the browser would block the login.
pub(crate) fn spawn_first(candidates: &[Vec<String>], url: &str) -> Result<(), LoginError> {
    check_url(url)?;
    let mut failures = Vec::new();
    for words in candidates {
        match spawn_detached(&arguments(words, url)) {
            Ok(()) => return Ok(()),
            Err(error) => failures.push(format!("{}: {error}", words[0])),
        }
    }
    if failures.is_empty() {
        failures.push("no browser command to try".to_string());
    }
    Err(LoginError::Browser(failures.join("; ")))
}

/// `%s` marks where the URL goes; without it the URL is the last argument. Never a shell:
/// the URL holds `&` and `;`, which a shell would act on.
fn arguments(words: &[String], url: &str) -> Vec<String> {
    let mut args: Vec<String> = words.iter().map(|word| word.replace("%s", url)).collect();
    if !words.iter().any(|word| word.contains("%s")) {
        args.push(url.to_string());
    }
    args
}

/// Only http(s) URLs: anything else could be read by the opener as an option or a file.
fn check_url(url: &str) -> Result<(), LoginError> {
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(()),
        _ => Err(LoginError::Browser(
            "the login URL is not an http(s) URL".to_string(),
        )),
    }
}

fn spawn_detached(args: &[String]) -> std::io::Result<()> {
    let mut command = Command::new(&args[0]);
    without_passphrases(&mut command)
        .args(&args[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own process group, so a Ctrl-C meant for zdauth does not also close the browser.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn()?;
    // Reaped off to the side so no zombie is left and the login does not wait for the browser.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

fn platform_opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    }
}

#[cfg(test)]
mod tests;
