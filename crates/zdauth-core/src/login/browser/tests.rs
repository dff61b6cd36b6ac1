use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::*;

const URL: &str = "https://acme.zendesk.com/oauth/authorizations/new?response_type=code&client_id=zd;cli&scope=read%20write&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&state=a%26b%3Bc";

/// A fake browser: records how many arguments it got, then each on its own line. Run through
/// `sh SCRIPT` so no freshly written file is exec'd (ETXTBSY under parallel tests).
fn fake_browser(dir: &Path) -> (String, PathBuf) {
    let out = dir.join("out.txt");
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        format!(
            "printf '%s\\n' \"$#\" \"$@\" > '{out}.tmp'\nmv '{out}.tmp' '{out}'\n",
            out = out.display()
        ),
    )
    .unwrap();
    (format!("sh {}", script.display()), out)
}

fn read_when_written(path: &Path) -> String {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the fake browser never wrote {}", path.display());
}

#[test]
fn url_arrives_intact_as_the_last_argument() {
    let dir = tempfile::tempdir().unwrap();
    let (command, out) = fake_browser(dir.path());
    open_browser_with(URL, Some(&command)).unwrap();
    assert_eq!(read_when_written(&out), format!("1\n{URL}\n"));
}

#[test]
fn percent_s_is_replaced_by_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let (command, out) = fake_browser(dir.path());
    open_browser_with(URL, Some(&format!("{command} --new-tab %s --x"))).unwrap();
    assert_eq!(
        read_when_written(&out),
        format!("3\n--new-tab\n{URL}\n--x\n")
    );
}

#[test]
fn a_command_that_cannot_start_falls_through_to_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let (command, out) = fake_browser(dir.path());
    let list = format!("/nonexistent/zdauth-browser::{command}");
    open_browser_with(URL, Some(&list)).unwrap();
    assert_eq!(read_when_written(&out), format!("1\n{URL}\n"));
}

#[test]
fn a_blank_browser_variable_leaves_only_the_platform_opener() {
    for blank in ["", ":", " : :: "] {
        assert_eq!(
            candidates(Some(blank)),
            vec![vec![platform_opener().to_string()]],
            "{blank:?}"
        );
    }
}

#[test]
fn candidates_come_in_order_env_then_platform() {
    let list = candidates(Some("firefox -P work: chromium ::"));
    let expected: Vec<Vec<String>> = vec![
        vec!["firefox".into(), "-P".into(), "work".into()],
        vec!["chromium".into()],
        vec![platform_opener().into()],
    ];
    assert_eq!(list, expected);
    assert_eq!(candidates(None), vec![vec![platform_opener().to_string()]]);
}

#[test]
fn nothing_startable_is_an_error_without_the_url() {
    let candidates = vec![vec!["/nonexistent/zdauth-browser".to_string()]];
    let error = spawn_first(&candidates, URL).unwrap_err();
    assert!(matches!(error, LoginError::Browser(_)));
    let text = error.to_string();
    assert!(text.contains("/nonexistent/zdauth-browser"), "{text}");
    assert!(!text.contains("state="), "{text}");
}

#[test]
fn only_http_urls_are_opened() {
    let candidates = vec![vec!["/nonexistent/zdauth-browser".to_string()]];
    for url in ["--help", "file:///etc/passwd", "javascript:alert(1)"] {
        assert!(matches!(
            spawn_first(&candidates, url),
            Err(LoginError::Browser(_))
        ));
    }
}
