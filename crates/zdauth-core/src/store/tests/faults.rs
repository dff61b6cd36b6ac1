//! The store down, sealed, or answering what no store would: each an `Error::Store` (exit 7)
//! at once, with the words and what to do; nothing hangs, nothing unbounded is read.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use zdauth_fake::openbao::OpenBao;

use super::{record, settings, store, with_token};
use crate::error::{Error, ErrorClass};
use crate::store::{Store, StoreEnv, Written};

#[test]
fn a_stopped_store_fails_fast_and_clearly_and_comes_back_with_its_data() {
    let Some(mut bao) = OpenBao::start() else {
        return;
    };
    let store = store(&bao, bao.root_token());
    assert_eq!(
        store.write("acme", &record("one"), 0).unwrap(),
        Written::Version(1)
    );
    bao.stop();
    let started = Instant::now();
    let error = store.read("acme").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.class(), ErrorClass::ZendeskOrNetwork);
    assert_eq!(
        error.to_string(),
        format!(
            "openbao at {}: cannot connect (connection refused); check the address and that the store is up, then run the command again",
            bao.addr()
        )
    );
    assert!(store.write("acme", &record("two"), 1).is_err());
    bao.start_again();
    assert_eq!(store.read("acme").unwrap().unwrap().data.payload, "one");
    assert_eq!(
        store.write("acme", &record("two"), 1).unwrap(),
        Written::Version(2)
    );
}

#[test]
fn a_sealed_store_says_unseal() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let store = store(&bao, bao.root_token());
    assert_eq!(bao.api("PUT", "/v1/sys/seal", None).0, 204);
    let error = store.read("acme").unwrap_err();
    assert!(matches!(error, Error::Store { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("answered 503 (Vault is sealed)"), "{text}");
    assert!(text.contains("unseal the store"), "{text}");
}

/// A one-shot HTTP server on loopback answering `answer` to each request; returns its
/// address and what it was sent.
fn tiny_server(answer: Vec<u8>) -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (sent, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = vec![0u8; 8192];
            let n = stream.read(&mut request).unwrap_or(0);
            let _ = sent.send(String::from_utf8_lossy(&request[..n]).into_owned());
            let _ = stream.write_all(&answer);
        }
    });
    (address, seen)
}

#[test]
fn an_oversized_answer_is_refused_not_read() {
    let mut answer =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n"
            .to_vec();
    answer.extend(std::iter::repeat_n(b'a', 200_000));
    let (address, seen) = tiny_server(answer);
    let store = Store::open(&settings(&address), &with_token("s.secret-token")).unwrap();
    let text = store.read("acme").unwrap_err().to_string();
    assert!(
        text.contains("answered more than 64 KiB; refused"),
        "{text}"
    );
    let request = seen.recv().unwrap();
    assert!(
        request.starts_with("GET /v1/secret/data/zdauth/acme HTTP/1.1\r\n"),
        "{request}"
    );
    // The token travels in its header only.
    assert!(
        request
            .to_lowercase()
            .contains("x-vault-token: s.secret-token"),
        "{request}"
    );
    assert_eq!(request.matches("s.secret-token").count(), 1, "{request}");
}

#[test]
fn a_redirect_is_not_followed() {
    let (address, seen) = tiny_server(
        b"HTTP/1.1 307 Temporary Redirect\r\nLocation: https://elsewhere.example/v1/x\r\nContent-Length: 0\r\n\r\n".to_vec(),
    );
    let store = Store::open(&settings(&address), &with_token("s.secret-token")).unwrap();
    let text = store.read("acme").unwrap_err().to_string();
    assert!(
        text.contains(
            "answered 307, a redirect to \"https://elsewhere.example/v1/x\" (not followed"
        ),
        "{text}"
    );
    assert!(!text.contains("secret-token"));
    assert_eq!(
        seen.try_iter().count(),
        1,
        "one request, no second to elsewhere"
    );
}

#[test]
fn the_address_is_checked_when_the_store_is_opened() {
    let env = with_token("t");
    let open = |address: Option<&str>, env: &StoreEnv| {
        let mut settings = settings("https://unused.example");
        settings.address = address.map(str::to_owned);
        Store::open(&settings, env)
    };
    let error = open(Some("http://10.0.0.1:8200"), &env).unwrap_err();
    assert!(
        matches!(&error, Error::Usage(m) if m.contains("plain http")),
        "{error:?}"
    );
    let error = open(None, &env).unwrap_err().to_string();
    assert_eq!(
        error,
        "no store address: set [store].address in config.toml or BAO_ADDR"
    );
    // From the environment when config.toml has none; describe() shows the one used.
    let from_env = StoreEnv {
        address: Some("https://bao.example.com:8200/".into()),
        ..env.clone()
    };
    let store = open(None, &from_env).unwrap();
    assert_eq!(store.describe(), "openbao at https://bao.example.com:8200");
    assert_eq!(
        open(Some("http://localhost:8200"), &from_env)
            .unwrap()
            .describe(),
        "openbao at http://localhost:8200"
    );
    let mut relative = settings("https://bao.example.com");
    relative.ca_cert = Some("ca.pem".into());
    let error = Store::open(&relative, &env).unwrap_err().to_string();
    assert!(error.contains("relative path"), "{error}");
    relative.ca_cert = Some("/nonexistent/ca.pem".into());
    let error = Store::open(&relative, &env).unwrap_err().to_string();
    assert!(error.contains("no such file"), "{error}");
}
