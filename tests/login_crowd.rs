//! The loopback catcher under a crowd (checklist item 33): `zdauth login` with its
//! open-file limit lowered, a local program holding many idle or half-sent connections to
//! the redirect port, and then the browser's real redirect.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::world::World;

/// More than the catcher serves at once, and more than the lowered limits below allow.
const CROWD: usize = 150;

struct Login {
    child: Child,
    url: String,
    /// The rest of stderr, once the process ends.
    rest: mpsc::Receiver<String>,
}

/// `zdauth login acme` with at most `open_files` descriptors, started and listening.
fn start_login(w: &World, open_files: Option<u64>, timeout: &str) -> Login {
    let open_files = open_files.map(|limit| format!("--nofile={limit}"));
    // util-linux's prlimit lowers the limit on itself and execs zdauth, which inherits it.
    let launcher: Vec<&str> = open_files
        .iter()
        .flat_map(|limit| ["prlimit", limit.as_str()])
        .collect();
    let mut command =
        w.sb.zdauth_through(&launcher, &["login", "acme", "--timeout", timeout]);
    command
        .env("BROWSER", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut url = String::new();
    let mut seen = String::new();
    // The URL is printed once the port is bound; "Waiting" once the browser was started.
    loop {
        let mut line = String::new();
        let read = stderr.read_line(&mut line).unwrap();
        seen.push_str(&line);
        assert!(read > 0, "the login ended before it listened:\n{seen}");
        if line.starts_with("http://127.0.0.1:") {
            line.trim().clone_into(&mut url);
        }
        if line.starts_with("Waiting for Zendesk") {
            break;
        }
    }
    let (sender, rest) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        let _ = sender.send(text);
    });
    Login { child, url, rest }
}

impl Login {
    fn finish(mut self) -> (i32, String) {
        let status = self.child.wait().unwrap();
        let stderr = self.rest.recv().unwrap();
        (status.code().unwrap_or(-1), stderr)
    }
}

/// How many descriptors a waiting login holds: its limit is set from this, so the test
/// does not depend on how many the runtime and the log happen to take.
fn descriptors_of_a_waiting_login(w: &World) -> u64 {
    let mut login = start_login(w, None, "60s");
    let held = std::fs::read_dir(format!("/proc/{}/fd", login.child.id()))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .filter(|&fd| fd < 1024)
        .count() as u64;
    login.child.kill().unwrap();
    login.finish();
    held
}

/// Idle connections, and every other one with half a request line sent.
fn crowd(port: u16) -> Vec<TcpStream> {
    (0..CROWD)
        .map(|i| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            if i % 2 == 1 {
                stream.write_all(b"GET /callback?code=evil&st").unwrap();
            }
            stream
        })
        .collect()
}

/// The browser: the authorize URL at the fake, then its redirect to the catcher.
fn follow_the_redirect(w: &World, url: &str) -> (u16, String) {
    w.runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let authorized = client.get(url).send().await.unwrap();
        let location = authorized.headers()["location"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(location.starts_with(&format!("http://127.0.0.1:{}/callback?", w.port)));
        let page = client.get(&location).send().await.unwrap();
        (page.status().as_u16(), page.text().await.unwrap())
    })
}

fn logs_in_through_a_crowd(open_files: u64) {
    let w = World::new(|_| {});
    let login = start_login(&w, Some(open_files), "60s");
    let _crowd = crowd(w.port);
    let (status, page) = follow_the_redirect(&w, &login.url);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("close this tab"), "{page}");
    let (code, stderr) = login.finish();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("logged in to acme"), "{stderr}");
    assert!(w.fake.access_token_works(&w.stored_access()));
}

#[test]
fn a_crowd_of_idle_and_half_sent_connections_does_not_keep_the_callback_out() {
    // Room for the catcher's own cap, not for the crowd.
    logs_in_through_a_crowd(64);
}

#[test]
fn out_of_file_descriptors_the_catcher_still_takes_the_callback() {
    let w = World::new(|_| {});
    let held = descriptors_of_a_waiting_login(&w);
    drop(w);
    // A few free descriptors: the crowd runs the process out of them (EMFILE) at once.
    logs_in_through_a_crowd(held + 10);
}

#[test]
fn an_accept_error_is_reported_as_such_and_nothing_is_stored() {
    let w = World::new(|_| {});
    let held = descriptors_of_a_waiting_login(&w);
    let login = start_login(&w, Some(held + 4), "3s");
    let crowd = crowd(w.port);
    let (code, stderr) = login.finish();
    drop(crowd);
    assert_eq!(code, 1, "{stderr}");
    let last = stderr.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.contains("could not accept every connection (Too many open files"),
        "{stderr}"
    );
    assert!(last.contains("ulimit -n"), "{last}");
    assert!(w.stored().tokens.is_none());
    assert_eq!(w.fake.counters().token_posts, 0);
}

#[test]
fn an_idle_connection_is_closed_after_the_header_timeout_while_the_login_waits() {
    let w = World::new(|_| {});
    let login = start_login(&w, None, "60s");
    for sent in [&b""[..], b"GET /callback?code=x&state="] {
        let mut idle = TcpStream::connect(("127.0.0.1", w.port)).unwrap();
        idle.write_all(sent).unwrap();
        // A bound, not a measurement: the catcher's own timeout is a few seconds.
        idle.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut answer = Vec::new();
        match idle.read_to_end(&mut answer) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("still open after 30 s: {e}"),
        }
    }
    let (status, _) = follow_the_redirect(&w, &login.url);
    assert_eq!(status, 200);
    let (code, stderr) = login.finish();
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_login_waits_at_most_an_hour() {
    let w = World::new(|_| {});
    // The port is taken, so a login that did start would end at once: "is busy".
    let _holder = std::net::TcpListener::bind(("127.0.0.1", w.port)).unwrap();
    let run = w.sb.run(&["login", "acme", "--timeout", "61m"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.contains("a login waits at most 1h"), "{}", run.stderr);
    assert!(first.contains("--timeout"), "{}", run.stderr);
    w.sb.run_with(
        &["login", "acme", "--timeout", "1h"],
        &[("BROWSER", "true")],
        None,
    )
    .fails_at_end(1, "is busy");
}
