//! What crosses the agent's socket, captured by a relay between the commands and the agent,
//! and the `token` fast path answering from what the agent holds while the files change.

use std::io::{Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{DEBUG, WITH_PASSPHRASE, log_lines, sealed_world, unlock};

/// A relay on `at` to the agent's socket `to`, keeping every byte either way.
struct Relay {
    seen: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
}

impl Relay {
    fn start(at: &Path, to: PathBuf) -> Self {
        let listener = UnixListener::bind(at).unwrap();
        listener.set_nonblocking(true).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (kept, stopping) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let agent = UnixStream::connect(&to).unwrap();
                        pipe(
                            client.try_clone().unwrap(),
                            agent.try_clone().unwrap(),
                            kept.clone(),
                        );
                        pipe(agent, client, kept.clone());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { seen, stop }
    }

    fn seen(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn pipe(mut from: UnixStream, mut to: UnixStream, seen: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
            seen.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        let _ = to.shutdown(std::net::Shutdown::Both);
    });
}

/// Every kind of request a door makes, relayed: file keys and access tokens cross, the
/// identity never does (nor a refresh token).
#[test]
fn the_identity_never_crosses_the_socket() {
    let w = sealed_world("");
    unlock(&w);
    let socket = PathBuf::from(w.sb.agent_status()["socket"].as_str().unwrap());
    let relayed_runtime = w.sb.temp.path().join("run2");
    let relayed_dir = relayed_runtime.join("zdauth");
    std::fs::DirBuilder::new()
        .mode(0o700)
        .recursive(true)
        .create(&relayed_dir)
        .unwrap();
    let relay = Relay::start(&relayed_dir.join(socket.file_name().unwrap()), socket);
    let through = ("XDG_RUNTIME_DIR", relayed_runtime.to_str().unwrap());
    let commands: [&[&str]; 9] = [
        &["agent", "status", "--json"],
        &["list"],
        &["token", "acme"],
        &["refresh", "acme"],
        &["token", "globex", "--min-valid", "1h"],
        &["export", "acme", "--format", "json"],
        &["lock"],
        &["unlock"],
        &["status", "globex"],
    ];
    for args in commands {
        w.sb.run_with(args, &[through, WITH_PASSPHRASE], None)
            .success();
    }
    let seen = relay.seen();
    assert!(seen.contains("\"request\":\"unwrap\""), "{seen}");
    assert!(seen.contains("\"answer\":\"file_key\""), "{seen}");
    let globex =
        w.sb.vault()
            .load()
            .unwrap()
            .connections
            .remove("globex")
            .unwrap();
    let globex = globex.tokens.unwrap().access_token;
    assert!(
        seen.contains(globex.expose()),
        "the token answer was not relayed"
    );
    let identity = std::fs::read_to_string(w.sb.identity_file()).unwrap();
    let secret = identity
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap();
    let upper = seen.to_uppercase();
    assert!(
        !upper.contains("AGE-SECRET-KEY"),
        "the identity crossed the socket"
    );
    assert!(
        !upper.contains(&secret["AGE-SECRET-KEY-1".len()..]),
        "the key crossed the socket"
    );
    assert!(
        !seen.contains(&w.stored_refresh()),
        "a refresh token crossed the socket"
    );
}

/// `token` is answered by the agent from what it holds; a change to config.toml or
/// vault.age (a connection added by another process, one removed) shows in the next answer,
/// still without a vault read in the command (no unwrap).
#[test]
fn the_fast_path_follows_config_and_vault_as_they_change() {
    let w = sealed_world("");
    unlock(&w);
    let token = |name: &str| w.sb.run_with(&["token", name], &[DEBUG], None);
    assert_eq!(token("acme").success().stdout.trim(), w.stored_access());
    let unwraps = log_lines(&w, "request=\"unwrap\"");
    let answered = log_lines(&w, "request=\"token\"");

    w.add_seeded("initech", "initech");
    let initech = token("initech").success().stdout;
    let stored =
        w.sb.vault()
            .load()
            .unwrap()
            .connections
            .remove("initech")
            .unwrap();
    assert_eq!(initech.trim(), stored.tokens.unwrap().access_token.expose());
    // The remove below opens the vault itself, through the agent: counted before it.
    assert_eq!(
        log_lines(&w, "request=\"unwrap\""),
        unwraps,
        "token read the vault itself"
    );
    assert_eq!(log_lines(&w, "request=\"token\""), answered + 1);

    w.sb.run(&["remove", "globex"]).success();
    token("globex").fails(1, "no connection named \"globex\"");
    assert_eq!(token("acme").success().stdout.trim(), w.stored_access());
}
